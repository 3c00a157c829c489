"""SaliencyOverlayHook: frame / ground truth / prediction overlays of SKD
(Li, Fu, Zhao, Ge; IEEE TIP 2020) through mmengine's visualizer."""
import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmrazor.registry import HOOKS

from mmkd_transfer.datasets import EmbeddedSaliencyClipDataset
from mmkd_transfer.engine.hooks import SaliencyOverlayHook
from mmkd_transfer.engine.hooks.saliency_overlay_hook import (
    GAP, render_saliency_overlay)

H, W = 6, 8


def test_overlay_panels():
    frame = np.zeros((H, W, 3), np.uint8)
    frame[...] = (10, 20, 30)  # BGR
    gt = np.zeros((H, W), np.float32)
    gt[1, 2] = 1.0
    fix = np.zeros((H, W), np.uint8)
    fix[4, 5] = 1
    pred = torch.zeros(1, 2 * H, 2 * W)
    pred[0, 8:, :4] = 0.7  # bottom-left, at twice the size

    image = render_saliency_overlay(
        torch.from_numpy(frame).permute(2, 0, 1), gt, pred, fix, scale=2)
    assert image.dtype == np.uint8
    assert image.shape == (2 * H, 3 * 2 * W + 2 * GAP, 3)
    # panel 1: the frame in RGB
    assert (image[:, :2 * W] == (30, 20, 10)).all()
    assert (image[:, 2 * W:2 * W + GAP] == 255).all()
    gt_panel = image[:, 2 * W + GAP:4 * W + GAP].astype(int)
    pred_panel = image[:, 4 * W + 2 * GAP:].astype(int)
    # fixation in white; the gt peak is red-hot, elsewhere blue-cold
    assert (gt_panel[2 * 4, 2 * 5] == 255).all()
    peak, cold = gt_panel[2 * 1, 2 * 2], gt_panel[0, 0]
    assert peak[0] > peak[2] and cold[2] > cold[0]
    # the prediction was resized: hot at the bottom left only
    hot, cold = pred_panel[2 * H - 1, 0], pred_panel[0, 2 * W - 1]
    assert hot[0] > hot[2] and cold[2] > cold[0]
    # frame alone; bad frames
    assert render_saliency_overlay(frame).shape == (H, W, 3)
    with pytest.raises(ValueError, match=r'\(3, H, W\) or \(H, W, 3\)'):
        render_saliency_overlay(np.zeros((H, W)))


def test_registered_and_checks_arguments():
    hook = HOOKS.build(dict(type='mmrazor.SaliencyOverlayHook', interval=3))
    assert isinstance(hook, SaliencyOverlayHook) and hook.interval == 3
    with pytest.raises(ValueError, match='max_samples must be an int >= 1'):
        SaliencyOverlayHook(max_samples=0)


def _batch(num):
    ds = EmbeddedSaliencyClipDataset(num_clips=num, frame_size=32)
    items = [ds[i] for i in range(num)]
    outputs = []
    for item in items:
        out = item['data_samples'].clone()
        # an mmseg-style output: one-channel logits, gt kept
        out.seg_logits = PixelData(data=torch.randn(1, 32, 32))
        outputs.append(out)
    batch = dict(
        inputs=[i['inputs'] for i in items],
        data_samples=[i['data_samples'] for i in items])
    return batch, outputs


def test_writes_png_and_tensorboard_image(tmp_path):
    from mmengine.visualization import Visualizer
    vis = Visualizer(
        name=f'saliency_hook_test_{id(tmp_path)}',
        vis_backends=[
            dict(type='LocalVisBackend'),
            dict(type='TensorboardVisBackend')
        ],
        save_dir=str(tmp_path))
    runner = SimpleNamespace(visualizer=vis, iter=7)
    hook = SaliencyOverlayHook(interval=2, max_samples=2, scale=2)
    batch, outputs = _batch(3)
    for batch_idx in range(3):  # batches 0 and 2 are drawn
        hook.after_val_iter(runner, batch_idx, batch, outputs)
    pngs = sorted(glob.glob(str(tmp_path / 'vis_data' / 'vis_image' / '*')))
    assert [osp.basename(p) for p in pngs
            ] == ['saliency_val_0_0_7.png', 'saliency_val_1_0_7.png']
    image = cv2.imread(pngs[0])
    assert image.shape == (64, 3 * 64 + 2 * GAP, 3)
    vis.close()
    events = glob.glob(
        str(tmp_path / 'vis_data' / '**' / 'events.out.tfevents.*'),
        recursive=True)
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    acc = EventAccumulator(osp.dirname(events[0]))
    acc.Reload()
    assert 'saliency_val_0_0' in acc.Tags()['images']


def test_ground_truth_from_the_batch_when_outputs_lack_it():
    images = []
    runner = SimpleNamespace(
        visualizer=SimpleNamespace(add_image=lambda name, image, step: images.
                                   append((name, image, step))),
        iter=3)
    batch, outputs = _batch(1)
    bare = outputs[0].clone()
    del bare.gt_saliency
    del bare.gt_fixations
    SaliencyOverlayHook(scale=1).after_test_iter(runner, 0, batch, [bare])
    (name, image, step), = images
    assert name == 'saliency_test_0_0' and step == 3
    expected = render_saliency_overlay(
        batch['inputs'][0][0], batch['data_samples'][0].gt_saliency.data,
        outputs[0].seg_logits.data.sigmoid(),
        batch['data_samples'][0].gt_fixations.data)
    np.testing.assert_array_equal(image, expected)
