"""The base of the recurrent video predictors: patch reshaping, the
frame-by-frame rollout with scheduled sampling, the three model modes."""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmrazor.registry import MODELS

from .patch_reshape import reshape_patch, reshape_patch_back
from .scheduled_sampling import sampling_mask


class RecurrentPredictor(BaseModel):
    """A stack of recurrent cells that predicts the next frames of a clip.

    A clip has ``input_frames + pred_frames`` frames. The model reads one
    frame per step and outputs the next one (``input_frames + pred_frames
    - 1`` outputs). While reading the input frames it is fed the true frame;
    afterwards, the true frame where the scheduled-sampling mask is 1 and
    its own previous output where it is 0 (always its own output at test).

    Modes of :meth:`forward` (``inputs``: (N, T, C, H, W) in [0, 1]):

    - ``'tensor'``: all next-frame outputs (N, input + pred - 1, C, H, W);
      ``inputs`` may hold only the input frames when no mask is given.
    - ``'loss'``: ``dict(loss=...)``, the mean squared error of the outputs
      against the true next frames (see ``supervise_input_steps``). The
      mean, not the per-frame sum, so one learning rate fits any frame
      size; the sum-over-pixels MSE is what the metric reports.
    - ``'predict'``: one ``dict(pred_frames, gt_frames)`` per clip, each
      (pred_frames, C, H, W), predictions clamped to [0, 1].

    Subclasses build ``self.cells`` (an ``nn.ModuleList``, one cell per
    layer) and implement :meth:`init_states` and :meth:`step`.

    Args:
        in_channels (int): frame channels. Defaults to 1.
        hidden_channels (int | Sequence[int]): hidden channels per layer
            (an int repeats for ``num_layers``). Defaults to 64.
        num_layers (int): recurrent layers. Defaults to 4.
        filter_size (int): odd kernel size of the cells. Defaults to 5.
        patch_size (int): pixel blocks folded into channels. Defaults to 1.
        input_frames (int): frames read before predicting. Defaults to 10.
        pred_frames (int): frames predicted. Defaults to 10.
        norm (bool): layer norm in the cells. Defaults to True.
        sampling_start (float): scheduled-sampling ratio at iteration 0.
            Defaults to 1.0.
        sampling_step (float): its decrease per iteration. Defaults to 2e-5.
        sampling_seed (int): seed of the masks. Defaults to 0.
        supervise_input_steps (bool): also score the outputs made while
            reading the input frames (as the PredRNN/TMU releases do).
            Defaults to True.
        data_preprocessor (dict | nn.Module | None): defaults to
            ``VideoPredictionDataPreprocessor``.
        init_cfg (dict | None): mmengine init config.
    """

    def __init__(self,
                 in_channels=1,
                 hidden_channels=64,
                 num_layers=4,
                 filter_size=5,
                 patch_size=1,
                 input_frames=10,
                 pred_frames=10,
                 norm=True,
                 sampling_start=1.0,
                 sampling_step=2e-5,
                 sampling_seed=0,
                 supervise_input_steps=True,
                 data_preprocessor=None,
                 init_cfg=None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoPredictionDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'num_layers must be >= 1, got {num_layers}')
        if isinstance(hidden_channels, int):
            hidden_channels = [hidden_channels] * num_layers
        hidden_channels = list(hidden_channels)
        if len(hidden_channels) != num_layers:
            raise ValueError(f'hidden_channels has {len(hidden_channels)} '
                             f'entries for num_layers={num_layers}; give '
                             f'one per layer or a single int')
        if input_frames < 1 or pred_frames < 1:
            raise ValueError(f'input_frames and pred_frames must be >= 1, '
                             f'got {input_frames} and {pred_frames}')
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        self.filter_size = filter_size
        self.patch_size = patch_size
        self.frame_channels = in_channels * patch_size * patch_size
        self.input_frames = input_frames
        self.pred_frames = pred_frames
        self.norm = norm
        self.sampling_start = sampling_start
        self.sampling_step = sampling_step
        self.sampling_seed = sampling_seed
        self.supervise_input_steps = supervise_input_steps
        # training iterations seen, saved with the weights so a resumed run
        # draws the same scheduled-sampling masks as an uninterrupted one
        self.register_buffer('sampling_iteration',
                             torch.zeros((), dtype=torch.long))
        self.cells = self.build_cells()
        # hidden state of the top layer -> next (patched) frame
        self.head = nn.Conv2d(
            hidden_channels[-1], self.frame_channels, 1, bias=False)

    @property
    def total_frames(self):
        """Frames in one clip: ``input_frames + pred_frames``."""
        return self.input_frames + self.pred_frames

    def build_cells(self):
        """Return an ``nn.ModuleList`` with one cell per layer."""
        raise NotImplementedError

    def init_states(self, x):
        """The zero recurrent state for a first (patched) frame ``x``."""
        raise NotImplementedError

    def step(self, x, states):
        """Advance every layer by one frame.

        Args:
            x (torch.Tensor): (N, C * p * p, H / p, W / p) frame.
            states: what :meth:`init_states` or the last step returned.

        Returns:
            tuple: (top hidden state (N, C_hid, H / p, W / p), new states).
        """
        raise NotImplementedError

    def next_sampling_mask(self, batch_size):
        """The mask of the current training iteration; advances it.

        Returns:
            torch.Tensor: (N, pred_frames - 1) float.
        """
        mask = sampling_mask(
            int(self.sampling_iteration),
            batch_size,
            self.pred_frames,
            start=self.sampling_start,
            step=self.sampling_step,
            seed=self.sampling_seed,
            device=self.sampling_iteration.device)
        self.sampling_iteration += 1
        return mask

    def _check_clip_length(self, clips, need):
        if clips.dim() != 5:
            raise ValueError(f'expected clips (N, T, C, H, W), got '
                             f'{tuple(clips.shape)}')
        if clips.shape[1] < need:
            raise ValueError(
                f'clips have {clips.shape[1]} frames but the model needs '
                f'{need} (input_frames={self.input_frames} + '
                f'pred_frames={self.pred_frames}); use longer clips or '
                f'smaller frame counts')

    def rollout(self, clips, mask=None):
        """Run the stack over a clip and return every next-frame output.

        Args:
            clips (torch.Tensor): (N, T, C, H, W) with T >= input_frames,
                and T >= input + pred frames when ``mask`` is given.
            mask (torch.Tensor | None): (N, pred_frames - 1), 1 where the
                true frame is fed; None feeds only the model's outputs.

        Returns:
            torch.Tensor: (N, input + pred - 1, C, H, W).
        """
        self._check_clip_length(
            clips,
            self.total_frames if mask is not None else self.input_frames)
        frames = reshape_patch(clips, self.patch_size)
        if mask is not None:
            expected = (clips.shape[0], self.pred_frames - 1)
            if tuple(mask.shape) != expected:
                raise ValueError(f'sampling mask has shape '
                                 f'{tuple(mask.shape)}, expected {expected}')
            mask = mask.to(frames)[:, :, None, None, None]
        states = self.init_states(frames[:, 0])
        outputs = []
        for t in range(self.total_frames - 1):
            if t < self.input_frames:
                x = frames[:, t]
            elif mask is None:
                x = outputs[-1]
            else:
                m = mask[:, t - self.input_frames]
                x = m * frames[:, t] + (1 - m) * outputs[-1]
            top, states = self.step(x, states)
            outputs.append(self.head(top))
        return reshape_patch_back(torch.stack(outputs, dim=1), self.patch_size)

    def forward(self, inputs, data_samples=None, mode='tensor', mask=None):
        """Run in ``'tensor'``, ``'loss'`` or ``'predict'`` mode.

        Args:
            inputs (torch.Tensor): (N, T, C, H, W) clips in [0, 1].
            data_samples: unused (the targets are the clips' own frames).
            mode (str): ``'tensor'``, ``'loss'`` or ``'predict'``.
            mask (torch.Tensor | None): (N, pred_frames - 1) scheduled-
                sampling mask. In ``'loss'`` mode None draws the mask of
                the current iteration (and counts the iteration); in the
                other modes None means the model's own outputs only.
        """
        if mode == 'tensor':
            return self.rollout(inputs, mask)
        if mode == 'loss':
            return self.loss(inputs, mask)
        if mode == 'predict':
            return self.predict(inputs)
        raise ValueError(f'invalid mode "{mode}": use tensor, loss or '
                         f'predict')

    def loss(self, inputs, mask=None):
        """``dict(loss=MSE)`` of the next-frame outputs (mean over pixels,
        frames and clips)."""
        self._check_clip_length(inputs, self.total_frames)
        clips = inputs[:, :self.total_frames]
        if mask is None:
            mask = self.next_sampling_mask(clips.shape[0])
        outputs = self.rollout(clips, mask)
        targets = clips[:, 1:]
        if not self.supervise_input_steps:
            outputs = outputs[:, -self.pred_frames:]
            targets = targets[:, -self.pred_frames:]
        return dict(loss=F.mse_loss(outputs, targets))

    def predict(self, inputs):
        """One ``dict(pred_frames, gt_frames)`` per clip, (P, C, H, W)."""
        self._check_clip_length(inputs, self.total_frames)
        clips = inputs[:, :self.total_frames]
        preds = self.rollout(clips[:, :self.input_frames])
        preds = preds[:, -self.pred_frames:].clamp(0, 1)
        gts = clips[:, self.input_frames:]
        return [
            dict(pred_frames=p.detach(), gt_frames=g.detach())
            for p, g in zip(preds, gts)
        ]


__all__ = ['RecurrentPredictor']
