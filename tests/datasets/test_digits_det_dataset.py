"""DigitsDetDataset: generated COCO files, the mmdet pipeline, CocoMetric."""
import copy
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from conftest import build_dataset, config_path
from mmengine.config import Config

import mmkd_transfer  # noqa: F401  (registers the datasets)
from mmkd_transfer.datasets.digit_canvas import INK_THRESHOLD
from mmkd_transfer.datasets.digits_det_dataset import (DigitsDetDataset,
                                                       ensure_digits_det)

CFG = Config.fromfile(config_path('_base_', 'datasets', 'digits_det.py'))


@pytest.fixture(scope='module')
def det_root(tmp_path_factory):
    # trailing slash, as in the config
    return ensure_digits_det(str(tmp_path_factory.mktemp('det') / 'd') + '/')


@pytest.mark.parametrize('split,count', [('train', 300), ('val', 100)])
def test_coco_json_with_pycocotools(det_root, split, count):
    from pycocotools.coco import COCO
    coco = COCO(osp.join(det_root, 'annotations', f'instances_{split}.json'))
    assert len(coco.getImgIds()) == count
    cats = coco.loadCats(coco.getCatIds())
    assert [(c['id'], c['name']) for c in cats] == [(i + 1, str(i))
                                                    for i in range(10)]
    per_image = [len(coco.getAnnIds(imgIds=i)) for i in coco.getImgIds()]
    assert min(per_image) >= 1 and max(per_image) <= 3
    used = {a['category_id'] for a in coco.loadAnns(coco.getAnnIds())}
    assert used == set(range(1, 11))
    for img_id in coco.getImgIds():
        info = coco.loadImgs(img_id)[0]
        assert (info['width'], info['height']) == (64, 64)
        img = cv2.imread(
            osp.join(det_root, 'images', split, info['file_name']),
            cv2.IMREAD_UNCHANGED)
        assert img.shape == (64, 64)
        ink = img >= INK_THRESHOLD
        covered = np.zeros_like(ink)
        boxes = []
        for ann in coco.loadAnns(coco.getAnnIds(imgIds=img_id)):
            x, y, w, h = ann['bbox']
            assert 0 <= x and 0 <= y and x + w <= 64 and y + h <= 64
            assert w >= 1 and h >= 1 and ann['area'] == w * h
            assert ann['iscrowd'] == 0
            box_ink = ink[y:y + h, x:x + w]
            # tight: ink touches all four edges of the box
            assert box_ink[0].any() and box_ink[-1].any()
            assert box_ink[:, 0].any() and box_ink[:, -1].any()
            covered[y:y + h, x:x + w] = True
            boxes.append((x, y, x + w, y + h))
        # every ink pixel lies in a box; boxes do not overlap
        assert not (ink & ~covered).any()
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1]
                        or b[3] <= a[1])


def test_dataset_from_config_through_pipeline(det_root):
    from mmdet.registry import DATASETS
    assert DATASETS.get('DigitsDetDataset') is DigitsDetDataset
    train = build_dataset(CFG.train_dataloader.dataset, det_root, 'mmdet')
    val = build_dataset(CFG.val_dataloader.dataset, det_root, 'mmdet')
    assert len(train) == 300 and len(val) == 100
    assert train.metainfo['classes'] == tuple('0123456789')
    with open(osp.join(det_root, 'annotations', 'instances_val.json')) as f:
        coco = json.load(f)
    for idx in (0, 42):
        out = val[idx]
        inputs, sample = out['inputs'], out['data_samples']
        assert inputs.shape == (3, 64, 64) and inputs.dtype == torch.uint8
        assert sample.img_id == idx + 1
        anns = [a for a in coco['annotations'] if a['image_id'] == idx + 1]
        want = torch.tensor([[x, y, x + w, y + h]
                             for x, y, w, h in (a['bbox'] for a in anns)],
                            dtype=torch.float32)
        assert torch.equal(sample.gt_instances.bboxes.tensor, want)
        assert sample.gt_instances.labels.tolist() == [
            a['category_id'] - 1 for a in anns
        ]
        assert sample.scale_factor == (1.0, 1.0)


def test_coco_metric_scores_ground_truth_as_perfect(det_root):
    from mmdet.evaluation import CocoMetric
    val = build_dataset(CFG.val_dataloader.dataset, det_root, 'mmdet')
    metric_cfg = copy.deepcopy(CFG.val_evaluator)
    metric_cfg.pop('type')
    metric_cfg['ann_file'] = osp.join(det_root, 'annotations',
                                      'instances_val.json')
    metric = CocoMetric(**metric_cfg)
    metric.dataset_meta = val.metainfo
    samples = []
    for i in range(len(val)):
        sample = val[i]['data_samples']
        gt = sample.gt_instances
        samples.append(
            dict(
                img_id=sample.img_id,
                ori_shape=sample.ori_shape,
                pred_instances=dict(
                    bboxes=gt.bboxes.tensor.clone(),
                    scores=torch.ones(len(gt)),
                    labels=gt.labels.clone())))
    metric.process({}, samples)
    result = metric.evaluate(len(val))
    assert result['coco/bbox_mAP'] == pytest.approx(1.0)
    assert result['coco/bbox_mAP_50'] == pytest.approx(1.0)
