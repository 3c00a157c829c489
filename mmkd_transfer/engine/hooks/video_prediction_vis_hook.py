"""Image strips of video predictions: input, ground-truth and predicted
frames of a clip, one row each, written through mmengine's visualizer.

For the video predictors (ConvLSTM, PredRNN, TMU): every ``interval``
validation or test batches the hook renders one strip per clip and hands it
to ``runner.visualizer.add_image``, so it lands wherever the config's
``vis_backends`` write (``LocalVisBackend``: PNG files,
``TensorboardVisBackend``: event files). :func:`video_prediction_strip`
renders a strip on its own (the tool ``tools/visualize_video_prediction.py``
and the TMU README's figure use it).
"""
from typing import Optional

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmrazor.registry import HOOKS


def _frames_to_uint8(frames, name: str) -> np.ndarray:
    """(T, C, H, W) frames (uint8, or floats in [0, 1]) as (T, H, W, 3)
    uint8 RGB; one channel is repeated into three."""
    if isinstance(frames, torch.Tensor):
        frames = frames.detach().cpu().numpy()
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[1] not in (1, 3):
        raise ValueError(
            f'video_prediction_strip: {name} must be (T, C, H, W) frames '
            f'with C = 1 or 3, got shape {frames.shape}.')
    if frames.dtype != np.uint8:
        # floats in [0, 1]; predictions may overshoot, so clip first
        frames = np.rint(np.clip(frames.astype(np.float64), 0, 1) * 255)
        frames = frames.astype(np.uint8)
    frames = frames.transpose(0, 2, 3, 1)
    if frames.shape[-1] == 1:
        frames = np.repeat(frames, 3, axis=-1)
    return frames


def video_prediction_strip(input_frames,
                           gt_frames,
                           pred_frames,
                           gap: int = 2,
                           gap_value: int = 255,
                           scale: int = 1) -> np.ndarray:
    """Render one clip as three rows of frames: input, ground truth,
    prediction.

    Row 1 holds the T input frames, row 2 the P true future frames and row
    3 the P predicted frames, each row starting at the left edge; every
    frame is one cell of ``H x W`` pixels (``scale`` times larger), cells
    are ``gap`` pixels apart and unused cells (a row shorter than the
    longest one) keep the gap colour.

    Args:
        input_frames (Tensor | ndarray): (T, C, H, W) input frames.
        gt_frames (Tensor | ndarray): (P, C, H, W) true future frames.
        pred_frames (Tensor | ndarray): (P, C, H, W) predicted frames.
            Frames are uint8, or floats in [0, 1] (clipped to it and
            scaled by 255); C is 1 (grey) or 3 (RGB).
        gap (int): pixels between cells and around the strip. Defaults
            to 2.
        gap_value (int): grey level of the gaps, 0-255. Defaults to 255.
        scale (int): integer upscaling of each frame (nearest neighbour),
            for small frames. Defaults to 1.

    Returns:
        np.ndarray: (3 * (scale * H + gap) + gap,
        max(T, P) * (scale * W + gap) + gap, 3) uint8 RGB image.
    """
    if not isinstance(scale, int) or scale < 1:
        raise ValueError(
            f'video_prediction_strip: scale must be a positive int, got '
            f'{scale!r}.')
    if not isinstance(gap, int) or gap < 0:
        raise ValueError(
            f'video_prediction_strip: gap must be an int >= 0, got {gap!r}.')
    rows = [
        _frames_to_uint8(input_frames, 'input_frames'),
        _frames_to_uint8(gt_frames, 'gt_frames'),
        _frames_to_uint8(pred_frames, 'pred_frames'),
    ]
    sizes = {row.shape[1:3] for row in rows if len(row)}
    if len(sizes) != 1:
        raise ValueError(
            'video_prediction_strip: input, ground-truth and predicted '
            f'frames must share one size, got (H, W) {sorted(sizes)}.')
    height, width = sizes.pop()
    cell_h, cell_w = height * scale, width * scale
    columns = max(len(row) for row in rows)
    image = np.full(
        (3 * (cell_h + gap) + gap, columns * (cell_w + gap) + gap, 3),
        gap_value,
        dtype=np.uint8)
    for r, row in enumerate(rows):
        top = gap + r * (cell_h + gap)
        for c, frame in enumerate(row):
            left = gap + c * (cell_w + gap)
            if scale > 1:
                frame = frame.repeat(scale, axis=0).repeat(scale, axis=1)
            image[top:top + cell_h, left:left + cell_w] = frame
    return image


def find_input_frames(model) -> Optional[int]:
    """How many frames the video predictor in ``model`` reads before it
    predicts (its ``input_frames``); the model itself or, for a
    distillation algorithm, its student. None when neither says."""
    if is_model_wrapper(model):
        model = model.module
    for candidate in (model, getattr(model, 'student',
                                     None), getattr(model, 'architecture',
                                                    None)):
        count = getattr(candidate, 'input_frames', None)
        if isinstance(count, int):
            return count
    return None


def clip_strips(clips, predictions, input_frames=None, **strip_kwargs):
    """One strip per clip of a batch and its ``'predict'`` outputs.

    Args:
        clips (Sequence[Tensor] | Tensor): the batch's clips, each
            (T_total, C, H, W) (``data_batch['inputs']``).
        predictions (Sequence[dict]): one ``dict(pred_frames, gt_frames)``
            per clip, each (P, C, H, W), as the predictors return them.
        input_frames (int, optional): frames the model read. Defaults to
            the frames of the clip before its P future ones.
        **strip_kwargs: ``gap``, ``gap_value``, ``scale`` of
            :func:`video_prediction_strip`.

    Returns:
        list[np.ndarray]: one uint8 RGB strip per clip.
    """
    strips = []
    for clip, pred in zip(clips, predictions):
        num_pred = len(pred['gt_frames'])
        count = len(clip) - num_pred if input_frames is None else input_frames
        strips.append(
            video_prediction_strip(clip[:count], pred['gt_frames'],
                                   pred['pred_frames'], **strip_kwargs))
    return strips


@HOOKS.register_module()
class VideoPredictionVisHook(Hook):
    """Write input / ground-truth / predicted frame strips of video clips.

    After every ``interval``-th validation or test batch the hook renders
    one strip (:func:`video_prediction_strip`; rows: input frames, true
    future frames, predicted frames) for each of the first ``max_clips``
    clips and hands it to ``runner.visualizer.add_image`` under the name
    ``<val|test>_batch_<b>_clip_<i>`` (clip i of batch b), with the
    training iteration as step. The local backend writes
    ``<name>_<step>.png`` under ``<work_dir>/<timestamp>/vis_data/
    vis_image/``; TensorBoard shows it in its Images tab. Training
    iterations are untouched.

    Configs refer to it as ``'mmrazor.VideoPredictionVisHook'``::

        custom_hooks = [
            dict(type='mmrazor.VideoPredictionVisHook', interval=10)
        ]

    Args:
        interval (int): draw every ``interval``-th batch of a validation or
            test run. Defaults to 1.
        max_clips (int, optional): clips drawn per drawn batch. None: every
            clip of the batch. Defaults to 1.
        scale (int): integer upscaling of each frame. Defaults to 2.
        gap (int): pixels between frames. Defaults to 2.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 1,
                 max_clips: Optional[int] = 1,
                 scale: int = 2,
                 gap: int = 2) -> None:
        for name, value in (('interval', interval), ('scale', scale)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(
                    f'VideoPredictionVisHook: {name} must be a positive '
                    f'int, got {value!r}.')
        if max_clips is not None and (not isinstance(max_clips, int)
                                      or max_clips < 1):
            raise ValueError(
                f'VideoPredictionVisHook: max_clips must be a positive int '
                f'or None (every clip of a drawn batch), got {max_clips!r}.')
        self.interval = interval
        self.max_clips = max_clips
        self.scale = scale
        self.gap = gap

    def _draw(self, runner, mode: str, batch_idx: int, data_batch,
              outputs) -> None:
        if not self.every_n_inner_iters(batch_idx, self.interval):
            return
        if not outputs or not isinstance(outputs[0], dict) or not {
                'pred_frames', 'gt_frames'
        } <= set(outputs[0]):
            raise ValueError(
                'VideoPredictionVisHook: the model\'s predictions are not '
                'dict(pred_frames, gt_frames) (a video predictor\'s '
                '"predict" mode); remove the hook from this config.')
        count = len(outputs) if self.max_clips is None else min(
            self.max_clips, len(outputs))
        clips = data_batch['inputs']
        strips = clip_strips(
            clips[:count],
            outputs[:count],
            input_frames=find_input_frames(runner.model),
            gap=self.gap,
            scale=self.scale)
        for i, strip in enumerate(strips):
            runner.visualizer.add_image(
                f'{mode}_batch_{batch_idx}_clip_{i}', strip, step=runner.iter)

    def after_val_iter(self,
                       runner,
                       batch_idx: int,
                       data_batch=None,
                       outputs=None) -> None:
        self._draw(runner, 'val', batch_idx, data_batch, outputs)

    def after_test_iter(self,
                        runner,
                        batch_idx: int,
                        data_batch=None,
                        outputs=None) -> None:
        self._draw(runner, 'test', batch_idx, data_batch, outputs)
