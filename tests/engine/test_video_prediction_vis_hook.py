"""VideoPredictionVisHook and video_prediction_strip: input / ground-truth /
predicted frame strips of video predictions through mmengine's visualizer,
and tools/visualize_video_prediction.py."""
import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from conftest import config_path, load_config, load_tool, train
from mmrazor.registry import HOOKS

import mmkd_transfer  # noqa: F401  (compat fixes, registration)
from mmkd_transfer.config_checks import ConfigError
from mmkd_transfer.engine.hooks import VideoPredictionVisHook
from mmkd_transfer.engine.hooks.video_prediction_vis_hook import (
    clip_strips, find_input_frames, video_prediction_strip)

CONFIG = ('tmu', 'convlstm_l2h32p2_1xb16-3k_moving-digits-1d-32px.py')
# a small predictor on 4 val clips of 32x32 frames, 10 in -> 10 predicted
TINY = {
    'model.hidden_channels': 4,
    'train_dataloader.dataset.num_clips': 8,
    'train_dataloader.batch_size': 4,
    'val_dataloader.dataset.num_clips': 4,
    'val_dataloader.batch_size': 2,
}


def constant_frames(values, channels=1, height=2, width=3):
    """(T, C, H, W) float frames, frame t filled with values[t]."""
    frames = torch.tensor(values, dtype=torch.float32)
    return frames[:, None, None, None].repeat(1, channels, height, width)


def test_strip_layout_and_values():
    inputs = constant_frames([0.0, 0.5, 1.0])
    gts = constant_frames([0.2, 0.4])
    preds = constant_frames([-0.3, 1.7])  # clipped to [0, 1]
    strip = video_prediction_strip(inputs, gts, preds, gap=1, gap_value=7)
    # 3 rows of 2-pixel cells, 3 columns of 3-pixel cells, 1-pixel gaps
    assert strip.shape == (3 * (2 + 1) + 1, 3 * (3 + 1) + 1, 3)
    assert strip.dtype == np.uint8

    def cell(row, col):
        return strip[1 + 3 * row:3 + 3 * row, 1 + 4 * col:4 + 4 * col]

    # value * 255 rounded (half to even: 127.5 -> 128); rows shorter than
    # the input row leave their last cell in the gap colour
    expected = {
        (0, 0): 0,
        (0, 1): 128,
        (0, 2): 255,
        (1, 0): 51,
        (1, 1): 102,
        (2, 0): 0,
        (2, 1): 255,
        (1, 2): 7,
        (2, 2): 7,
    }
    for (row, col), value in expected.items():
        assert (cell(row, col) == value).all(), (row, col)
    # the gaps between and around cells
    assert (strip[0] == 7).all() and (strip[:, 0] == 7).all()
    assert (strip[3] == 7).all() and (strip[:, 4] == 7).all()
    assert (strip[-1] == 7).all() and (strip[:, -1] == 7).all()


def test_strip_scales_keeps_uint8_and_rgb():
    rng = np.random.RandomState(0)
    rgb = rng.randint(0, 256, size=(2, 3, 4, 5)).astype(np.uint8)
    strip = video_prediction_strip(rgb, rgb[:1], rgb[1:], gap=0, scale=2)
    assert strip.shape == (3 * 8, 2 * 10, 3)
    # nearest-neighbour upscaling of frame 1, channels in RGB order
    expected = rgb[1].transpose(1, 2, 0).repeat(2, 0).repeat(2, 1)
    assert np.array_equal(strip[:8, 10:20], expected)
    assert np.array_equal(strip[16:24, :10], expected)  # the prediction row


def test_strip_refuses_bad_frames():
    frames = constant_frames([0.1, 0.2])
    with pytest.raises(
            ValueError, match=r'share one size.*\(2, 3\).*\(4, 3\)'):
        video_prediction_strip(frames, frames, constant_frames([0.1],
                                                               height=4))
    with pytest.raises(ValueError, match=r'gt_frames must be \(T, C, H, W\)'):
        video_prediction_strip(frames, frames[0], frames)
    with pytest.raises(ValueError, match='scale must be a positive int'):
        video_prediction_strip(frames, frames, frames, scale=0)


def test_clip_strips_take_the_frames_before_the_future_ones():
    clip = constant_frames([0.0, 0.1, 0.2, 0.3, 0.4])
    pred = dict(gt_frames=clip[3:], pred_frames=clip[3:])
    # no input_frames: the frames before the 2 future ones
    default, = clip_strips([clip], [pred], gap=0)
    assert np.array_equal(
        default, video_prediction_strip(clip[:3], clip[3:], clip[3:], gap=0))
    # a model that reads 2 frames: the strip shows those 2
    two, = clip_strips([clip], [pred], input_frames=2, gap=0)
    assert two.shape[1] == 2 * 3
    assert find_input_frames(SimpleNamespace(input_frames=2)) == 2
    assert find_input_frames(
        SimpleNamespace(student=SimpleNamespace(input_frames=6))) == 6
    assert find_input_frames(torch.nn.Linear(1, 1)) is None


def test_hook_registered_and_checks_arguments():
    hook = HOOKS.build(
        dict(type='mmrazor.VideoPredictionVisHook', interval=3, max_clips=2))
    assert isinstance(hook, VideoPredictionVisHook)
    assert (hook.interval, hook.max_clips) == (3, 2)
    for bad in (dict(interval=0), dict(max_clips=0), dict(scale=1.5)):
        with pytest.raises(ValueError, match='VideoPredictionVisHook'):
            VideoPredictionVisHook(**bad)


def test_hook_refuses_outputs_of_another_task():
    runner = SimpleNamespace(model=None, visualizer=None, iter=0)
    with pytest.raises(ValueError, match='remove the hook'):
        VideoPredictionVisHook().after_val_iter(
            runner, 0, dict(inputs=[]), outputs=[SimpleNamespace()])


def strip_rows(image, frames_per_row=10, side=32, scale=2, gap=2):
    """The three rows of frame cells of a strip, (3, cols, H, W, 3)."""
    cell = side * scale
    return np.stack([
        np.stack([
            image[gap + r * (cell + gap):gap + r * (cell + gap) + cell,
                  gap + c * (cell + gap):gap + c * (cell + gap) + cell]
            for c in range(frames_per_row)
        ]) for r in range(3)
    ])


def upscaled(frames, scale=2):
    """(T, 1, H, W) uint8 frames as (T, sH, sW, 3), as a strip draws them."""
    frames = np.asarray(frames).transpose(0, 2, 3, 1)
    return np.repeat(frames, 3, -1).repeat(scale, 1).repeat(scale, 2)


def test_hook_writes_strips_in_a_two_iteration_run(tmp_path):
    cfg = load_config(
        *CONFIG,
        work_dir=tmp_path,
        **{
            **TINY, 'train_cfg.max_iters':
            2,
            'train_cfg.val_interval':
            2,
            'visualizer.vis_backends':
            [dict(type='LocalVisBackend'),
             dict(type='TensorboardVisBackend')],
            'custom_hooks': [
                dict(
                    type='mmrazor.VideoPredictionVisHook',
                    interval=1,
                    max_clips=2)
            ]
        })
    runner = train(cfg)
    pngs = sorted(
        glob.glob(str(tmp_path / '*' / 'vis_data' / 'vis_image' / '*.png')))
    # 2 val batches of 2 clips, at training iteration 2
    assert [osp.basename(p) for p in pngs] == [
        'val_batch_0_clip_0_2.png', 'val_batch_0_clip_1_2.png',
        'val_batch_1_clip_0_2.png', 'val_batch_1_clip_1_2.png'
    ]
    image = cv2.imread(pngs[2])[..., ::-1]  # clip 0 of batch 1: clip 2
    assert image.shape == (3 * 66 + 2, 10 * 66 + 2, 3)
    clip = runner.val_dataloader.dataset[2]['inputs']  # (20, 1, 32, 32)
    rows = strip_rows(image)
    assert np.array_equal(rows[0], upscaled(clip[:10]))
    assert np.array_equal(rows[1], upscaled(clip[10:]))
    model = runner.model.eval()
    with torch.no_grad():
        pred = model(clip[None].float() / 255, mode='predict')[0]
    expected = upscaled(torch.round(pred['pred_frames'] * 255).to(torch.uint8))
    # the run predicted clip 2 in a batch of 2: float sums may differ
    assert np.abs(rows[2].astype(int) - expected).max() <= 1
    runner.visualizer.close()
    events = glob.glob(
        str(tmp_path / '**' / 'events.out.tfevents.*'), recursive=True)
    assert events
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    acc = EventAccumulator(osp.dirname(events[0]))
    acc.Reload()
    assert 'val_batch_1_clip_0' in acc.Tags()['images']


@pytest.fixture
def tiny_checkpoint(tmp_path):
    """The tiny predictor with random non-default weights, saved as a
    runner checkpoint; returns (config, checkpoint path, model)."""
    tool = load_tool('visualize_video_prediction')
    cfg = load_config(*CONFIG, work_dir=tmp_path, **TINY)
    model, _ = tool.build_model_and_dataset(cfg, 'val')
    torch.manual_seed(1)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0, 0.3)
    path = tmp_path / 'tiny.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return tool, path, model


def test_tool_writes_strips_of_the_checkpoint(tiny_checkpoint, tmp_path):
    tool, ckpt, model = tiny_checkpoint
    out = tmp_path / 'strips'
    options = [f'{k}={v}' for k, v in TINY.items() if k.startswith('model')]
    tool.main([
        config_path(*CONFIG),
        str(ckpt), '--num-clips', '3', '--batch-size', '2', '--out-dir',
        str(out), '--cfg-options', *options,
        'val_dataloader.dataset.num_clips=4'
    ])
    files = sorted(osp.basename(p) for p in glob.glob(str(out / '*.png')))
    assert files == ['clip_0000.png', 'clip_0001.png', 'clip_0002.png']
    _, dataset = tool.build_model_and_dataset(
        load_config(*CONFIG, work_dir=tmp_path, **TINY), 'val')
    clip = dataset[1]['inputs']
    rows = strip_rows(cv2.imread(str(out / 'clip_0001.png'))[..., ::-1])
    assert np.array_equal(rows[0], upscaled(clip[:10]))
    assert np.array_equal(rows[1], upscaled(clip[10:]))
    # the prediction of the saved weights (not of a freshly built model)
    with torch.no_grad():
        pred = model.eval()(clip[None].float() / 255, mode='predict')[0]
    expected = upscaled(torch.round(pred['pred_frames'] * 255).to(torch.uint8))
    assert np.abs(rows[2].astype(int) - expected).max() <= 1


def test_tool_refuses_more_clips_than_the_set_has(tiny_checkpoint, tmp_path):
    tool, ckpt, _ = tiny_checkpoint
    with pytest.raises(ConfigError, match='at most 4'):
        tool.main([
            config_path(*CONFIG),
            str(ckpt), '--num-clips', '5', '--out-dir',
            str(tmp_path), '--cfg-options', 'model.hidden_channels=4',
            'val_dataloader.dataset.num_clips=4'
        ])
