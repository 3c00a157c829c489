"""Frame view: one frame, a pair or a stack of frames from a clip batch."""
from typing import Any, Optional, Sequence, Tuple

from mmrazor.registry import TASK_UTILS
from torch import Tensor

from .base_view import BaseView, Batch, ViewError

_LAYOUTS = ('BTCHW', 'channel_stacked')


@TASK_UTILS.register_module()
class FrameView(BaseView):
    """Pick the frames one model sees from a batch of clips.

    SKD's spatial model sees frame t, its temporal model the pair (t, t+1);
    video predictors see the whole clip. Clips come either as
    (B, T, C, H, W) (``layout='BTCHW'``) or with the frames stacked along
    the channels, (B, T*C, H, W) (``layout='channel_stacked'``, frame t in
    channels ``t*C .. (t+1)*C - 1``).

    Output: one frame (``frames=t``) is always (B, C, H, W); several frames
    keep the input layout unless ``out_layout`` says otherwise, i.e.
    (B, k, C, H, W) or (B, k*C, H, W). Data samples pass through unchanged.

    Args:
        frames (int | Sequence[int] | str): a frame index, a sequence of
            indices (e.g. ``(0, 1)``; negative indices count from the end)
            or ``'all'``. Defaults to 0.
        layout (str): ``'BTCHW'`` or ``'channel_stacked'``. Defaults to
            ``'BTCHW'``.
        num_frames (int, optional): frames per clip T. Required for
            ``'channel_stacked'`` (to split the channels); for ``'BTCHW'``
            it is checked against the batch. Indices are checked against it
            when the view is built.
        out_layout (str, optional): layout of a multi-frame output; None
            keeps ``layout``.

    Example:
        >>> temporal = dict(type='FrameView', frames=(0, 1),
        ...                 layout='channel_stacked', num_frames=4)
    """

    def __init__(self,
                 frames=0,
                 layout: str = 'BTCHW',
                 num_frames: Optional[int] = None,
                 out_layout: Optional[str] = None):
        if layout not in _LAYOUTS:
            raise ViewError(f'layout must be one of {_LAYOUTS}, got '
                            f'{layout!r}.')
        if out_layout is not None and out_layout not in _LAYOUTS:
            raise ViewError(f'out_layout must be None or one of {_LAYOUTS}, '
                            f'got {out_layout!r}.')
        if num_frames is not None and (not isinstance(num_frames, int)
                                       or num_frames < 1):
            raise ViewError(f'num_frames must be an int >= 1, got '
                            f'{num_frames!r}.')
        if layout == 'channel_stacked' and num_frames is None:
            raise ViewError('FrameView(layout="channel_stacked") needs '
                            'num_frames (the clip length T) to split the '
                            'T*C channels into frames.')
        if frames == 'all':
            self.single = False
        elif isinstance(frames, int) and not isinstance(frames, bool):
            self.single = True
        elif (isinstance(frames, (list, tuple)) and frames and all(
                isinstance(f, int) and not isinstance(f, bool)
                for f in frames)):
            frames = tuple(frames)
            self.single = False
        else:
            raise ViewError('frames must be an int, a non-empty sequence of '
                            f'ints or "all", got {frames!r}.')
        self.frames = frames
        self.layout = layout
        self.num_frames = num_frames
        self.out_layout = out_layout or layout
        if num_frames is not None:
            self._indices(num_frames)  # bad indices fail at build time

    def __repr__(self):
        return (f'FrameView(frames={self.frames!r}, layout={self.layout!r}, '
                f'num_frames={self.num_frames})')

    def _indices(self, num_frames: int) -> Tuple[int, ...]:
        if self.frames == 'all':
            return tuple(range(num_frames))
        wanted = (self.frames, ) if self.single else self.frames
        bad = [f for f in wanted if not -num_frames <= f < num_frames]
        if bad:
            # frame f >= 0 needs f + 1 frames, frame -f needs f
            need = max(f + 1 if f >= 0 else -f for f in wanted)
            raise ViewError(
                f'FrameView: frame index {bad[0]} is outside a clip of '
                f'{num_frames} frames (valid: 0..{num_frames - 1}, or '
                f'-{num_frames}..-1 from the end): set the dataset\'s '
                f'clip_len (and the view\'s num_frames, if given) to >= '
                f'{need}, or choose frames within the clip.')
        return tuple(f % num_frames for f in wanted)

    def _clip_length(self, shape: Sequence[int]) -> Tuple[int, int]:
        """(T, C) of a clip batch of ``shape``."""
        if self.layout == 'BTCHW':
            if len(shape) != 5:
                raise ViewError(
                    'FrameView(layout="BTCHW") needs a (B, T, C, H, W) '
                    f'batch, got shape {tuple(shape)}; for frames stacked '
                    'in the channels use layout="channel_stacked".')
            t, c = shape[1], shape[2]
            if self.num_frames is not None and t != self.num_frames:
                raise ViewError(f'FrameView expects clips of num_frames='
                                f'{self.num_frames}, the batch has {t}.')
            return t, c
        if len(shape) != 4 or shape[1] % self.num_frames:
            raise ViewError(
                'FrameView(layout="channel_stacked") needs a (B, T*C, H, W) '
                f'batch with T={self.num_frames}, got shape {tuple(shape)}.')
        return self.num_frames, shape[1] // self.num_frames

    def out_shape(self, shape: Sequence[int]) -> Tuple[int, ...]:
        t, c = self._clip_length(shape)
        k = len(self._indices(t))
        b, (h, w) = shape[0], tuple(shape[-2:])
        if self.single:
            return (b, c, h, w)
        return (b, k, c, h, w) if self.out_layout == 'BTCHW' else (b, k * c, h,
                                                                   w)

    def __call__(self,
                 inputs: Tensor,
                 data_samples: Optional[Sequence[Any]] = None) -> Batch:
        """Select frames of ``inputs`` (B, T, C, H, W) or (B, T*C, H, W)."""
        t, c = self._clip_length(inputs.shape)
        indices = self._indices(t)
        clip = inputs if self.layout == 'BTCHW' else inputs.reshape(
            inputs.shape[0], t, c, *inputs.shape[-2:])
        if self.single:
            return clip[:, indices[0]], data_samples
        if indices == tuple(range(t)):
            out = clip
        elif indices == tuple(range(indices[0], indices[-1] + 1)):
            out = clip[:, indices[0]:indices[-1] + 1]  # a view, no copy
        else:
            out = clip[:, list(indices)]
        if self.out_layout == 'channel_stacked':
            out = out.reshape(out.shape[0], -1, *out.shape[-2:])
        return out, data_samples
