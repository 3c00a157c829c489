"""Distillation from several frozen teachers, each on its own view."""
import logging
from typing import Any, Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.structures import BaseDataElement
from mmrazor.models.algorithms.base import BaseAlgorithm, LossResults
from mmrazor.models.utils import add_prefix
from mmrazor.registry import MODELS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from mmkd_transfer.checkpoint_io import load_teacher_weights
from mmkd_transfer.config_checks import check_input_channels
from mmkd_transfer.views import ViewError, apply_view, build_view

from .teacher_specs import check_clip_or_image_shape, parse_teacher_specs

# arguments of MMRazor's SingleTeacherDistill that the teachers dict replaces
SINGLE_TEACHER_ARGS = ('teacher', 'teacher_ckpt', 'teacher_trainable')


def _set_inplace_false(model: nn.Module) -> None:
    # Recorders must not see tensors overwritten by a later in-place op.
    # Unlike MMRazor's recursion this also reaches the activation inside a
    # module that has an ``inplace`` flag itself (mmcv ConvModule).
    for module in model.modules():
        if isinstance(getattr(module, 'inplace', None), bool):
            module.inplace = False


def _view_batch(name: str, view, inputs, data_samples):
    """``apply_view`` whose errors say which model's view failed (a batch
    unlike ``input_shape``, e.g. clips shorter than the data set promised,
    only shows at run time)."""
    try:
        return apply_view(view, inputs, data_samples)
    except ViewError as err:
        raise ViewError(f'view of {name!r}: {err}') from None


class _Viewed(nn.Module):
    """One model behind its view (used only for the build-time dry run)."""

    def __init__(self, model: nn.Module, view):
        super().__init__()
        self.model = model
        self.view = view

    def forward(self, inputs, data_samples=None, mode='tensor'):
        inputs, data_samples = apply_view(self.view, inputs, data_samples)
        return self.model(inputs, data_samples, mode=mode)


class _DryRunTeachers(nn.Module):
    """Every teacher as ``forward_teachers`` runs it (for the dry run only).

    The dry run needs one module to put in eval mode and call; this one
    holds the teachers and forwards to the algorithm's teacher loop.
    """

    def __init__(self, teachers: nn.ModuleDict, forward_teachers):
        super().__init__()
        self.teachers = teachers
        self._forward_teachers = forward_teachers

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self._forward_teachers(inputs, data_samples, mode=mode)


@MODELS.register_module()
class MultiTeacherDistill(BaseAlgorithm):
    """Knowledge distillation from one or more teachers, each with a view.

    MMRazor's ``SingleTeacherDistill`` feeds one teacher the very batch the
    student gets. Here every model has a view of the preprocessed batch
    (``mmkd_transfer.views``: a resolution, frames, or both), so an HR
    teacher and an LR student (CRKD), a spatial and a temporal teacher
    (SKD) or several source models (TMU) share one step:

    batch -> data_preprocessor -> :meth:`forward_teachers` (each teacher on
    its view, frozen ones under ``no_grad``) with the teacher recorders on
    -> the student's view, forward with the student recorders on ->
    distiller losses. :meth:`forward_teachers` is the one teacher loop:
    validation (:meth:`predict_teacher`) and the benchmark use it too.

    Teachers live in ``self.teachers`` (an ``nn.ModuleDict``), and the
    distiller's teacher recorders are prepared on that dict, so their
    sources carry the teacher name: ``'t_hr.head.fc'``. Frozen teachers are
    in eval mode (BN and dropout included) whatever ``train()`` is called
    with; MMRazor keeps a frozen teacher's dropout active.

    With one teacher, no views and a teacher without dropout the losses are
    those of ``SingleTeacherDistill`` on the same batch (tested).

    In ``predict`` and ``tensor`` modes the student runs on its view, so
    validation scores the model as it will be deployed.

    Args:
        architecture (dict | BaseModel): the student.
        distiller (dict): distiller config, e.g. a ``ConfigurableDistiller``
            whose teacher recorder sources start with a teacher name.
        teachers (dict): name -> teacher spec with keys ``cfg`` (a model
            config dict or a built model) or ``cfg_path`` (e.g.
            ``'mmpretrain::resnet/resnet18_8xb32_in1k.py'``); ``ckpt``
            (checkpoint file, loaded strictly, default None); ``ckpt_prefix``
            (keep only keys under it, default ``''``); ``ckpt_strict``
            (default True: any missing, unexpected or mis-shaped key is an
            error; False loads a partial checkpoint, the tensors that fit,
            and warns about the rest); ``view`` (a view
            config, default None: the preprocessed batch); ``trainable``
            (default False; a trainable teacher's task losses are added as
            ``<name>.loss_*``); ``mode`` (its forward mode, ``'loss'`` as in
            MMRazor or ``'tensor'``, which skips its loss computation and
            needs no labels; default ``'loss'``). Names must be Python
            identifiers, distinct ignoring case, and not one of
            ``student``, ``distill``, ``architecture``, ``distiller``,
            ``data_preprocessor``.
        student_view (dict, optional): view of the student. Defaults to
            None.
        calculate_student_loss (bool): add the student's task losses
            (``student.*``). Defaults to True.
        student_trainable (bool): when the task loss is off, whether the
            student forward keeps gradients. Defaults to True.
        teacher_norm_eval (bool): keep a *trainable* teacher's BN in eval
            mode (frozen teachers are always in eval mode). Defaults to True.
        input_shape (Sequence[int], optional): one preprocessed input,
            (C, H, W) or a clip (T, C, H, W), before any view. When given,
            every view is checked on it at build time (a view leaving < 1
            pixel, a frame outside the clip fail here), and a distiller with
            ``init_from_dry_run`` (``ShapeInferringDistiller``: the sizing
            contract is in its module) has its connectors and losses sized
            by one dry forward of each model on its view. Required by such
            distillers. Defaults to None.
        **kwargs: ``data_preprocessor``, ``init_cfg``, ``module_inplace``
            of ``BaseAlgorithm``.

    Example:
        >>> model = dict(
        ...     _scope_='mmrazor', type='MultiTeacherDistill',
        ...     architecture=student, student_view=dict(
        ...         type='ResolutionView', scale_factor=0.25),
        ...     teachers=dict(t_hr=dict(cfg=teacher, ckpt='hr.pth')),
        ...     distiller=dict(
        ...         type='ConfigurableDistiller',
        ...         student_recorders=dict(fc=dict(
        ...             type='ModuleOutputs', source='head.fc')),
        ...         teacher_recorders=dict(fc=dict(
        ...             type='ModuleOutputs', source='t_hr.head.fc')), ...))
    """

    def __init__(self,
                 architecture,
                 distiller: dict,
                 teachers: Optional[dict] = None,
                 student_view: Optional[dict] = None,
                 calculate_student_loss: bool = True,
                 student_trainable: bool = True,
                 teacher_norm_eval: bool = True,
                 input_shape: Optional[Sequence[int]] = None,
                 **kwargs):
        ported = sorted(set(kwargs) & set(SINGLE_TEACHER_ARGS))
        if ported:
            raise ValueError(
                f'MultiTeacherDistill has no {ported} (arguments of '
                "MMRazor's SingleTeacherDistill): write teachers=dict("
                'teacher=dict(cfg=<teacher>, ckpt=<teacher_ckpt>, '
                'trainable=...)) and start teacher recorder sources with '
                '"teacher.".')
        specs = parse_teacher_specs(teachers)
        if input_shape is not None:
            input_shape = check_clip_or_image_shape(input_shape)
        super().__init__(architecture, **kwargs)
        self.student_view = build_view(student_view)
        self.teacher_views = {
            name: build_view(spec['view'])
            for name, spec in specs.items()
        }
        if input_shape is not None:
            # bad views fail here, before any model or data is touched
            dummy_shape = (2, ) + input_shape
            for name, view in [('student', self.student_view),
                               *self.teacher_views.items()]:
                if view is not None:
                    try:
                        view.out_shape(dummy_shape)
                    except ValueError as err:
                        raise type(err)(f'view of {name!r}: {err}') from err

        self.distiller = MODELS.build(distiller)
        self.teachers = nn.ModuleDict()
        self.teacher_trainable = {}
        self.teacher_modes = {}
        for name, spec in specs.items():
            teacher = self._build_teacher(name, spec)
            self.teachers[name] = teacher
            self.teacher_trainable[name] = spec['trainable']
            self.teacher_modes[name] = spec['mode']
        self.teacher_norm_eval = teacher_norm_eval
        self.student_trainable = student_trainable
        self.calculate_student_loss = calculate_student_loss

        self._prepare_recorders()
        # may be set by mmrazor.StopDistillHook
        self.distillation_stopped = False

        self.input_shape = input_shape
        if input_shape is not None:
            # a raw convolution error in the dry run names no model; each
            # model is checked on its view (a frame pair has 2C channels)
            models = [('student', self.student, self.student_view)
                      ] + [(f'teacher {n!r}', t, self.teacher_views[n])
                           for n, t in self.teachers.items()]
            for name, model, view in models:
                if view is None:
                    check_input_channels(
                        input_shape[-3], {name: model},
                        input_shape=input_shape)
                else:
                    viewed = view.out_shape((2, ) + input_shape)
                    check_input_channels(viewed[-3], {name: model}, view=True)
        if hasattr(self.distiller, 'init_from_dry_run'):
            if input_shape is None:
                raise ValueError(
                    f'{type(self.distiller).__name__} sizes its connectors '
                    'and losses from a dry forward: set input_shape, the '
                    '(C, H, W) of one '
                    'preprocessed input before any view, e.g. '
                    'input_shape=(3, 32, 32).')
            # batch 2: BatchNorm in train mode needs more than one sample
            # (the dry run itself runs in eval mode, under no_grad)
            dummy = torch.zeros(2, *input_shape)
            self.dry_run_shapes = self.distiller.init_from_dry_run(
                _Viewed(self.student, self.student_view),
                _DryRunTeachers(self.teachers, self.forward_teachers), dummy)
        self.train(self.training)

    def _prepare_recorders(self) -> None:
        """Hook the distiller's recorders into the student and teachers.

        A recorder whose source names no module fails here with the
        algorithm, the side and the recorder named, e.g.
        ``MultiTeacherDistill, student recorder 'fc': "head.fcc" ...``.
        """
        for side, model in (('student', self.student), ('teacher',
                                                        self.teachers)):
            try:
                getattr(self.distiller, f'prepare_from_{side}')(model)
            except ValueError as err:
                manager = getattr(self.distiller, f'{side}_recorders', None)
                recorders = getattr(manager, 'recorders', None) or {}
                owners = [
                    name for name, recorder in recorders.items()
                    if f'"{getattr(recorder, "source", None)}"' in str(err)
                ]
                if not owners:
                    raise
                message = (f'{type(self).__name__}, {side} recorder '
                           f'{owners[0]!r}: {err}')
                # keep the error's type (compat's RecorderSourceError is an
                # AssertionError too, as MMRazor raised it)
                try:
                    named = type(err)(message)
                except TypeError:
                    named = ValueError(message)
                raise named from err

    def _build_teacher(self, name: str, spec: dict) -> BaseModel:
        cfg = spec['cfg']
        if isinstance(cfg, nn.Module):
            teacher = cfg
        elif cfg is not None:
            teacher = MODELS.build(cfg)
        else:
            teacher = MODELS.build(
                dict(cfg_path=spec['cfg_path'], pretrained=False))
        if not isinstance(teacher, BaseModel):
            raise TypeError(f'teacher {name!r} must be an mmengine BaseModel '
                            f'(a task model), got {type(teacher).__name__}.')
        _set_inplace_false(teacher)
        if spec['ckpt']:
            load_teacher_weights(
                teacher,
                spec['ckpt'],
                prefix=spec['ckpt_prefix'],
                strict=spec['ckpt_strict'],
                what=f'teacher {name!r}',
                opt_out=f'model.teachers.{name}.ckpt_strict=False')
            # keep Runner.init_weights() from re-initialising it
            teacher._is_init = True
        else:
            print_log(
                f'teacher {name!r} has no ckpt: it distills its '
                'initial (random) weights.',
                logger='current',
                level=logging.WARNING)
        if not spec['trainable']:
            for param in teacher.parameters():
                param.requires_grad = False
        return teacher

    @property
    def student(self) -> nn.Module:
        """Alias for ``architecture``."""
        return self.architecture

    @property
    def teacher_names(self) -> List[str]:
        return list(self.teachers.keys())

    @property
    def teacher(self) -> nn.Module:
        """The teacher, when there is exactly one (MMRazor's API)."""
        if len(self.teachers) != 1:
            raise AttributeError(
                f'{len(self.teachers)} teachers ({self.teacher_names}): use '
                'model.teachers[name].')
        return next(iter(self.teachers.values()))

    def teacher_view(self,
                     name: str,
                     inputs: torch.Tensor,
                     data_samples: Optional[List[BaseDataElement]] = None):
        """The batch as teacher ``name`` sees it."""
        return _view_batch(name, self.teacher_views[name], inputs,
                           data_samples)

    def student_batch(self,
                      inputs: torch.Tensor,
                      data_samples: Optional[List[BaseDataElement]] = None):
        """The batch as the student sees it."""
        return _view_batch('student', self.student_view, inputs, data_samples)

    def forward_teachers(
            self,
            inputs: torch.Tensor,
            data_samples: Optional[List[BaseDataElement]] = None,
            mode: Optional[str] = None,
            names: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        """Run teachers, each on its own view of a preprocessed batch.

        The one teacher loop of the algorithm: ``loss`` runs it with the
        recorders on, ``predict_teacher`` (validation) and the benchmark
        call it as is. Frozen teachers run under ``torch.no_grad()``;
        trainable ones keep their graph.

        Args:
            inputs (Tensor): the preprocessed batch, e.g. (N, C, H, W),
                before any view.
            data_samples (list, optional): its data samples.
            mode (str, optional): forward mode of every teacher
                (``'loss'``, ``'tensor'``, ``'predict'``). Defaults to None:
                each teacher's configured ``mode``.
            names (Sequence[str], optional): the teachers to run, in this
                order. Defaults to None: all, in config order.

        Returns:
            dict: teacher name -> the raw output of its forward (a loss
            dict, tensors or predictions).
        """
        if names is None:
            names = self.teacher_names
        unknown = [n for n in names if n not in self.teachers]
        if unknown:
            raise KeyError(f'unknown teachers {unknown}; the teachers are '
                           f'{self.teacher_names}.')
        outputs = {}
        for name in names:
            t_inputs, t_samples = self.teacher_view(name, inputs, data_samples)
            t_mode = self.teacher_modes[name] if mode is None else mode
            with torch.set_grad_enabled(self.teacher_trainable[name]
                                        and torch.is_grad_enabled()):
                outputs[name] = self.teachers[name](
                    t_inputs, t_samples, mode=t_mode)
        return outputs

    def loss(
            self,
            batch_inputs: torch.Tensor,
            data_samples: Optional[List[BaseDataElement]] = None
    ) -> LossResults:
        """Teachers on their views, then the student on its view; the task
        and distillation losses (``student.*``, ``<teacher>.*`` for
        trainable teachers, ``distill.*``)."""
        losses = dict()
        distiller = self.distiller
        # teachers record the original data of deliveries; the student
        # replays it (MMRazor's contract, one teacher after another)
        distiller.set_deliveries_override(False)
        with distiller.teacher_recorders, distiller.deliveries:
            outputs = self.forward_teachers(batch_inputs, data_samples)
        for name, output in outputs.items():
            if self.teacher_trainable[name]:
                losses.update(add_prefix(output, name))

        distiller.set_deliveries_override(True)
        s_inputs, s_samples = self.student_batch(batch_inputs, data_samples)
        with distiller.student_recorders, distiller.deliveries:
            if self.calculate_student_loss:
                s_losses = self.student(s_inputs, s_samples, mode='loss')
                losses.update(add_prefix(s_losses, 'student'))
            elif self.student_trainable:
                self.student(s_inputs, s_samples, mode='loss')
            else:
                with torch.no_grad():
                    self.student(s_inputs, s_samples, mode='loss')

        if not self.distillation_stopped:
            losses.update(
                add_prefix(distiller.compute_distill_losses(), 'distill'))
        return losses

    def _forward(self, inputs, data_samples=None):
        inputs, data_samples = self.student_batch(inputs, data_samples)
        return self.student(inputs, data_samples, mode='tensor')

    def _predict(self, inputs, data_samples=None):
        inputs, data_samples = self.student_batch(inputs, data_samples)
        return self.student(inputs, data_samples, mode='predict')

    @torch.no_grad()
    def predict_teacher(
            self,
            name: str,
            inputs: torch.Tensor,
            data_samples: Optional[List[BaseDataElement]] = None) -> list:
        """Predictions of teacher ``name`` on its view of a preprocessed
        batch (the validation loop scores teachers with it)."""
        return self.forward_teachers(
            inputs, data_samples, mode='predict', names=[name])[name]

    def train(self, mode: bool = True) -> 'MultiTeacherDistill':
        """Set the train mode; frozen teachers stay in eval mode, BN of
        trainable ones too when ``teacher_norm_eval``. Returns self
        (MMRazor's ``SingleTeacherDistill.train`` returns None)."""
        super().train(mode)
        for name, teacher in self.teachers.items():
            if not self.teacher_trainable[name]:
                teacher.eval()
            elif mode and self.teacher_norm_eval:
                for module in teacher.modules():
                    if isinstance(module, _BatchNorm):
                        module.eval()
        return self
