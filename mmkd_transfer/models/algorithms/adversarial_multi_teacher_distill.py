"""Multi-teacher distillation with a discriminator in its own optimizer.

The training step is split into named optimizer steps, one per entry of an
``OptimWrapperDict`` built by MMRazor's ``SeparateOptimWrapperConstructor``
(whose keys are attribute names of the algorithm, as in MMRazor's data-free
distillation): first ``discriminator`` (k times), then the student side
(``architecture``, plus ``distiller`` when connectors or losses have
parameters). A method that needs an adversary (CRKD) configures it; one
that needs another objective overrides :meth:`discriminator_step` or
:meth:`adversarial_features`.
"""
import logging
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmrazor.models.utils import add_prefix
from mmrazor.registry import MODELS
from torch import Tensor, nn

from ..utils.gradient_averaging import update_params_averaged
from ..utils.shape_inference import dry_run_records
from .multi_teacher_distill import MultiTeacherDistill, _DryRunTeachers

# record-spec keys of ConfigurableDistiller.get_record
_RECORD_KEYS = ('recorder', 'from_student', 'record_idx', 'data_idx',
                'connector', 'connector_idx')


def _trainable(module: nn.Module) -> Dict[int, str]:
    """id -> qualified name of every parameter that requires grad."""
    return {id(p): n for n, p in module.named_parameters() if p.requires_grad}


def _optimized(wrapper: OptimWrapper) -> set:
    return {id(p) for group in wrapper.param_groups for p in group['params']}


@MODELS.register_module()
class AdversarialMultiTeacherDistill(MultiTeacherDistill):
    """:class:`MultiTeacherDistill` plus a discriminator trained against the
    student in a separate optimizer.

    One training iteration (:meth:`train_step`):

    1. preprocess; teachers on their views and the student on its view, as
       in :meth:`MultiTeacherDistill.loss` (task and distill losses, the
       student's graph kept);
    2. ``discriminator`` step, ``discriminator_steps`` times:
       ``adversarial_loss.discriminator_loss(D(z_t), D(z_s))`` on the
       recorded embeddings, both detached, in ``optim_wrapper
       ['discriminator']``;
    3. student step: the losses of 1 plus ``adversarial_loss(D(z_s))``
       with D frozen, in every other wrapper of ``optim_wrapper``
       (``architecture``, and ``distiller`` when connectors or losses have
       parameters).

    The teacher and student forwards run once per iteration: D's updates
    only need the detached embeddings. ``z_s`` and ``z_t`` are read from
    the distiller's records (``adversarial_inputs``), so a connector can
    bring the student to the teacher's width first.

    The optimizer must be an ``OptimWrapperDict`` from
    ``constructor='SeparateOptimWrapperConstructor'``. At the first step
    (before any update) it is checked: a ``discriminator`` entry holding
    exactly D's parameters; no student-side entry holding any of them; every
    trainable parameter in exactly one entry. Several student-side entries
    are stepped together from one backward pass, so they must be plain
    ``OptimWrapper`` s without gradient accumulation.

    The discriminator is ``self.discriminator``: not part of the student,
    so not in an exported student checkpoint (``architecture.*`` keys).

    Distributed training: every optimizer steps on its gradients averaged
    over the ranks (:meth:`update_params`), so the model is wrapped in
    ``SelfSyncedDataParallel``, not DDP: set ``model_wrapper_cfg=dict(
    type='mmrazor.SelfSyncedDataParallel')`` (``tools/train.py`` refuses a
    distributed launch without it).

    Args:
        discriminator (dict): config of D, e.g. ``dict(type=
            'PooledFeatureDiscriminator')``; without ``in_channels`` it is
            sized from the teacher record of a dry forward (needs
            ``input_shape``).
        adversarial_inputs (dict): where D's inputs come from: ``student``
            and ``teacher``, each a record spec of the distiller like a
            ``loss_forward_mappings`` entry (``recorder``, ``from_student``,
            optional ``record_idx``, ``data_idx``, ``connector``).
        adversarial_loss (dict): the two objectives; ``forward(fake)`` for
            the student, ``discriminator_loss(real, fake)`` for D. Defaults
            to ``dict(type='CRKDAdversarialLoss')``. A loss_weight of 0
            switches both steps off (D is then never updated).
        discriminator_steps (int): discriminator updates per student update
            (k). Defaults to 1.
        expect_lower_resolution (bool): warn at build time when the student
            view does not have fewer pixels than every teacher view (CRKD's
            premise; a warning, since a same-resolution run is a valid
            baseline). Needs ``input_shape``. Defaults to False.
        **kwargs: the arguments of :class:`MultiTeacherDistill`.

    Example:
        >>> model = dict(
        ...     _scope_='mmrazor', type='AdversarialMultiTeacherDistill',
        ...     architecture=student, teachers=dict(teacher=dict(cfg=...)),
        ...     student_view=dict(type='ResolutionView', scale_factor=0.5),
        ...     input_shape=(3, 8, 8), distiller=dict(...),
        ...     discriminator=dict(type='PooledFeatureDiscriminator'),
        ...     adversarial_inputs=dict(
        ...         student=dict(recorder='gap', from_student=True,
        ...                      data_idx=0, connector='proj'),
        ...         teacher=dict(recorder='gap', from_student=False,
        ...                      data_idx=0)))
        >>> optim_wrapper = dict(
        ...     constructor='SeparateOptimWrapperConstructor',
        ...     architecture=dict(optimizer=dict(type='SGD', lr=0.05)),
        ...     distiller=dict(optimizer=dict(type='SGD', lr=0.05)),
        ...     discriminator=dict(optimizer=dict(
        ...         type='Adam', lr=1e-4, betas=(0.5, 0.999))))
    """

    DISCRIMINATOR = 'discriminator'
    # read by SelfSyncedDataParallel and the config checks: this train_step
    # averages gradients over the ranks itself, so DDP must not wrap it
    averages_own_gradients = True

    def __init__(self,
                 discriminator: dict,
                 adversarial_inputs: Dict[str, dict],
                 adversarial_loss: Optional[dict] = None,
                 discriminator_steps: int = 1,
                 expect_lower_resolution: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not isinstance(discriminator_steps, int) or discriminator_steps < 1:
            raise ValueError('discriminator_steps must be an int >= 1, got '
                             f'{discriminator_steps!r}.')
        self.discriminator_steps = discriminator_steps
        self.adversarial_inputs = self._check_adversarial_inputs(
            adversarial_inputs)
        self.adversarial_loss = MODELS.build(
            adversarial_loss or dict(type='CRKDAdversarialLoss'))
        self.discriminator = MODELS.build(discriminator)
        if not getattr(self.discriminator, 'is_built', True):
            self._size_discriminator()
        if expect_lower_resolution:
            self._warn_unless_lower_resolution()
        self._optim_checked = False

    # ---------------------------------------------------------- build time
    def _check_adversarial_inputs(self, inputs: Dict[str, dict]) -> dict:
        if not isinstance(inputs, dict) or set(inputs) != {
                'student', 'teacher'
        }:
            raise ValueError(
                'adversarial_inputs must be dict(student=<record spec>, '
                'teacher=<record spec>), e.g. student=dict(recorder=\'gap\', '
                f'from_student=True); got {inputs!r}.')
        checked = {}
        for side, spec in inputs.items():
            unknown = set(spec) - set(_RECORD_KEYS)
            if 'recorder' not in spec or unknown:
                raise ValueError(
                    f'adversarial_inputs.{side} must be a record spec with '
                    f'keys among {_RECORD_KEYS} (recorder required), got '
                    f'{spec!r}.')
            spec = dict(
                spec, from_student=spec.get('from_student', side == 'student'))
            recorders = (self.distiller.student_recorders
                         if spec['from_student'] else
                         self.distiller.teacher_recorders).recorders
            if spec['recorder'] not in recorders:
                raise ValueError(
                    f'adversarial_inputs.{side}: no recorder '
                    f"{spec['recorder']!r} on that side; the recorders are "
                    f'{sorted(recorders)}.')
            if spec.get('connector') and \
                    spec['connector'] not in self.distiller.connectors:
                raise ValueError(f'adversarial_inputs.{side}: no connector '
                                 f"{spec['connector']!r}; the connectors are "
                                 f'{sorted(self.distiller.connectors)}.')
            checked[side] = spec
        return checked

    def _size_discriminator(self) -> None:
        """Build D for the teacher record's shape, from a dry forward of
        the teachers on their views."""
        if self.input_shape is None:
            raise ValueError(
                f'{type(self.discriminator).__name__} has no in_channels: '
                'set it, or set input_shape (the (C, H, W) of one '
                'preprocessed input) so it is sized from a dry forward.')
        teachers = _DryRunTeachers(self.teachers, self.forward_teachers)
        dummy = torch.zeros(2, *self.input_shape)
        with dry_run_records(teachers, self.distiller.teacher_recorders,
                             dummy):
            record = self.distiller.get_record(
                **self.adversarial_inputs['teacher'])
        if not isinstance(record, Tensor):
            raise TypeError(
                'adversarial_inputs.teacher must select one tensor, got a '
                f'{type(record).__name__}: set data_idx (e.g. data_idx=0 '
                'for a neck that returns a tuple).')
        self.discriminator.build_from_shapes(record.shape)

    def _warn_unless_lower_resolution(self) -> None:
        if self.input_shape is None:
            return
        batch = (2, ) + tuple(self.input_shape)

        def pixels(view):
            shape = batch if view is None else view.out_shape(batch)
            return shape[-2] * shape[-1], tuple(shape[-2:])

        s_pixels, s_size = pixels(self.student_view)
        for name, view in self.teacher_views.items():
            t_pixels, t_size = pixels(view)
            if s_pixels >= t_pixels:
                print_log(
                    f'the student sees {s_size}, not fewer pixels than '
                    f'teacher {name!r} ({t_size}): a resolution-aware '
                    'method expects an LR student, e.g. student_view=dict('
                    "type='ResolutionView', scale_factor=0.5).",
                    logger='current',
                    level=logging.WARNING)

    # ---------------------------------------------------------- optimizers
    @property
    def adversarial_enabled(self) -> bool:
        """Whether this step trains D and adds the student's adversarial
        term: not with a zero weight, nor after MMRazor's StopDistillHook
        stopped distillation."""
        return (self.adversarial_loss.loss_weight > 0
                and not self.distillation_stopped)

    def student_optim_keys(self, optim_wrapper: OptimWrapperDict) -> List[str]:
        """The entries of the student step: every entry but D's,
        ``architecture`` first."""
        keys = [k for k in optim_wrapper.keys() if k != self.DISCRIMINATOR]
        return sorted(keys, key=lambda k: k != 'architecture')

    def check_optim_wrapper(self, optim_wrapper) -> None:
        """One-line errors for an optimizer setup that cannot train this
        algorithm (run at the first ``train_step``, before any update)."""
        name = type(self).__name__
        if not isinstance(optim_wrapper, OptimWrapperDict):
            raise TypeError(
                f'{name} trains the discriminator in its own optimizer: set '
                "optim_wrapper=dict(constructor='SeparateOptimWrapperConstruc"
                "tor', architecture=dict(optimizer=...), discriminator=dict("
                'optimizer=...)), not one optimizer for all parameters.')
        if self.DISCRIMINATOR not in optim_wrapper:
            raise KeyError(
                f'optim_wrapper has no {self.DISCRIMINATOR!r} entry (it has '
                f'{sorted(optim_wrapper.keys())}): add discriminator=dict('
                "optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))).")
        if 'architecture' not in optim_wrapper:
            raise KeyError(
                'optim_wrapper has no \'architecture\' entry (the student): '
                'add architecture=dict(optimizer=...).')
        d_params = _trainable(self.discriminator)
        everything = _trainable(self)
        seen: Dict[int, str] = {}
        for key, wrapper in optim_wrapper.items():
            held = _optimized(wrapper)
            if key != self.DISCRIMINATOR and held & set(d_params):
                raise ValueError(
                    f'optim_wrapper.{key} holds discriminator parameters '
                    f'({d_params[next(iter(held & set(d_params)))]}): the '
                    'discriminator must only be in '
                    f'optim_wrapper.{self.DISCRIMINATOR}.')
            twice = held & set(seen)
            if twice:
                raise ValueError(
                    f'optim_wrapper.{key} and optim_wrapper.'
                    f'{seen[next(iter(twice))]} hold the same parameters '
                    f'({everything.get(next(iter(twice)), "?")}).')
            seen.update({p: key for p in held})
        if set(d_params) - _optimized(optim_wrapper[self.DISCRIMINATOR]):
            raise ValueError(
                f'optim_wrapper.{self.DISCRIMINATOR} must hold every '
                'discriminator parameter; build it with '
                "constructor='SeparateOptimWrapperConstructor'.")
        missing = [n for p, n in everything.items() if p not in seen]
        if missing:
            top = sorted({n.split('.')[0] for n in missing})
            raise ValueError(
                f'{len(missing)} trainable parameters are in no optimizer '
                f'(e.g. {missing[0]}): add optim_wrapper entries for '
                f'{top}.')
        student_side = [
            optim_wrapper[k] for k in self.student_optim_keys(optim_wrapper)
        ]
        if len(student_side) > 1 and any(
                type(w) is not OptimWrapper or w._accumulative_counts != 1
                for w in student_side):
            raise ValueError(
                'several student-side optimizers '
                f'({self.student_optim_keys(optim_wrapper)}) are stepped '
                'from one backward pass: use plain OptimWrapper entries '
                'without accumulative_counts.')

    # ---------------------------------------------------------- train step
    def adversarial_features(self) -> Dict[str, Tensor]:
        """z_s (with its graph) and z_t (detached) from the records of the
        last forward: ``{'student': ..., 'teacher': ...}``."""
        feats = {
            side: self.distiller.get_record(**spec)
            for side, spec in self.adversarial_inputs.items()
        }
        feats['teacher'] = feats['teacher'].detach()
        return feats

    def discriminator_step(self, feats: Dict[str, Tensor],
                           optim_wrapper: OptimWrapper) -> Dict[str, Tensor]:
        """One update of D on detached embeddings; its loss for logging."""
        # two calls, not one on the concatenated batches: measured slower
        # for the pooled MLP on CPU (1.3 vs 0.85 ms at 2 x 64 x 256)
        with optim_wrapper.optim_context(self.discriminator):
            loss = self.adversarial_loss.discriminator_loss(
                self.discriminator(feats['teacher']),
                self.discriminator(feats['student'].detach()))
        self.update_params(loss, [optim_wrapper])
        return dict(loss_d=loss.detach())

    def adversarial_student_loss(self, feats: Dict[str, Tensor]) -> Tensor:
        """The student's adversarial term, D frozen (no gradient reaches
        D's parameters, only z_s)."""
        params = [
            p for p in self.discriminator.parameters() if p.requires_grad
        ]
        for p in params:
            p.requires_grad_(False)
        try:
            return self.adversarial_loss(self.discriminator(feats['student']))
        finally:
            for p in params:
                p.requires_grad_(True)

    def update_params(self, loss: Tensor,
                      wrappers: Sequence[OptimWrapper]) -> None:
        """One backward pass of ``loss``, then every wrapper steps on its
        gradients averaged over the ranks (a no-op in one process), by
        ``gradient_averaging.update_params_averaged``.
        Several wrappers are plain ``OptimWrapper`` s without accumulation
        (:meth:`check_optim_wrapper`).

        Args:
            loss (Tensor): the scalar loss.
            wrappers (Sequence[OptimWrapper]): the optimizers that step on
                its gradients; the first one runs the backward pass.
        """
        update_params_averaged(loss, wrappers)

    def train_step(self, data,
                   optim_wrapper: OptimWrapperDict) -> Dict[str, Tensor]:
        """Discriminator step(s), then the student step (class docstring).

        Args:
            data (dict | tuple | list): a batch from the dataloader.
            optim_wrapper (OptimWrapperDict): ``discriminator`` plus the
                student-side entries (``architecture``, ``distiller``).

        Returns:
            dict: log variables: the student's losses as in
            :class:`MultiTeacherDistill` (``loss``, ``student.*``,
            ``distill.*``, ``adversarial.loss_g``) and
            ``discriminator.loss_d`` (mean over the k steps).
        """
        if not self._optim_checked:
            self.check_optim_wrapper(optim_wrapper)
            self._optim_checked = True
        keys = self.student_optim_keys(optim_wrapper)
        wrappers = [optim_wrapper[k] for k in keys]
        with wrappers[0].optim_context(self.student):
            data = self.data_preprocessor(data, True)
            losses = self._run_forward(data, mode='loss')
            d_logs = {}
            if self.adversarial_enabled:
                feats = self.adversarial_features()
                d_losses = [
                    self.discriminator_step(
                        feats, optim_wrapper[self.DISCRIMINATOR])['loss_d']
                    for _ in range(self.discriminator_steps)
                ]
                d_logs = add_prefix(
                    dict(loss_d=torch.stack(d_losses).mean()),
                    self.DISCRIMINATOR)
                losses.update(
                    add_prefix(
                        dict(loss_g=self.adversarial_student_loss(feats)),
                        'adversarial'))
        parsed, log_vars = self.parse_losses(losses)
        self.update_params(parsed, wrappers)
        log_vars.update(d_logs)
        return log_vars


__all__ = ['AdversarialMultiTeacherDistill']
