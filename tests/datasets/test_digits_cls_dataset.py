"""DigitsClsDataset built from its base config through mmpretrain."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

import mmkd_transfer  # noqa: F401  (registers the datasets)
from mmkd_transfer.datasets import digits_source as src
from mmkd_transfer.datasets.digits_cls_dataset import (UNLABELLED,
                                                       DigitsClsDataset)

CFG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets',
    'digits_cls.py')


@pytest.fixture(scope='module')
def cfg():
    return Config.fromfile(CFG)


def build(cfg_dict, **overrides):
    from mmpretrain.registry import DATASETS
    cfg_dict = copy.deepcopy(cfg_dict)
    cfg_dict.update(overrides)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return DATASETS.build(cfg_dict)


def test_registered_in_mmpretrain():
    from mmpretrain.registry import DATASETS
    assert DATASETS.get('DigitsClsDataset') is DigitsClsDataset


def test_val_from_config_through_pipeline(cfg):
    dataset = build(cfg.val_dataloader.dataset)
    assert len(dataset) == 397
    assert dataset.metainfo['classes'] == tuple('0123456789')
    raw, labels = src.load_split('val')
    for i in (0, 200, 396):
        out = dataset[i]
        inputs, sample = out['inputs'], out['data_samples']
        assert inputs.shape == (3, 8, 8) and inputs.dtype == torch.uint8
        expected = np.rint(raw[i] * 255 / 16)
        assert torch.equal(inputs[1], torch.from_numpy(expected).byte())
        assert sample.gt_label.tolist() == [labels[i]]
        assert sample.img_shape == (8, 8) and sample.ori_shape == (8, 8)
        assert sample.sample_idx == i
    assert np.array_equal(dataset.get_gt_labels(), labels)


def test_train_few_labels(cfg):
    dataset = build(cfg.train_dataloader.dataset, num_labelled=100)
    assert len(dataset) == 1400
    _, labels = src.load_split('train')
    gt = dataset.get_gt_labels()
    labelled = gt != UNLABELLED
    assert labelled.sum() == 100
    assert np.bincount(gt[labelled], minlength=10).tolist() == [10] * 10
    # labelled samples keep their true label; the subset is the seeded one
    assert np.array_equal(gt[labelled], labels[labelled])
    assert np.array_equal(
        np.flatnonzero(labelled), src.select_labelled(labels, 100, seed=0))
    # an unlabelled sample still reaches the model, with gt_label -1
    idx = int(np.flatnonzero(~labelled)[0])
    sample = dataset[idx]['data_samples']
    assert sample.gt_label.tolist() == [UNLABELLED]
    assert sample.gt_label.dtype == torch.int64


def test_fraction_and_seed(cfg):
    a = build(cfg.train_dataloader.dataset, num_labelled=0.5, label_seed=3)
    b = build(cfg.train_dataloader.dataset, num_labelled=0.5, label_seed=4)
    ga, gb = a.get_gt_labels(), b.get_gt_labels()
    assert (ga != UNLABELLED).sum() == (gb != UNLABELLED).sum() == 700
    assert not np.array_equal(ga, gb)


def test_all_labelled_by_default(cfg):
    dataset = build(cfg.train_dataloader.dataset)
    assert np.array_equal(dataset.get_gt_labels(), src.load_split('train')[1])


@pytest.mark.parametrize('size', [4, 32])
def test_img_size(cfg, size):
    dataset = build(cfg.val_dataloader.dataset, img_size=size)
    out = dataset[5]
    assert out['inputs'].shape == (3, size, size)
    assert out['data_samples'].img_shape == (size, size)
    assert torch.equal(
        out['inputs'][0],
        torch.from_numpy(
            src.to_bgr(src.load_split('val')[0][5], size)[..., 0]))


def test_bad_arguments_fail_at_build(cfg):
    with pytest.raises(ValueError, match='img_size must be an int >= 1'):
        build(cfg.val_dataloader.dataset, img_size=0)
    with pytest.raises(ValueError, match='give a count in 1..1400'):
        build(cfg.train_dataloader.dataset, num_labelled=2000)
    with pytest.raises(ValueError, match="split must be 'train' or 'val'"):
        build(cfg.val_dataloader.dataset, split='test')


def test_preprocessor_and_accuracy(cfg):
    """A batch goes through ClsDataPreprocessor; Accuracy scores it."""
    from mmpretrain.evaluation import Accuracy
    from mmpretrain.registry import MODELS
    dataset = build(cfg.val_dataloader.dataset)
    batch = pseudo_collate([dataset[i] for i in range(20)])
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        preprocessor = MODELS.build(
            dict(type='ClsDataPreprocessor', **cfg.data_preprocessor))
    data = preprocessor(batch)
    assert data['inputs'].shape == (20, 3, 8, 8)
    assert data['inputs'].dtype == torch.float32
    zero = (0 - 77.7) / 95.8
    assert data['inputs'].min().item() == pytest.approx(zero, abs=1e-4)

    metric = Accuracy(topk=(1, ))
    metric.dataset_meta = dataset.metainfo
    samples = []
    for k, sample in enumerate(data['data_samples']):
        label = int(sample.gt_label)
        guess = label if k % 4 else (label + 1) % 10  # 1 in 4 wrong
        sample.set_pred_score(torch.eye(10)[guess])
        samples.append(sample.to_dict())
    metric.process(None, samples)
    assert metric.evaluate(20) == {'accuracy/top1': pytest.approx(75.0)}
