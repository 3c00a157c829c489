"""What the benchmark needs from a distillation algorithm: its student,
its teachers, the batch each model sees, and how its teachers run."""
from typing import Callable, Dict

from torch import Tensor, nn

_TEACHER_FORWARDS: Dict[type, Callable] = {}


def get_teachers(algorithm: nn.Module) -> Dict[str, nn.Module]:
    """The algorithm's teacher(s) by name: ``teachers`` or ``teacher``."""
    teachers = getattr(algorithm, 'teachers', None)
    if isinstance(teachers, (nn.ModuleDict, dict)) and len(teachers):
        return dict(teachers.items())
    teacher = getattr(algorithm, 'teacher', None)
    if isinstance(teacher, nn.Module):
        return {'teacher': teacher}
    raise TypeError(
        f'{type(algorithm).__name__} has no .teacher or .teachers: '
        'tools/benchmark.py needs a distillation algorithm (e.g. '
        'SingleTeacherDistill) built from the config.')


def get_student(algorithm: nn.Module) -> nn.Module:
    """The algorithm's student (``.student``)."""
    student = getattr(algorithm, 'student', None)
    if not isinstance(student, nn.Module):
        raise TypeError(
            f'{type(algorithm).__name__} has no .student: tools/benchmark.py '
            'needs a distillation algorithm (e.g. SingleTeacherDistill) '
            'built from the config.')
    return student


def register_teacher_forward(algorithm_cls: type):
    """Decorator: how ``algorithm_cls`` runs its teacher(s) in ``loss``.

    The function takes ``(algorithm, inputs, data_samples)`` (preprocessed)
    and runs every teacher the way the algorithm's ``loss`` does; the
    benchmark calls it under ``no_grad`` with the teachers in eval mode.
    Subclasses inherit their parent's entry; unregistered algorithms get
    ``teacher(inputs, data_samples, mode='loss')`` per teacher, as
    MMRazor's ``SingleTeacherDistill`` runs it.
    """

    def wrap(fn):
        _TEACHER_FORWARDS[algorithm_cls] = fn
        return fn

    return wrap


def model_view(algorithm, name: str, inputs: Tensor, data_samples=None):
    """The batch as model ``name`` (a teacher's name or ``'student'``) sees
    it.

    Algorithms with per-model views expose ``student_batch(inputs,
    data_samples)`` and ``teacher_view(name, inputs, data_samples)`` (as
    ``MultiTeacherDistill`` does); others feed every model the same batch.
    """
    if name == 'student':
        view = getattr(algorithm, 'student_batch', None)
        return view(inputs, data_samples) if view else (inputs, data_samples)
    view = getattr(algorithm, 'teacher_view', None)
    return (view(name, inputs, data_samples) if view else
            (inputs, data_samples))


def _default_teacher_forward(algorithm, inputs, data_samples):
    # What MMRazor's SingleTeacherDistill.loss runs for a frozen teacher:
    # mode='loss' (or the algorithm's per-teacher mode), on its view.
    modes = getattr(algorithm, 'teacher_modes', None) or {}
    for name, teacher in get_teachers(algorithm).items():
        t_inputs, t_samples = model_view(algorithm, name, inputs,
                                         data_samples)
        teacher(t_inputs, t_samples, mode=modes.get(name, 'loss'))


def _fpn_teacher_forward(algorithm, inputs, data_samples):
    # FpnTeacherDistill runs the teacher's backbone and neck only.
    for teacher in get_teachers(algorithm).values():
        teacher.extract_feat(inputs)


def _register_mmrazor_forwards():
    from mmrazor.models import FpnTeacherDistill
    _TEACHER_FORWARDS.setdefault(FpnTeacherDistill, _fpn_teacher_forward)


def teacher_forward_fn(algorithm) -> Callable:
    """The registered teacher forward of the algorithm's class (by MRO)."""
    _register_mmrazor_forwards()
    for cls in type(algorithm).__mro__:
        if cls in _TEACHER_FORWARDS:
            return _TEACHER_FORWARDS[cls]
    return _default_teacher_forward
