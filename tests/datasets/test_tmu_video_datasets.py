"""Video-clip datasets of TMU: moving digits (embedded), the Moving MNIST
file layout and KTH-style frame folders."""
import cv2
import numpy as np
import pytest
import torch
from mmrazor.registry import DATASETS

from mmkd_transfer.datasets import (FrameFolderDataset, MovingDigitsDataset,
                                    MovingMNISTDataset)
from mmkd_transfer.datasets.digits_source import load_split, to_uint8_gray
from mmkd_transfer.datasets.moving_digits import bounce, generate_moving_digits


# ------------------------------------------------------------ moving digits
def test_bounce_reflects_at_both_walls():
    pos, vel = bounce(
        np.array([1.0, 9.0, 5.0]), np.array([-3.0, 2.0, 1.0]), 10.0)
    np.testing.assert_allclose(pos, [2.0, 9.0, 6.0])
    np.testing.assert_allclose(vel, [3.0, -2.0, 1.0])


def test_one_digit_clip_moves_a_real_digit_inside_the_canvas():
    clips = generate_moving_digits(
        4, 1, 12, frame_size=20, digit_size=8, speed=2.0, seed=3)
    assert clips.shape == (4, 12, 20, 20) and clips.dtype == np.uint8
    digits = to_uint8_gray(load_split('train')[0], 8)
    for clip in clips:
        # every frame is one 8x8 train digit pasted somewhere on black
        for frame in clip:
            found = any(frame.sum() == frame[y:y + 8, x:x + 8].sum() and (
                digits == frame[y:y + 8, x:x + 8]).all(axis=(1, 2)).any()
                        for y in range(13) for x in range(13))
            assert found
        # and it moves
        assert not np.array_equal(clip[0], clip[-1])


def test_moving_digits_are_deterministic_and_seeded():
    a = generate_moving_digits(3, 2, 6, seed=1)
    assert np.array_equal(a, generate_moving_digits(3, 2, 6, seed=1))
    assert not np.array_equal(a, generate_moving_digits(3, 2, 6, seed=2))
    assert not np.array_equal(
        a, generate_moving_digits(3, 2, 6, seed=1, split='val'))


def test_more_digits_light_more_pixels():
    lit = [(generate_moving_digits(20, k, 4, seed=0) > 0).mean()
           for k in (1, 2, 3)]
    assert lit[0] < lit[1] < lit[2]


def test_moving_digits_dataset_items():
    ds = DATASETS.build(
        dict(
            type='MovingDigitsDataset',
            num_digits=3,
            num_clips=5,
            input_frames=4,
            pred_frames=3,
            frame_size=24,
            digit_size=10,
            seed=7))
    assert isinstance(ds, MovingDigitsDataset) and len(ds) == 5
    item = ds[2]
    assert item['inputs'].shape == (7, 1, 24, 24)
    assert item['inputs'].dtype == torch.uint8
    expected = generate_moving_digits(
        5, 3, 7, frame_size=24, digit_size=10, seed=7)[2]
    assert np.array_equal(item['inputs'][:, 0].numpy(), expected)


def test_moving_digits_dataset_stores_each_clip_once():
    # mmengine pickles every data info: a view of the whole set in each
    # would make memory grow with the square of the number of clips
    ds = MovingDigitsDataset(num_clips=200, input_frames=5, pred_frames=5)
    clip_bytes = 10 * 32 * 32
    assert ds.data_bytes.nbytes < 1.2 * 200 * clip_bytes


def test_moving_digits_refuse_bad_sizes():
    with pytest.raises(ValueError, match='must be smaller than frame_size'):
        generate_moving_digits(1, 1, 2, frame_size=8, digit_size=8)
    with pytest.raises(ValueError, match='pred_frames must be an int >= 1'):
        MovingDigitsDataset(num_clips=1, pred_frames=0)


# ----------------------------------------------------------- Moving MNIST
def write_mnist(tmp_path, array):
    path = tmp_path / 'mnist_test_seq.npy'
    np.save(path, array)
    return tmp_path


def test_moving_mnist_reads_the_standard_layout(tmp_path):
    rng = np.random.RandomState(0)
    array = rng.randint(0, 256, size=(6, 3, 8, 8)).astype(np.uint8)
    root = write_mnist(tmp_path, array)
    ds = DATASETS.build(
        dict(
            type='MovingMNISTDataset',
            data_root=str(root),
            input_frames=3,
            pred_frames=2,
            clip_range=(1, 3)))
    assert isinstance(ds, MovingMNISTDataset) and len(ds) == 2
    item = ds[1]
    assert item['clip_index'] == 2
    assert item['inputs'].shape == (5, 1, 8, 8)
    assert np.array_equal(item['inputs'][:, 0].numpy(), array[:5, 2])


@pytest.mark.parametrize('array', [
    np.zeros((6, 3, 8, 8), dtype=np.float32),
    np.zeros((6, 3, 8), dtype=np.uint8),
])
def test_moving_mnist_wrong_layout_is_a_one_line_error(tmp_path, array):
    root = write_mnist(tmp_path, array)
    with pytest.raises(ValueError) as err:
        MovingMNISTDataset(data_root=str(root))
    msg = str(err.value)
    assert '\n' not in msg and '(T, N, H, W) uint8' in msg


def test_moving_mnist_short_sequences_are_a_one_line_error(tmp_path):
    root = write_mnist(tmp_path, np.zeros((6, 2, 8, 8), dtype=np.uint8))
    with pytest.raises(ValueError) as err:
        MovingMNISTDataset(data_root=str(root), input_frames=4, pred_frames=3)
    msg = str(err.value)
    assert '\n' not in msg and 'has 6 frames' in msg and '= 7' in msg


def test_moving_mnist_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='set data_root/ann_file'):
        MovingMNISTDataset(data_root=str(tmp_path))


# ---------------------------------------------------------- frame folders
def write_folders(root, lengths, size=6):
    frames = {}
    for s, n in enumerate(lengths):
        folder = root / f'person0{s}_walking_d1'
        folder.mkdir(parents=True)
        for t in range(n):
            img = np.full((size, size), 10 * t + s, dtype=np.uint8)
            cv2.imwrite(str(folder / f'image_{t:04d}.png'), img)
        frames[folder.name] = n
    (root / 'readme.txt').write_text('not a folder')
    return frames


def test_frame_folders_cut_clips(tmp_path):
    write_folders(tmp_path, [7, 5])
    ds = DATASETS.build(
        dict(
            type='FrameFolderDataset',
            data_root=str(tmp_path),
            input_frames=2,
            pred_frames=1,
            stride=2))
    assert isinstance(ds, FrameFolderDataset)
    # folder 0: starts 0, 2, 4; folder 1: starts 0, 2
    assert [(d['folder'][7], d['start']) for d in
            (ds.get_data_info(i) for i in range(len(ds)))] == \
        [('0', 0), ('0', 2), ('0', 4), ('1', 0), ('1', 2)]
    item = ds[1]
    assert item['inputs'].shape == (3, 1, 6, 6)
    assert item['inputs'][:, 0, 0, 0].tolist() == [20, 30, 40]
    assert ds[3]['inputs'][:, 0, 0, 0].tolist() == [1, 11, 21]


def test_frame_folders_select_and_resize(tmp_path):
    write_folders(tmp_path, [4, 4], size=8)
    ds = FrameFolderDataset(
        data_root=str(tmp_path),
        folders=['person01_walking_d1'],
        input_frames=2,
        pred_frames=2,
        frame_size=4)
    assert len(ds) == 1
    assert ds[0]['inputs'].shape == (4, 1, 4, 4)
    assert ds[0]['inputs'][:, 0, 0, 0].tolist() == [1, 11, 21, 31]


def test_frame_folder_shorter_than_a_clip_is_a_one_line_error(tmp_path):
    write_folders(tmp_path, [7, 3])
    with pytest.raises(ValueError) as err:
        FrameFolderDataset(
            data_root=str(tmp_path), input_frames=2, pred_frames=2)
    msg = str(err.value)
    assert '\n' not in msg and 'person01_walking_d1 has 3 frames' in msg


def test_video_datasets_are_registered_in_mmrazor_and_exported():
    import mmkd_transfer.datasets as package
    for name in ('MovingDigitsDataset', 'MovingMNISTDataset',
                 'FrameFolderDataset'):
        assert DATASETS.get(name) is getattr(package, name)
        assert name in package.__all__
