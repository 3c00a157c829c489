"""The digits source: fixed split, resizing and the labelled subset."""
import hashlib
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from mmkd_transfer.datasets import digits_source as src

CLS_CFG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets',
    'digits_cls.py')
# sha256 of split_indices('val') as int64 bytes: the split must be the same
# on every machine and every run (a change moves every benchmark number).
VAL_SPLIT_SHA256 = (
    '152af2798519503c0752d9e8766a59e79cfae1b74dc6367c224ee085184ebe67')
# sha256 of to_bgr(val images, size).tobytes(): resized pixels are
# bit-identical on every machine (plain numpy arithmetic, no BLAS/OpenCV).
RESIZED_VAL_SHA256 = {
    4: '5f709cc297e2489428f32679fa16f02745ed2386790d3fed85c4a575a5c68671',
    32: '1d3a1b6081da09da9292f0faf0792a008831f6485fc0b48aebec39e5144defcb',
}


def test_split_sizes_disjoint_and_complete():
    train, val = src.split_indices('train'), src.split_indices('val')
    assert len(train) == src.NUM_TRAIN == 1400
    assert len(val) == src.NUM_VAL == 397
    assert not set(train) & set(val)
    assert sorted(np.concatenate([train, val])) == list(range(1797))
    assert list(train) == sorted(train) and list(val) == sorted(val)


def test_split_is_stratified():
    _, all_labels = src._load_all()
    _, val_labels = src.load_split('val')
    _, train_labels = src.load_split('train')
    totals = np.bincount(all_labels, minlength=10)
    val_counts = np.bincount(val_labels, minlength=10)
    expected = totals * 397 / 1797
    # largest-remainder rounding: each class within one image of its share
    assert np.all(np.abs(val_counts - expected) < 1)
    assert val_counts.sum() == 397
    assert np.array_equal(
        np.bincount(train_labels, minlength=10), totals - val_counts)


def test_split_is_fixed():
    digest = hashlib.sha256(
        src.split_indices('val').astype(np.int64).tobytes()).hexdigest()
    assert digest == VAL_SPLIT_SHA256


def test_load_split_values():
    images, labels = src.load_split('train')
    assert images.shape == (1400, 8, 8) and labels.shape == (1400, )
    assert images.min() == 0 and images.max() == 16
    assert set(labels.tolist()) == set(range(10))


@pytest.mark.parametrize('size', [1, 3, 4, 8, 16, 20, 32])
def test_to_bgr_shapes_and_matches_opencv(size):
    raw, _ = src.load_split('val')
    out = src.to_bgr(raw[:16], size)
    assert out.shape == (16, size, size, 3) and out.dtype == np.uint8
    assert out.flags.c_contiguous
    assert np.array_equal(out[..., 0], out[..., 1])
    assert np.array_equal(out[..., 0], out[..., 2])
    # same as OpenCV: bilinear up, area down (up to float32 rounding)
    interp = cv2.INTER_LINEAR if size >= 8 else cv2.INTER_AREA
    scaled = raw[:16].astype(np.float32) * (255 / 16)
    ref = np.stack(
        [cv2.resize(im, (size, size), interpolation=interp) for im in scaled])
    assert np.abs(out[..., 0].astype(np.float64) - ref).max() <= 1


@pytest.mark.parametrize('size', sorted(RESIZED_VAL_SHA256))
def test_resized_pixels_are_fixed(size):
    raw, _ = src.load_split('val')
    first = src.to_bgr(raw, size)
    assert np.array_equal(first, src.to_bgr(raw, size))
    digest = hashlib.sha256(first.tobytes()).hexdigest()
    assert digest == RESIZED_VAL_SHA256[size]


def test_native_size_is_only_rescaled():
    raw, _ = src.load_split('val')
    out = src.to_bgr(raw, 8)[..., 0]
    assert np.array_equal(out, np.rint(raw * 255 / 16).astype(np.uint8))
    assert out.max() == 255


def test_downsampling_is_antialiased():
    # a 1-px checkerboard averages to flat grey at half size
    board = (np.indices((8, 8)).sum(0) % 2) * 16.0
    assert np.array_equal(src.to_uint8_gray(board, 4), np.full((4, 4), 128))


@pytest.mark.parametrize('bad', [0, -3, 2.5, True, '8', None])
def test_bad_img_size_is_refused(bad):
    with pytest.raises(ValueError, match='img_size must be an int >= 1'):
        src.to_bgr(np.zeros((8, 8)), bad)


def test_bad_split_is_refused():
    with pytest.raises(ValueError, match="split must be 'train' or 'val'"):
        src.load_split('test')


@pytest.mark.parametrize('num,count', [(None, 1400), (100, 100), (10, 10),
                                       (0.1, 140), (1.0, 1400), (1400, 1400),
                                       (np.int64(50), 50)])
def test_select_labelled_counts_and_balance(num, count):
    _, labels = src.load_split('train')
    chosen = src.select_labelled(labels, num, seed=0)
    assert len(chosen) == count == len(set(chosen.tolist()))
    assert list(chosen) == sorted(chosen)
    per_class = np.bincount(labels[chosen], minlength=10)
    if count < 1350:  # below the smallest class times ten: exactly balanced
        assert per_class.max() - per_class.min() <= 1
        assert per_class.sum() == count


def test_select_labelled_remainder_and_scarce_classes():
    labels = np.array([0] * 3 + [1] * 50 + [2] * 50)
    chosen = src.select_labelled(labels, 30, seed=0)
    per_class = np.bincount(labels[chosen], minlength=3)
    # class 0 has only 3: the others share its unused quota
    assert per_class.tolist() in ([3, 14, 13], [3, 13, 14])
    chosen = src.select_labelled(labels, 7, seed=0)
    assert sorted(np.bincount(labels[chosen], minlength=3)) == [2, 2, 3]


def test_select_labelled_is_seeded():
    _, labels = src.load_split('train')
    a = src.select_labelled(labels, 100, seed=0)
    assert np.array_equal(a, src.select_labelled(labels, 100, seed=0))
    b = src.select_labelled(labels, 100, seed=1)
    assert not np.array_equal(a, b)
    assert len(set(a.tolist()) & set(b.tolist())) < 50


@pytest.mark.parametrize('bad,message', [
    (0, 'out of range'),
    (-5, 'out of range'),
    (1401, r'give a count in 1\.\.1400'),
    (1.5, r'must be in \(0, 1\]; pass an int for a count'),
    (0.0, r'must be in \(0, 1\]'),
    (-0.2, r'must be in \(0, 1\]'),
    (1e-5, 'leaves no label'),
    (True, 'must be None, an int count or a float fraction'),
    ('100', 'must be None, an int count or a float fraction'),
])
def test_select_labelled_refuses_bad_values(bad, message):
    _, labels = src.load_split('train')
    with pytest.raises(ValueError, match=message):
        src.select_labelled(labels, bad, seed=0)


def test_config_normalisation_matches_the_data():
    cfg = Config.fromfile(CLS_CFG)
    images = src.to_bgr(src.load_split('train')[0], 8).astype(np.float64)
    mean, std = cfg.data_preprocessor.mean, cfg.data_preprocessor.std
    assert np.allclose(mean, images.mean(), atol=0.1)
    assert np.allclose(std, images.std(), atol=0.1)
