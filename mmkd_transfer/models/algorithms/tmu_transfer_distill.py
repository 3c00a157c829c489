"""TMU transfer: a target predictor learns from M frozen source predictors
through its first cell's memory (Yao et al., ICML 2020)."""
import logging
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement
from mmrazor.models.algorithms.base import LossResults
from mmrazor.models.utils import add_prefix
from mmrazor.registry import MODELS

from ..losses.tmu_memory_loss import TMUMemoryLoss
from ..predictors.recurrent_predictor import RecurrentPredictor
from ..predictors.tmu_cell import TMUCell
from ..utils.gradient_averaging import update_params_averaged
from .multi_teacher_distill import MultiTeacherDistill
from .teacher_specs import check_clip_or_image_shape


def _memory_shape(model: RecurrentPredictor, input_shape=None) -> tuple:
    """(C, H, W) of the first cell's memory per frame; symbolic (``'H/2'``)
    without ``input_shape``."""
    p = model.patch_size
    if input_shape is None:
        return (model.hidden_channels[0], f'H/{p}', f'W/{p}')
    height, width = input_shape[-2:]
    return (model.hidden_channels[0], height // p, width // p)


@MODELS.register_module()
class TMUTransferDistill(MultiTeacherDistill):
    """TMU: a target ``TMUPredictor`` and M frozen source predictors.

    Each training iteration draws the target's scheduled-sampling mask once
    (:meth:`RecurrentPredictor.next_sampling_mask`, a function of the
    target's seed and iteration) and gives that very mask to every source:
    the sources run in ``'tensor'`` mode on the target's clips, frozen,
    with the distiller's teacher recorders on; then the target runs its
    ``'loss'`` mode (next-frame MSE) with the same mask and the student
    recorders on; then the distiller's losses, e.g. :class:`TMUMemoryLoss`
    between the target's distilled memories and the sources' memories
    (both recorded by ``StepMemories`` recorders, one record per step).
    For every ``TMUMemoryLoss`` the unweighted value is logged too
    (``distill.<name without "loss">_mse``, not part of the total), so
    ``loss_weight=0`` runs the release's objective and still shows L_mem.

    ``reverse_second_step`` (the release's ``--reverse_input``, on by
    default in its code and TMU script): after the optimizer step on the
    clips, a second full step (sources, target, losses, optimizer) on the
    same clips reversed in time, with the same mask; the logged values are
    the means of both steps.

    Distributed training: :meth:`train_step` averages the gradients over
    the ranks before each optimizer step itself, so the reversed step runs
    on several processes too. Train it with ``model_wrapper_cfg=dict(
    type='mmrazor.SelfSyncedDataParallel')`` (the TMU distiller fragment
    sets it; ``tools/train.py`` refuses a distributed launch without it):
    mmengine's ``MMDistributedDataParallel`` would call the forward itself
    and skip the reversed step.

    Sources are teachers of :class:`MultiTeacherDistill` (``teachers``
    specs; checkpoints load strictly), with ``mode='tensor'`` filled in;
    they cannot be trainable, and no model may have a view (TMU runs the
    sources on the target's input).

    Checked at build time, each a one-line error: the target is a
    ``TMUPredictor`` with one distiller per source; every source is a
    recurrent predictor reading the target's frame counts and channels
    whose first-cell memory has the target cell's shape; with
    ``input_shape`` (T, C, H, W), clips hold ``input_frames + pred_frames``
    frames.

    Args:
        architecture (dict | TMUPredictor): the target.
        distiller (dict): e.g. a ``ConfigurableDistiller`` with
            ``StepMemories`` recorders and a ``TMUMemoryLoss`` mapped with
            ``record_idx=None`` (every step).
        teachers (dict): the sources, name -> teacher spec (see
            :class:`MultiTeacherDistill`), in the order of the target's
            distillers.
        reverse_second_step (bool): add the time-reversed second step.
            Defaults to True (the release's default).
        input_shape (Sequence[int], optional): one clip (T, C, H, W), for
            the build-time checks. Defaults to None.
        **kwargs: other arguments of :class:`MultiTeacherDistill`
            (``calculate_student_loss``, ``data_preprocessor``, ...).
    """

    # read by SelfSyncedDataParallel and the config checks: train_step
    # averages the gradients over the ranks itself
    averages_own_gradients = True

    def __init__(self,
                 architecture,
                 distiller: dict,
                 teachers: dict,
                 reverse_second_step: bool = True,
                 input_shape: Optional[Sequence[int]] = None,
                 **kwargs):
        if kwargs.get('student_view') is not None:
            raise ValueError('TMUTransferDistill runs the sources on the '
                             "target's input: remove student_view.")
        teachers = self._source_specs(teachers)
        if input_shape is not None:
            input_shape = check_clip_or_image_shape(input_shape)
            if len(input_shape) != 4:
                raise ValueError(
                    f'input_shape={input_shape}: TMU needs one clip '
                    '(T, C, H, W), e.g. input_shape=(20, 1, 32, 32).')
        # read by _prepare_recorders, which the parent's __init__ calls
        self._clip_shape = input_shape
        # the parent's dry-run checks are for image models (a recurrent
        # cell's first convolution reads frame and hidden channels): it
        # gets no input_shape
        super().__init__(architecture, distiller, teachers, **kwargs)
        self.input_shape = input_shape
        self.reverse_second_step = bool(reverse_second_step)
        self._check_memory_loss_mappings()
        self._warned_no_reverse = False

    @staticmethod
    def _source_specs(teachers) -> dict:
        """Teacher specs with ``mode='tensor'``; trainable sources, another
        mode or a view are one-line errors."""
        if not isinstance(teachers, dict) or not teachers:
            raise ValueError(
                'TMUTransferDistill needs teachers=dict(<source>=dict('
                "cfg=<predictor>, ckpt='source.pth'), ...), one per source.")
        specs = {}
        for name, spec in teachers.items():
            spec = dict(spec) if isinstance(spec, dict) else spec
            if isinstance(spec, dict):
                if spec.get('trainable'):
                    raise ValueError(f'source {name!r}: TMU sources are '
                                     'frozen; remove trainable=True.')
                if spec.get('mode', 'tensor') != 'tensor':
                    raise ValueError(
                        f'source {name!r}: sources run in tensor mode with '
                        f"the target's mask; remove mode={spec['mode']!r}.")
                if spec.get('view') is not None:
                    raise ValueError(
                        f'source {name!r}: TMU runs the sources on the '
                        "target's input; remove its view.")
                spec['mode'] = 'tensor'
            specs[name] = spec
        return specs

    def _prepare_recorders(self) -> None:
        # a wrong target or source first: its error names the fix, where a
        # recorder would only find no 'cells.0.distillers.*' module
        self._check_target_and_sources()
        super()._prepare_recorders()

    def _check_target_and_sources(self) -> None:
        target = self.student
        cell = target.cells[0] if isinstance(target,
                                             RecurrentPredictor) else None
        if not isinstance(cell, TMUCell):
            raise TypeError(
                f'TMUTransferDistill: the target must be a TMUPredictor (a '
                f'TMU cell as layer 0), got {type(target).__name__}: set '
                "architecture.type='TMUPredictor'.")
        names = self.teacher_names
        if cell.num_sources != len(names):
            raise ValueError(f"TMUTransferDistill: the target's TMU cell has "
                             f'num_sources={cell.num_sources} distillers but '
                             f'{len(names)} sources are given ({names}): set '
                             f'architecture.num_sources={len(names)}.')
        shape = self._clip_shape
        if shape is not None:
            if shape[0] < target.total_frames:
                raise ValueError(
                    f'input_shape has {shape[0]} frames per clip but the '
                    f'target needs input_frames + pred_frames = '
                    f'{target.input_frames} + {target.pred_frames}: use '
                    f'clips of >= {target.total_frames} frames (the '
                    "datasets' input_frames + pred_frames) and set "
                    'input_shape to match.')
            if shape[1] != target.in_channels:
                raise ValueError(
                    f'input_shape has {shape[1]} channels but the target '
                    f'reads {target.in_channels}: set input_shape='
                    f'{(shape[0], target.in_channels) + tuple(shape[2:])}.')
        want = _memory_shape(target, shape)
        for name, source in self.teachers.items():
            if not isinstance(source, RecurrentPredictor):
                raise TypeError(
                    f'source {name!r} is a {type(source).__name__}; TMU '
                    'sources are recurrent predictors (ConvLSTMPredictor, '
                    'PredRNNPredictor).')
            frames = (source.input_frames, source.pred_frames)
            if frames != (target.input_frames, target.pred_frames):
                raise ValueError(
                    f'source {name!r} reads {frames[0]} -> {frames[1]} '
                    f'frames, the target {target.input_frames} -> '
                    f'{target.pred_frames}: give both the same input_frames '
                    'and pred_frames (they share the sampling mask).')
            if source.in_channels != target.in_channels:
                raise ValueError(
                    f'source {name!r} reads {source.in_channels}-channel '
                    f'frames, the target {target.in_channels}: give both '
                    'the same in_channels.')
            got = _memory_shape(source, shape)
            if got != want or source.patch_size != target.patch_size:
                raise ValueError(
                    f'source {name!r} has first-cell memory {got} '
                    f"(C, H, W) but the target's TMU cell has {want}: give "
                    f'the source hidden_channels[0]={want[0]} and '
                    f'patch_size={target.patch_size}, or pick a source '
                    'that has them.')

    def _check_memory_loss_mappings(self) -> None:
        """A TMUMemoryLoss needs every step: ``record_idx=None``."""
        for name, loss in self.distiller.distill_losses.items():
            if not isinstance(loss, TMUMemoryLoss):
                continue
            mapping = self.distiller.loss_forward_mappings.get(name, {})
            for arg, spec in mapping.items():
                if spec.get('record_idx', 0) is not None:
                    raise ValueError(
                        f'distiller loss {name!r}: {arg} takes the memories '
                        'of every step; add record_idx=None to its '
                        'loss_forward_mappings entry.')

    def forward_teachers(self,
                         inputs: torch.Tensor,
                         data_samples: Optional[List[BaseDataElement]] = None,
                         mode: Optional[str] = None,
                         names: Optional[Sequence[str]] = None,
                         mask: Optional[torch.Tensor] = None) -> Dict:
        """Run the sources; with ``mask`` (N, pred_frames - 1), in
        ``'tensor'`` mode with that scheduled-sampling mask (what training
        does). Without it, as :meth:`MultiTeacherDistill.forward_teachers`.
        """
        if mask is None:
            return super().forward_teachers(inputs, data_samples, mode, names)
        if mode not in (None, 'tensor'):
            raise ValueError(f'a sampling mask needs tensor mode, got '
                             f'mode={mode!r}.')
        names = self.teacher_names if names is None else list(names)
        unknown = [n for n in names if n not in self.teachers]
        if unknown:
            raise KeyError(f'unknown sources {unknown}; the sources are '
                           f'{self.teacher_names}.')
        with torch.no_grad():
            return {
                name:
                self.teachers[name](
                    inputs, data_samples, mode='tensor', mask=mask)
                for name in names
            }

    def transfer_loss(
        self,
        clips: torch.Tensor,
        data_samples: Optional[List[BaseDataElement]],
        mask: torch.Tensor,
    ) -> LossResults:
        """One transfer forward with a given mask: the sources, then the
        target, then the distiller's losses.

        Args:
            clips (Tensor): (N, input_frames + pred_frames, C, H, W).
            data_samples (list, optional): passed through.
            mask (Tensor): (N, pred_frames - 1) scheduled-sampling mask.

        Returns:
            dict: ``student.loss``, ``distill.*`` losses and, for each
            :class:`TMUMemoryLoss`, its unweighted value.
        """
        distiller = self.distiller
        distiller.set_deliveries_override(False)
        with distiller.teacher_recorders, distiller.deliveries:
            self.forward_teachers(clips, data_samples, mask=mask)
        distiller.set_deliveries_override(True)
        losses = dict()
        with distiller.student_recorders, distiller.deliveries:
            s_losses = self.student(
                clips, data_samples, mode='loss', mask=mask)
        if self.calculate_student_loss:
            losses.update(add_prefix(s_losses, 'student'))
        if not self.distillation_stopped:
            d_losses = distiller.compute_distill_losses()
            for name, loss in distiller.distill_losses.items():
                if isinstance(loss, TMUMemoryLoss) and name in d_losses:
                    # no "loss" in the key: logged, not summed into the total
                    short = name.replace('loss', '').strip('_') or 'memory'
                    d_losses[f'{short}_mse'] = loss.last_unweighted
            losses.update(add_prefix(d_losses, 'distill'))
        return losses

    def _clips_and_mask(self, batch_inputs: torch.Tensor):
        target = self.student
        target._check_clip_length(batch_inputs, target.total_frames)
        clips = batch_inputs[:, :target.total_frames]
        return clips, target.next_sampling_mask(clips.shape[0])

    def loss(
            self,
            batch_inputs: torch.Tensor,
            data_samples: Optional[List[BaseDataElement]] = None
    ) -> LossResults:
        """The transfer losses of one forward step (draws the mask of the
        current iteration and advances it)."""
        # train_step calls transfer_loss itself; reaching here in training
        # means a wrapper (DDP) skipped it
        if self.reverse_second_step and self.training and \
                not self._warned_no_reverse:
            self._warned_no_reverse = True
            print_log(
                'TMUTransferDistill.loss was called outside its train_step '
                '(e.g. under MMDistributedDataParallel): the time-reversed '
                'second step does not run; train distributed with '
                "model_wrapper_cfg=dict(type='mmrazor.SelfSyncedDataParallel"
                "').",
                logger='current',
                level=logging.WARNING)
        clips, mask = self._clips_and_mask(batch_inputs)
        return self.transfer_loss(clips, data_samples, mask)

    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        """One iteration: the forward step and, with
        ``reverse_second_step``, the time-reversed step, each with its own
        optimizer update (gradients averaged over the ranks first) and the
        same mask (as the release trains)."""
        with optim_wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
        clips, mask = self._clips_and_mask(data['inputs'])
        samples = data.get('data_samples')
        directions = [clips]
        if self.reverse_second_step:
            directions.append(clips.flip(1))
        logs = []
        for step_clips in directions:
            with optim_wrapper.optim_context(self):
                losses = self.transfer_loss(step_clips, samples, mask)
            parsed, log_vars = self.parse_losses(losses)
            update_params_averaged(parsed, [optim_wrapper])
            logs.append(log_vars)
        return {
            key: sum(log[key].detach() for log in logs) / len(logs)
            for key in logs[0]
        }


__all__ = ['TMUTransferDistill']
