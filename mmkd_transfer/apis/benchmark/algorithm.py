"""What the benchmark needs from a distillation algorithm: its student, its
teachers by name, the batch each model sees, and one call that runs the
teachers as the algorithm's ``loss`` runs them.

That call is the algorithm's own ``forward_teachers(inputs, data_samples)``
(``MultiTeacherDistill``: every teacher on its view, in its configured
mode, frozen ones under ``no_grad``), so the benchmark never re-implements
a teacher loop.

One fallback, so that existing MMRazor projects benchmark unchanged:
MMRazor's ``SingleTeacherDistill`` has no ``forward_teachers``; its
``loss`` runs ``teacher(inputs, data_samples, mode='loss')`` on the batch
the student gets, and :func:`forward_teachers` does the same for it. A
subclass that overrides ``loss`` (e.g. MMRazor's ``FpnTeacherDistill``,
which runs the teacher's backbone and neck only) or any other algorithm gets
a one-line error naming the fix: build the model as ``MultiTeacherDistill``.
"""
from typing import Any, Dict, List, Optional, Tuple

from torch import Tensor, nn


def _is_mmrazor_single_teacher(algorithm: nn.Module) -> bool:
    """An MMRazor ``SingleTeacherDistill`` whose ``loss`` is its own."""
    from mmrazor.models import SingleTeacherDistill
    return (isinstance(algorithm, SingleTeacherDistill)
            and type(algorithm).loss is SingleTeacherDistill.loss)


def check_algorithm(algorithm: nn.Module) -> None:
    """A TypeError naming the fix unless the benchmark can run ``algorithm``'s
    teachers (it has ``forward_teachers``, or is MMRazor's
    ``SingleTeacherDistill``)."""
    if callable(getattr(algorithm, 'forward_teachers', None)):
        return
    if _is_mmrazor_single_teacher(algorithm):
        return
    raise TypeError(
        f'{type(algorithm).__name__} has no forward_teachers(), which '
        'tools/benchmark.py times the teachers with: build the model as '
        "MultiTeacherDistill (teachers=dict(teacher=dict(cfg=..., "
        "ckpt=..., mode='loss' or 'tensor'))).")


def get_student(algorithm: nn.Module) -> nn.Module:
    """The algorithm's student (``.student``)."""
    student = getattr(algorithm, 'student', None)
    if not isinstance(student, nn.Module):
        raise TypeError(
            f'{type(algorithm).__name__} has no .student: tools/benchmark.py '
            'needs a distillation algorithm (MultiTeacherDistill) built from '
            'the config.')
    return student


def get_teachers(algorithm: nn.Module) -> Dict[str, nn.Module]:
    """The algorithm's teachers by name, in the order they run.

    ``algorithm.teachers`` (``MultiTeacherDistill``), or ``{'teacher':
    algorithm.teacher}`` for MMRazor's ``SingleTeacherDistill``.
    """
    check_algorithm(algorithm)
    if _is_mmrazor_single_teacher(algorithm):
        return {'teacher': algorithm.teacher}
    return dict(algorithm.teachers.items())


def forward_teachers(algorithm: nn.Module,
                     inputs: Tensor,
                     data_samples: Optional[List] = None) -> Dict[str, Any]:
    """Every teacher of ``algorithm`` as its ``loss`` runs it.

    Args:
        algorithm (nn.Module): the distillation algorithm.
        inputs (Tensor): the preprocessed batch, e.g. (N, C, H, W), before
            any view.
        data_samples (list, optional): its data samples.

    Returns:
        dict: teacher name -> its output.
    """
    check_algorithm(algorithm)
    if _is_mmrazor_single_teacher(algorithm):
        return {
            'teacher': algorithm.teacher(inputs, data_samples, mode='loss')
        }
    return algorithm.forward_teachers(inputs, data_samples)


def model_view(algorithm: nn.Module,
               name: str,
               inputs: Tensor,
               data_samples: Optional[List] = None) -> Tuple[Tensor, Any]:
    """The batch as model ``name`` (a teacher's name or ``'student'``) sees
    it: the algorithm's ``student_batch`` / ``teacher_view``; MMRazor's
    ``SingleTeacherDistill`` feeds every model the same batch."""
    check_algorithm(algorithm)
    if _is_mmrazor_single_teacher(algorithm):
        return inputs, data_samples
    if name == 'student':
        return algorithm.student_batch(inputs, data_samples)
    return algorithm.teacher_view(name, inputs, data_samples)
