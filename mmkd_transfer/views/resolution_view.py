"""Resolution view: a batch at another resolution, targets kept right."""
import math
from numbers import Number
from typing import Any, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmrazor.registry import TASK_UTILS
from torch import Tensor

from .base_view import BaseView, Batch, ViewError

_MODES = ('bilinear', 'bicubic', 'nearest', 'nearest-exact', 'area')
_SEG_TARGETS = ('keep', 'resize')


def _pair(value, name):
    if isinstance(value, Number) and not isinstance(value, bool):
        return (value, value)
    if (isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, Number) and not isinstance(v, bool) for v in value)):
        return tuple(value)
    raise ViewError(f'{name} must be a number or a (h, w) pair, got '
                    f'{value!r}.')


_TARGETS_WITH_GEOMETRY = ('gt_instances', 'ignored_instances', 'gt_sem_seg',
                          'gt_panoptic_seg')


def _is_seg_sample(sample) -> bool:
    return (type(sample).__name__ == 'SegDataSample'
            or 'gt_sem_seg' in getattr(sample, '_data_fields', ()))


def _scale_hw(shape, ry: float, rx: float):
    """(h, w, ...) scaled by (ry, rx), at least 1 pixel; type kept."""
    h = max(1, int(round(shape[0] * ry)))
    w = max(1, int(round(shape[1] * rx)))
    out = (h, w) + tuple(shape[2:])
    return torch.Size(out) if isinstance(shape, torch.Size) else out


def _rescale_boxes(boxes, rx: float, ry: float):
    if hasattr(boxes, 'rescale_'):  # mmdet BaseBoxes: copy, then rescale
        boxes = boxes.clone()
        boxes.rescale_((rx, ry))
        return boxes
    factor = boxes.new_tensor([rx, ry, rx, ry])
    return boxes * factor


def _resize_map(data: Tensor, size: Tuple[int, int]) -> Tensor:
    """Nearest resize of a label map (..., H, W); labels stay labels."""
    lead = data.shape[:-2]
    flat = data.reshape(1, -1, *data.shape[-2:])
    out = F.interpolate(flat.float(), size=size, mode='nearest')
    return out.to(data.dtype).reshape(*lead, *size)


@TASK_UTILS.register_module()
class ResolutionView(BaseView):
    """Resize a batch by a factor or to a size; targets follow per task.

    The teacher of CRKD sees the high-resolution (HR) batch, the student
    the same images downsampled (LR). The view resizes the whole
    preprocessed batch tensor (padding included), so one interpolation
    serves every sample, and then makes each data sample describe the new
    batch:

    - classification: labels are resolution-free; only ``img_shape``
      (where the pipeline stored one) follows the view;
    - detection: ``gt_instances.bboxes`` (and ``ignored_instances``,
      instance masks) are rescaled, and ``img_shape``, ``pad_shape``,
      ``batch_input_shape`` and ``scale_factor`` follow the view, so the
      model's own losses and its ``rescale=True`` predictions (divided by
      ``scale_factor``) stay right;
    - segmentation: with ``seg_target='keep'`` (default) samples are left
      untouched, so the LR model is scored against the full-resolution map
      (mmseg decode heads resize their logits to the ground truth's size in
      ``loss_by_feat`` and to ``img_shape`` in ``predict_by_feat``); with
      ``'resize'`` the map is resized (nearest) and the metadata follows the
      view as for detection.

    Data samples are copied where they change, never modified in place.

    Args:
        scale_factor (float | tuple[float, float], optional): factor on
            (H, W); the output side is ``floor(side * factor)``.
        size (int | tuple[int, int], optional): output (H, W). Exactly one
            of ``scale_factor`` and ``size`` must be given.
        mode (str): ``F.interpolate`` mode, one of ``'bilinear'``,
            ``'bicubic'``, ``'nearest'``, ``'nearest-exact'``, ``'area'``.
            Defaults to ``'bilinear'``.
        antialias (bool): low-pass filter when downsampling (bilinear and
            bicubic only). Defaults to True.
        seg_target (str): ``'keep'`` or ``'resize'`` (see above).
            Defaults to ``'keep'``.
        pad_size_divisor (int): pad the resized batch (right, bottom) to a
            multiple of this, e.g. 32 for a detector with stride-32
            features. Defaults to 1 (no padding).
        pad_value (float): value of that padding (the batch is already
            normalised, so 0 is the mean). Defaults to 0.

    Example:
        >>> view = dict(type='ResolutionView', scale_factor=0.25)
    """

    def __init__(self,
                 scale_factor=None,
                 size=None,
                 mode: str = 'bilinear',
                 antialias: bool = True,
                 seg_target: str = 'keep',
                 pad_size_divisor: int = 1,
                 pad_value: float = 0.):
        if (scale_factor is None) == (size is None):
            raise ViewError('ResolutionView needs exactly one of scale_factor '
                            f'and size, got scale_factor={scale_factor!r}, '
                            f'size={size!r}.')
        if scale_factor is not None:
            scale_factor = _pair(scale_factor, 'scale_factor')
            if not all(s > 0 for s in scale_factor):
                raise ViewError('scale_factor must be > 0, got '
                                f'{scale_factor!r}.')
        if size is not None:
            size = _pair(size, 'size')
            if not all(isinstance(s, int) and s >= 1 for s in size):
                raise ViewError('size must be ints >= 1 (the output height '
                                f'and width), got {size!r}.')
        if mode not in _MODES:
            raise ViewError(f'mode must be one of {_MODES}, got {mode!r}.')
        if seg_target not in _SEG_TARGETS:
            raise ViewError(f'seg_target must be one of {_SEG_TARGETS}, got '
                            f'{seg_target!r}.')
        if not isinstance(pad_size_divisor, int) or pad_size_divisor < 1:
            raise ViewError('pad_size_divisor must be an int >= 1, got '
                            f'{pad_size_divisor!r}.')
        self.scale_factor = scale_factor
        self.size = size
        self.mode = mode
        self.antialias = antialias
        self.seg_target = seg_target
        self.pad_size_divisor = pad_size_divisor
        self.pad_value = pad_value

    def __repr__(self):
        what = (f'scale_factor={self.scale_factor}'
                if self.size is None else f'size={self.size}')
        return f'ResolutionView({what}, mode={self.mode!r})'

    def resized_hw(self, height: int, width: int) -> Tuple[int, int]:
        """Output (H, W) before padding; refuses < 1 pixel."""
        if self.size is not None:
            return self.size
        out_h = int(math.floor(height * self.scale_factor[0] + 1e-6))
        out_w = int(math.floor(width * self.scale_factor[1] + 1e-6))
        if out_h < 1 or out_w < 1:
            raise ViewError(
                f'ResolutionView(scale_factor={self.scale_factor}) turns a '
                f'{height}x{width} batch into {out_h}x{out_w} pixels: use a '
                f'factor of at least 1/{min(height, width)} or a larger '
                'input.')
        return out_h, out_w

    def _padded(self, hw: Tuple[int, int]) -> Tuple[int, int]:
        d = self.pad_size_divisor
        return tuple(int(math.ceil(v / d)) * d for v in hw)

    def out_shape(self, shape: Sequence[int]) -> Tuple[int, ...]:
        if len(shape) < 3:
            raise ViewError('ResolutionView needs a batch of images '
                            f'(..., C, H, W), got shape {tuple(shape)}.')
        hw = self._padded(self.resized_hw(shape[-2], shape[-1]))
        return tuple(shape[:-2]) + hw

    def __call__(self,
                 inputs: Tensor,
                 data_samples: Optional[Sequence[Any]] = None) -> Batch:
        """Resize ``inputs`` (..., C, H, W), e.g. (N, C, H, W) or a clip
        batch (N, T, C, H, W); return them with matching data samples."""
        height, width = inputs.shape[-2:]
        out_hw = self.resized_hw(height, width)
        flat = inputs.reshape(-1, *inputs.shape[-3:])
        dtype = flat.dtype
        if not flat.is_floating_point():
            flat = flat.float()
        kwargs = {}
        if self.mode in ('bilinear', 'bicubic'):
            kwargs = dict(align_corners=False, antialias=self.antialias)
        out = F.interpolate(flat, size=out_hw, mode=self.mode, **kwargs)
        padded_hw = self._padded(out_hw)
        if padded_hw != tuple(out_hw):
            out = F.pad(
                out,
                (0, padded_hw[1] - out_hw[1], 0, padded_hw[0] - out_hw[0]),
                value=self.pad_value)
        if out.dtype != dtype:
            out = out.round().clamp(
                torch.iinfo(dtype).min,
                torch.iinfo(dtype).max).to(dtype)
        out = out.reshape(*inputs.shape[:-2], *padded_hw)
        if data_samples is None:
            return out, None
        if not data_samples or self._passes_through(data_samples[0]):
            # a batch holds one task's samples: decided once, not per sample
            return out, list(data_samples)
        # the scale of the image content (padding excluded)
        ry, rx = out_hw[0] / height, out_hw[1] / width
        samples = [self._sample(s, ry, rx, padded_hw) for s in data_samples]
        return out, samples

    def _passes_through(self, sample) -> bool:
        """Samples this view leaves as they are: classification (labels do
        not depend on resolution; copying 64 samples' metadata cost 4x the
        resize itself) and segmentation with ``seg_target='keep'``."""
        if _is_seg_sample(sample) and self.seg_target == 'keep':
            return True
        return not any(hasattr(sample, key) for key in _TARGETS_WITH_GEOMETRY)

    def _sample(self, sample, ry: float, rx: float, padded_hw: Tuple[int,
                                                                     int]):
        if self._passes_through(sample):
            return sample
        meta = {}
        old = sample.metainfo if hasattr(sample, 'metainfo') else {}
        if 'img_shape' in old:
            meta['img_shape'] = _scale_hw(old['img_shape'], ry, rx)
        for key in ('pad_shape', 'batch_input_shape'):
            if key in old:
                shape = old[key]
                new = tuple(padded_hw) + tuple(shape[2:])
                meta[key] = (
                    torch.Size(new) if isinstance(shape, torch.Size) else new)
        if 'scale_factor' in old and old['scale_factor'] is not None:
            sx, sy = old['scale_factor'][:2]  # (w, h) as in mmdet/mmseg
            meta['scale_factor'] = (sx * rx, sy * ry)
        if 'padding_size' in old:  # mmseg (left, right, top, bottom)
            l, r, t, b = old['padding_size']
            meta['padding_size'] = [
                int(round(l * rx)),
                int(round(r * rx)),
                int(round(t * ry)),
                int(round(b * ry))
            ]
        fields = {}
        for key in ('gt_instances', 'ignored_instances'):
            inst = getattr(sample, key, None)
            if inst is not None and len(inst.keys()) > 0:
                fields[key] = self._instances(inst, ry, rx)
        for key in ('gt_sem_seg', 'gt_panoptic_seg'):
            pixel = getattr(sample, key, None)
            if pixel is not None:
                fields[key] = self._pixels(pixel, ry, rx)
        if not meta and not fields:
            return sample  # no metadata or targets to change
        new = sample.new()  # metainfo copied, data fields shared
        new.set_metainfo(meta)
        for key, value in fields.items():
            setattr(new, key, value)
        return new

    @staticmethod
    def _instances(inst, ry: float, rx: float):
        changes = {}
        if 'bboxes' in inst:
            changes['bboxes'] = _rescale_boxes(inst.bboxes, rx, ry)
        if 'masks' in inst and hasattr(inst.masks, 'resize'):
            h, w = inst.masks.height, inst.masks.width
            changes['masks'] = inst.masks.resize(_scale_hw((h, w), ry, rx))
        if not changes:
            return inst
        # new(**kwargs) keeps only kwargs: pass the unchanged fields too
        return inst.new(**{**dict(inst.items()), **changes})

    @staticmethod
    def _pixels(pixel, ry: float, rx: float):
        # PixelData checks every field against the others' (H, W): build
        # a new one rather than replacing fields one by one
        fields = {}
        for key in pixel.keys():
            value = getattr(pixel, key)
            if isinstance(value, Tensor) and value.dim() >= 2:
                size = _scale_hw(tuple(value.shape[-2:]), ry, rx)
                value = _resize_map(value, size)
            fields[key] = value
        return type(pixel)(metainfo=dict(pixel.metainfo_items()), **fields)
