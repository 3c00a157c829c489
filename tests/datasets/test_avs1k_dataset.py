"""AVS1K loader (the data set of SKD; Li, Fu, Zhao, Ge; IEEE TIP 2020) on a
tiny fake tree, and the saliency-map checks shared by the saliency sets."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmrazor.registry import DATASETS

from mmkd_transfer.datasets import AVS1KDataset
from mmkd_transfer.datasets.saliency_maps import (check_saliency_map,
                                                  peak_fixations,
                                                  resize_fixations)

H, W = 6, 8


def _frame(clip, t):
    rng = np.random.RandomState([len(clip), t])
    return rng.randint(0, 256, size=(H, W, 3)).astype(np.uint8)


def _map(t):
    density = np.zeros((H, W), np.uint8)
    density[1 + t % 3, 2 + t] = 200
    density[4, 6] = 90  # below half the peak: no fixation
    return density


def _write_clip(root,
                clip,
                num_frames,
                split='trainSet',
                fixations=False,
                map_of=_map):
    for kind in ('Frame', 'Ground') + (('Fixation', ) if fixations else ()):
        os.makedirs(osp.join(root, split, kind, clip))
    for t in range(num_frames):
        name = f'{clip}_{t + 1:05d}'
        cv2.imwrite(
            osp.join(root, split, 'Frame', clip, name + '.png'),
            _frame(clip, t))
        density = map_of(t)
        if density.dtype == np.uint8:
            cv2.imwrite(
                osp.join(root, split, 'Ground', clip, name + '.png'), density)
        else:
            np.save(
                osp.join(root, split, 'Ground', clip, name + '.npy'), density)
        if fixations:
            fix = np.zeros((H, W), np.uint8)
            fix[0, t] = 255
            cv2.imwrite(
                osp.join(root, split, 'Fixation', clip, name + '.png'), fix)


def _windows(ds):
    """(clip, first frame) of every item."""
    metas = [ds[i]['data_samples'].metainfo for i in range(len(ds))]
    return [(m['clip_id'], m['frame_index']) for m in metas]


@pytest.fixture
def avs1k(tmp_path):
    root = str(tmp_path / 'AVS1K')
    _write_clip(root, 'clipA', 3)
    _write_clip(root, 'clipB', 2, fixations=True)
    _write_clip(root, 'clipC', 2, split='validSet')
    return root


def test_items_are_windows_of_each_clip(avs1k):
    ds = DATASETS.build(dict(type='AVS1KDataset', data_root=avs1k, clip_len=2))
    assert _windows(ds) == [('clipA', 0), ('clipA', 1), ('clipB', 0)]
    item = ds[1]
    inputs, sample = item['inputs'], item['data_samples']
    assert inputs.shape == (2, 3, H, W) and inputs.dtype == torch.uint8
    # frame t first, BGR as written
    for k in range(2):
        np.testing.assert_array_equal(inputs[k].permute(1, 2, 0).numpy(),
                                      _frame('clipA', 1 + k))
    gt = sample.gt_saliency.data
    assert gt.shape == (1, H, W) and gt.dtype == torch.float32
    np.testing.assert_allclose(gt[0].numpy(), _map(1) / 200.0, rtol=1e-6)
    assert torch.equal(sample.gt_sem_seg.data, gt)
    # no fixation folder: the peaks >= half the maximum
    fix = sample.gt_fixations.data[0].numpy()
    assert fix.dtype == np.uint8 and list(zip(*np.nonzero(fix))) == [(2, 3)]
    assert sample.metainfo['clip_id'] == 'clipA'
    assert sample.metainfo['frame_index'] == 1
    assert sample.metainfo['ori_shape'] == (H, W)

    # clipB ships its fixations
    fix_b = ds[2]['data_samples'].gt_fixations.data[0].numpy()
    assert list(zip(*np.nonzero(fix_b))) == [(0, 0)]


def test_splits_stride_and_clip_selection(avs1k):
    val = AVS1KDataset(avs1k, split='val')
    assert _windows(val) == [('clipC', 0)]
    ds = AVS1KDataset(avs1k, clip_len=1, stride=2, clips=['clipA'])
    assert _windows(ds) == [('clipA', 0), ('clipA', 2)]
    assert ds[1]['inputs'].shape == (1, 3, H, W)


def test_frame_size_resizes_frames_maps_and_fixations(avs1k):
    ds = AVS1KDataset(avs1k, frame_size=(12, 16), clips=['clipB'])
    item = ds[0]
    assert item['inputs'].shape == (2, 3, 12, 16)
    gt = item['data_samples'].gt_saliency.data
    assert gt.shape == (1, 12, 16) and float(gt.max()) == 1.0
    fix = item['data_samples'].gt_fixations.data[0].numpy()
    assert list(zip(*np.nonzero(fix))) == [(0, 0)]


def test_clip_too_short_fails_when_built(avs1k):
    with pytest.raises(
            ValueError,
            match='clipB has 2 frames, fewer than '
            'clip_len=3; lower clip_len'):
        AVS1KDataset(avs1k, clip_len=3)


@pytest.mark.parametrize('bad, message', [
    (-0.5, 'negative values'),
    (0.0, 'all zero'),
    (np.nan, 'NaN or infinite'),
])
def test_map_that_is_not_a_density_fails_when_built(tmp_path, bad, message):
    root = str(tmp_path / 'AVS1K')

    def map_of(t):
        density = np.full((H, W), 0.5 if t == 0 else bad)
        if bad == 0.0:
            density[:] = 0.0 if t == 1 else 0.5
        return density

    _write_clip(root, 'clipA', 3, map_of=map_of)
    with pytest.raises(ValueError, match=message) as info:
        AVS1KDataset(root, clip_len=2)
    assert 'clipA_00002.npy' in str(info.value)
    assert '\n' not in str(info.value)
    # check_maps=False defers the check to reading the item
    ds = AVS1KDataset(root, clip_len=2, check_maps=False)
    ds[0]
    with pytest.raises(ValueError, match=message):
        ds[1]


def test_missing_files_name_what_to_fix(tmp_path, avs1k):
    with pytest.raises(FileNotFoundError, match='set data_root'):
        AVS1KDataset(str(tmp_path / 'nowhere'))
    os.remove(
        osp.join(avs1k, 'trainSet', 'Ground', 'clipA', 'clipA_00002.png'))
    with pytest.raises(
            FileNotFoundError,
            match='no saliency map for frame clipA/clipA_00002'):
        AVS1KDataset(avs1k)
    with pytest.raises(ValueError, match="split must be one of"):
        AVS1KDataset(avs1k, split='training')


# ------------------------------------------------------------ map helpers
def test_check_saliency_map_normalises_by_the_maximum():
    out = check_saliency_map(np.array([[0, 2], [4, 1]], np.uint8), 'm')
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0, 0.5], [1, 0.25]])


def test_peak_fixations_and_resize_fixations():
    density = np.array([[0, 1, 0, 0], [0, 0, 0, 3], [0, 2, 0, 0]], np.float32)
    # peaks: 3 at (1, 3), 2 at (2, 1); 1 at (0, 1) is below 0.5 * 3
    assert list(zip(*np.nonzero(peak_fixations(density)))) == [(1, 3), (2, 1)]
    assert list(zip(*np.nonzero(peak_fixations(density, 0.2)))) == [(0, 1),
                                                                    (1, 3),
                                                                    (2, 1)]
    fix = np.zeros((4, 4), np.uint8)
    fix[1, 3] = fix[3, 0] = 1
    out = resize_fixations(fix, (8, 2))
    assert list(zip(*np.nonzero(out))) == [(2, 1), (6, 0)]
