"""Saliency overlays (frame | ground truth | prediction) as images.

For SKD (Spatiotemporal Knowledge Distillation for Efficient Estimation of
Aerial Video Saliency; Li, Fu, Zhao, Ge; IEEE TIP 2020) and any saliency
model: the hook hands the overlays to mmengine's visualizer during
validation and testing, so they land wherever the config's ``vis_backends``
write (``LocalVisBackend``: PNG files, ``TensorboardVisBackend``: the
Images tab).
"""
from typing import Optional

import cv2
import numpy as np
import torch
from mmengine.hooks import Hook
from mmrazor.registry import HOOKS

from mmkd_transfer.evaluation.saliency_metric import read_prediction

#: colour of the fixation points drawn on the ground-truth panel (RGB)
FIXATION_RGB = (255, 255, 255)
#: width in pixels of the white gap between panels
GAP = 2


def _numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _as_map(x, size):
    """An (H, W) or (1, H, W) map as float32 (H, W) at ``size``, scaled by
    its maximum to [0, 1] for display."""
    x = _numpy(x).astype(np.float32)
    if x.ndim == 3:
        x = x[0]
    if x.shape != tuple(size):
        x = cv2.resize(x, size[::-1], interpolation=cv2.INTER_LINEAR)
    x = np.clip(x, 0, None)
    top = float(x.max())
    return x / top if top > 0 else x


def render_saliency_overlay(frame,
                            gt=None,
                            pred=None,
                            fixations=None,
                            alpha=0.5,
                            scale=1,
                            bgr=True):
    """Render a frame next to its saliency maps as heat-map overlays.

    Panels, left to right: the frame; the ground truth over it (with the
    fixation points in white) when ``gt`` is given; the prediction over it
    when ``pred`` is given. Each map is scaled by its own maximum and
    coloured with OpenCV's JET map (blue low, red high).

    Args:
        frame (Tensor | np.ndarray): (3, H, W) or (H, W, 3) uint8 image.
        gt (Tensor | np.ndarray, optional): (H, W) or (1, H, W) map.
        pred (Tensor | np.ndarray, optional): map of any size (resized to
            the frame's).
        fixations (Tensor | np.ndarray, optional): binary map (frame size).
        alpha (float): weight of the heat map over the frame.
            Defaults to 0.5.
        scale (int): nearest-neighbour upscaling, for small frames.
            Defaults to 1.
        bgr (bool): the frame's channels are BGR (as OpenCV/mmcv read
            images). Defaults to True.

    Returns:
        np.ndarray: (scale*H, k*scale*W + (k-1)*GAP, 3) uint8 RGB image.
    """
    frame = _numpy(frame)
    if frame.ndim != 3 or 3 not in (frame.shape[0], frame.shape[-1]):
        raise ValueError(f'frame must be (3, H, W) or (H, W, 3), got shape '
                         f'{frame.shape}')
    if frame.shape[-1] != 3:
        frame = frame.transpose(1, 2, 0)
    frame = np.ascontiguousarray(frame, dtype=np.uint8)
    if bgr:
        frame = frame[..., ::-1]
    size = frame.shape[:2]
    panels = [frame]
    for saliency, points in ((gt, fixations), (pred, None)):
        if saliency is None:
            continue
        heat = cv2.applyColorMap(
            np.round(_as_map(saliency, size) * 255).astype(np.uint8),
            cv2.COLORMAP_JET)[..., ::-1]
        panel = np.round((1 - alpha) * frame + alpha * heat).astype(np.uint8)
        if points is not None:
            panel[_numpy(points).reshape(size) > 0] = FIXATION_RGB
        panels.append(panel)
    panels = [
        p.repeat(scale, axis=0).repeat(scale, axis=1) if scale > 1 else p
        for p in panels
    ]
    gap = np.full((panels[0].shape[0], GAP, 3), 255, np.uint8)
    out = [panels[0]]
    for panel in panels[1:]:
        out += [gap, panel]
    return np.ascontiguousarray(np.concatenate(out, axis=1))


def _field(sample, name):
    value = getattr(sample, name, None)
    return None if value is None else value.data


@HOOKS.register_module()
class SaliencyOverlayHook(Hook):
    """Write frame / ground-truth / prediction overlays while validating.

    Every ``interval`` validation (and test) iterations, starting with the
    first, the first ``max_samples`` samples of the batch are rendered by
    :func:`render_saliency_overlay` (frame ``frame_index`` of the clip,
    frame t by default) and handed to ``runner.visualizer.add_image`` under
    ``saliency_<mode>_<clip id>`` at the current training iteration. The
    prediction is read as :class:`~mmkd_transfer.evaluation.SaliencyMetric`
    reads it (``pred_saliency``, or the sigmoid of ``seg_logits``); the
    ground truth from the output sample, else from the batch's.

    Configs refer to it as ``'mmrazor.SaliencyOverlayHook'``::

        custom_hooks = [dict(type='mmrazor.SaliencyOverlayHook',
                             interval=10)]

    Args:
        interval (int): batches between two writes. Defaults to 10.
        max_samples (int): samples drawn per written batch. Defaults to 2.
        frame_index (int): the clip frame shown. Defaults to 0.
        alpha (float): heat-map weight. Defaults to 0.5.
        scale (int): upscaling of the images. Defaults to 4.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 10,
                 max_samples: int = 2,
                 frame_index: int = 0,
                 alpha: float = 0.5,
                 scale: int = 4) -> None:
        counts = dict(interval=interval, max_samples=max_samples, scale=scale)
        for name, value in counts.items():
            is_int = isinstance(value, int) and not isinstance(value, bool)
            if not is_int or value < 1:
                raise ValueError(f'SaliencyOverlayHook: {name} must be an int '
                                 f'>= 1, got {value!r}')
        self.interval = interval
        self.max_samples = max_samples
        self.frame_index = frame_index
        self.alpha = alpha
        self.scale = scale

    def _frame(self, inputs):
        """Frame ``frame_index`` of one clip (T, 3, H, W) or a (3, H, W)
        image."""
        return inputs[self.frame_index] if inputs.dim() == 4 else inputs

    def draw_batch(self, runner, data_batch, outputs, mode: str) -> None:
        """Render the batch's first samples and send them to the
        visualizer."""
        inputs = data_batch['inputs']
        given = data_batch.get('data_samples') or [None] * len(outputs)
        for k, (out, sample) in enumerate(zip(outputs, given)):
            if k == self.max_samples:
                break
            gt = _field(out, 'gt_saliency')
            fixations = _field(out, 'gt_fixations')
            if gt is None and sample is not None:
                gt = _field(sample, 'gt_saliency')
                fixations = _field(sample, 'gt_fixations')
            image = render_saliency_overlay(
                self._frame(inputs[k]),
                gt=gt,
                pred=read_prediction(out),
                fixations=fixations,
                alpha=self.alpha,
                scale=self.scale)
            clip = out.metainfo.get('clip_id', f'{k}')
            frame = out.metainfo.get('frame_index')
            name = f'saliency_{mode}_{clip}'
            if frame is not None:
                name += f'_{frame}'
            runner.visualizer.add_image(name, image, step=runner.iter)

    def after_val_iter(self,
                       runner,
                       batch_idx: int,
                       data_batch: Optional[dict] = None,
                       outputs=None) -> None:
        if batch_idx % self.interval == 0 and outputs:
            self.draw_batch(runner, data_batch, outputs, 'val')

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch: Optional[dict] = None,
                        outputs=None) -> None:
        if batch_idx % self.interval == 0 and outputs:
            self.draw_batch(runner, data_batch, outputs, 'test')


__all__ = ['SaliencyOverlayHook', 'render_saliency_overlay']
