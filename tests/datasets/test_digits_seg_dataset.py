"""DigitsSegDataset: generated files, the mmseg pipeline and IoUMetric."""
import os
import os.path as osp
import threading

import cv2
import numpy as np
import pytest
import torch
from conftest import build_dataset, config_path
from mmengine.config import Config

import mmkd_transfer  # noqa: F401  (registers the datasets)
from mmkd_transfer.datasets.digit_canvas import INK_THRESHOLD
from mmkd_transfer.datasets.digits_seg_dataset import (DigitsSegDataset,
                                                       ensure_digits_seg)
from mmkd_transfer.datasets.generated_dir import read_meta

CFG = Config.fromfile(config_path('_base_', 'datasets', 'digits_seg.py'))


@pytest.fixture(scope='module')
def seg_root(tmp_path_factory):
    return ensure_digits_seg(str(tmp_path_factory.mktemp('seg') / 'digits'))


def test_layout_and_recipe(seg_root):
    for split, count in (('train', 300), ('val', 100)):
        imgs = sorted(os.listdir(osp.join(seg_root, 'img_dir', split)))
        anns = sorted(os.listdir(osp.join(seg_root, 'ann_dir', split)))
        assert imgs == anns == [f'{i:04d}.png' for i in range(count)]
    meta = read_meta(seg_root)
    assert meta['format'] == 'digits_seg'
    assert (meta['num_train'], meta['num_val'],
            meta['canvas_size']) == (300, 100, 64)
    # no temporary folder left behind
    assert os.listdir(osp.dirname(seg_root)) == ['digits']


def test_masks_match_the_ink(seg_root):
    for split in ('train', 'val'):
        for i in (0, 7, 99):
            name = f'{i:04d}.png'
            img = cv2.imread(
                osp.join(seg_root, 'img_dir', split, name),
                cv2.IMREAD_UNCHANGED)
            seg = cv2.imread(
                osp.join(seg_root, 'ann_dir', split, name),
                cv2.IMREAD_UNCHANGED)
            assert img.shape == seg.shape == (64, 64)
            assert seg.dtype == np.uint8 and seg.max() <= 10
            assert np.array_equal(seg > 0, img >= INK_THRESHOLD)
            assert 1 <= len(np.unique(seg)) - 1 <= 3


def test_class_frequencies(seg_root):
    dataset = build_dataset(CFG.train_dataloader.dataset, seg_root, 'mmseg')
    counts = np.zeros(11, np.int64)
    for info in (dataset.get_data_info(i) for i in range(len(dataset))):
        seg = cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED)
        counts += np.bincount(seg.ravel(), minlength=11)
    # every digit class present; background is most of the canvas
    assert counts[1:].min() > 0
    assert 0.6 < counts[0] / counts.sum() < 0.95


def test_regeneration_is_skipped(seg_root):
    path = osp.join(seg_root, 'img_dir', 'val', '0000.png')
    stamp = os.stat(path).st_mtime_ns
    ensure_digits_seg(seg_root)
    assert os.stat(path).st_mtime_ns == stamp


def test_refuses_a_foreign_or_different_folder(seg_root, tmp_path):
    (tmp_path / 'mine').mkdir()
    (tmp_path / 'mine' / 'x.txt').write_text('x')
    with pytest.raises(ValueError, match='not a generated digits set'):
        ensure_digits_seg(str(tmp_path / 'mine'))
    with pytest.raises(ValueError, match='num_train=300, not 10'):
        ensure_digits_seg(seg_root, num_train=10)
    # an empty folder is filled
    (tmp_path / 'empty').mkdir()
    ensure_digits_seg(str(tmp_path / 'empty'), num_train=4, num_val=2)
    assert len(os.listdir(tmp_path / 'empty' / 'img_dir' / 'train')) == 4


def test_concurrent_generation(tmp_path):
    root = str(tmp_path / 'race')
    errors = []

    def work():
        try:
            ensure_digits_seg(root, num_train=20, num_val=5)
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert os.listdir(tmp_path) == ['race']
    assert len(os.listdir(osp.join(root, 'img_dir', 'train'))) == 20


def test_dataset_from_config_through_pipeline(seg_root):
    from mmseg.registry import DATASETS
    assert DATASETS.get('DigitsSegDataset') is DigitsSegDataset
    train = build_dataset(CFG.train_dataloader.dataset, seg_root, 'mmseg')
    val = build_dataset(CFG.val_dataloader.dataset, seg_root, 'mmseg')
    assert len(train) == 300 and len(val) == 100
    assert train.metainfo['classes'][0] == 'background'
    assert len(train.metainfo['classes']) == len(
        train.metainfo['palette']) == 11
    out = val[3]
    inputs, sample = out['inputs'], out['data_samples']
    assert inputs.shape == (3, 64, 64) and inputs.dtype == torch.uint8
    seg = sample.gt_sem_seg.data
    assert seg.shape == (1, 64, 64)
    assert torch.equal(seg[0] > 0, inputs[0] >= INK_THRESHOLD)
    assert sample.img_path.endswith(osp.join('img_dir', 'val', '0003.png'))


def test_iou_metric_on_perfect_and_wrong_predictions(seg_root):
    from mmengine.structures import PixelData
    from mmseg.evaluation import IoUMetric
    from mmseg.structures import SegDataSample
    val = build_dataset(CFG.val_dataloader.dataset, seg_root, 'mmseg')
    metric = IoUMetric(iou_metrics=['mIoU'])
    metric.dataset_meta = val.metainfo
    samples = []
    for i in range(10):
        sample = val[i]['data_samples']
        gt = sample.gt_sem_seg.data
        pred = SegDataSample(metainfo=sample.metainfo)
        pred.gt_sem_seg = sample.gt_sem_seg
        pred.pred_sem_seg = PixelData(data=gt.clone())
        samples.append(pred.to_dict())
    metric.process({}, samples)
    result = metric.evaluate(10)
    assert result['mIoU'] == pytest.approx(100.0)
    assert result['aAcc'] == pytest.approx(100.0)

    metric.results.clear()
    gts = torch.stack([s['gt_sem_seg']['data'] for s in samples])
    for sample in samples:
        sample['pred_sem_seg']['data'] = torch.zeros_like(
            sample['gt_sem_seg']['data'])
    metric.process({}, samples)
    result = metric.evaluate(10)
    # all background: background IoU = its pixel share, digits score 0,
    # classes absent from the ground truth are left out of the mean
    bg_iou = (gts == 0).float().mean().item() * 100
    present = len(torch.unique(gts))
    assert result['mIoU'] == pytest.approx(bg_iou / present, abs=0.01)
