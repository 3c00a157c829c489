"""MMRazor's own distillation configs build (and a few train) on this stack.

The configs come from the installed mmrazor (``mmrazor::distill/...``), never
from a copy. Teacher checkpoints and pretrained weights are switched off and
any network access fails the test, so nothing is downloaded. Configs that
cannot build for a reason outside this project are listed in
:data:`CANNOT_BUILD` with the reason (the README lists them too).
"""
import importlib.util
import math
import os
import os.path as osp
import socket

import pytest
import torch
from conftest import load_tool

import mmkd_transfer  # noqa: F401  (compat fixes first)

check_tool = load_tool('check_config')

DISTILL_DIR = osp.join(
    osp.dirname(importlib.util.find_spec('mmrazor').origin), '.mim', 'configs',
    'distill')
TASK_DIRS = ('mmcls', 'mmdet', 'mmseg')


def _shipped_configs():
    found = []
    for task in TASK_DIRS:
        for root, _, files in os.walk(osp.join(DISTILL_DIR, task)):
            found += [
                osp.relpath(osp.join(root, f), DISTILL_DIR) for f in files
                if f.endswith('.py')
            ]
    return sorted(found)


CONFIGS = _shipped_configs()
# Files that are bases of other configs, with no model of their own.
BASE_ONLY = {
    'mmcls/crd/datasets/crd_cifar10_bs16.py',
}
# Configs that cannot build for reasons outside this project:
# {config: (reason, the error it raises, a pattern of its message)}.
CANNOT_BUILD = {
    'mmcls/deit/deit-base_regnety160_pt-16xb64_in1k.py':
    ('its teacher is a timm RegNetY-160 (TIMMBackbone): needs the timm '
     'package, which this stack does not install, and downloads its weights; '
     "and MMRazor's DeiTClsHead unpacks mmcls 1.x's three backbone outputs "
     "(patch, cls, dist tokens) where mmpretrain's DistilledVisionTransformer "
     'gives two (ValueError at the first forward)', ImportError, 'timm'),
    'mmdet/cwd/cwd_fpn_frcnn_r101_frcnn_r50_1x_coco.py':
    ('its cfg_paths name mmdet 2.x files (faster_rcnn/faster_rcnn_r50_fpn_1x_'
     'coco.py, faster_rcnn_r101_fpn_2x_coco.py) that mmdet 3 renamed '
     '(faster-rcnn_...); a copy with the new names builds', FileNotFoundError,
     'faster_rcnn_r50_fpn_1x_coco.py'),
}


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any attempt to open a connection (a download) fails the test."""

    def refuse(self, address):
        raise AssertionError(f'network access to {address} during a test')

    monkeypatch.setattr(socket.socket, 'connect', refuse)


def test_all_shipped_task_configs_are_covered():
    # 20 classification, 11 detection and 1 segmentation config in 1.0.0
    counts = {
        t: sum(c.startswith(t + '/') for c in CONFIGS)
        for t in TASK_DIRS
    }
    assert counts == {'mmcls': 20, 'mmdet': 11, 'mmseg': 1}
    assert set(CANNOT_BUILD) <= set(CONFIGS)


def load(rel_path):
    # the path MMRazor users write: mmrazor::distill/<task>/...
    return check_tool.load_config(
        f'mmrazor::distill/{rel_path}', no_checkpoints=True)


@pytest.mark.parametrize('rel_path', CONFIGS)
def test_shipped_config_loads_and_builds(rel_path):
    if rel_path in CANNOT_BUILD:
        # fails, and for the documented reason (tells when that changes)
        _, error, pattern = CANNOT_BUILD[rel_path]
        with pytest.raises(error, match=pattern):
            check_tool.build_model(load(rel_path))
        return
    cfg = load(rel_path)
    if rel_path in BASE_ONLY:
        assert 'model' not in cfg and 'train_dataloader' in cfg
        return
    from mmrazor.models import BaseAlgorithm
    model = check_tool.build_model(cfg)
    assert isinstance(model, BaseAlgorithm)
    student = model.architecture
    task = check_tool.model_task(model)
    assert task == {
        'mmcls': 'classification',
        'mmdet': 'detection',
        'mmseg': 'segmentation'
    }[rel_path.split('/')[0]]
    if rel_path.startswith('mmcls/'):
        # the mmcls-era student is mmpretrain's classifier
        assert type(student).__module__.startswith('mmpretrain.')
    teacher = getattr(model, 'teacher', None)
    if teacher is not None:
        assert not any(p.requires_grad for p in teacher.parameters()) or \
            getattr(model, 'teacher_trainable', False)


# One knowledge-distillation config per task trains two iterations.
TRAINED = {
    'classification':
    'mmcls/kd/kd_logits_resnet34_resnet18_8xb32_in1k.py',
    'detection':
    'mmdet/cwd/cwd_fpn_retina_r101_retina_r50_1x_coco.py',
    'segmentation': ('mmseg/cwd/cwd_logits_pspnet_r101-d8_pspnet_r18-d8_'
                     '4xb2-80k_cityscapes-512x1024.py'),
}


@pytest.mark.parametrize('task', sorted(TRAINED))
def test_kd_config_trains_two_iterations(task):
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope
    torch.manual_seed(0)
    cfg = load(TRAINED[task])
    model = check_tool.build_model(cfg)
    if task == 'segmentation':
        # the Cityscapes preprocessor pads every image to 512x1024
        model.data_preprocessor.size = (64, 64)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    student_before = [
        p.detach().clone() for p in model.architecture.parameters()
    ]
    teacher_before = [p.detach().clone() for p in model.teacher.parameters()]
    model.train()
    distill_losses = []
    for step in range(2):
        batch = check_tool.dummy_batch(task, batch_size=2, seed=step)
        log_vars = model.train_step(batch, optim_wrapper)
        assert all(math.isfinite(float(v)) for v in log_vars.values())
        distill_losses.append({
            k: float(v)
            for k, v in log_vars.items() if k.startswith('distill.')
        })
    assert distill_losses[0], f'no distillation loss in {list(log_vars)}'
    # (a distillation loss on a 1x1 feature map can be exactly 0)
    assert sum(distill_losses[0].values()) > 0
    # the student learned, the frozen teacher did not move
    assert any(
        not torch.equal(a, b)
        for a, b in zip(student_before, model.architecture.parameters()))
    assert all(
        torch.equal(a, b)
        for a, b in zip(teacher_before, model.teacher.parameters()))


def test_mmcls_kd_config_trains_through_the_runner(tmp_path):
    """The whole mmcls-era config through mmengine's Runner; only the data
    (the embedded digits, packed by the mmcls-era ``PackClsInputs``) and the
    length change, validation included."""
    from mmengine.runner import Runner
    cfg = load(TRAINED['classification'])
    digits = dict(
        type='DigitsClsDataset',
        img_size=32,
        pipeline=[dict(type='PackClsInputs')])
    loader = dict(batch_size=4, num_workers=0, persistent_workers=False)
    cfg.train_dataloader = dict(
        loader,
        dataset=dict(digits, split='train'),
        sampler=dict(type='DefaultSampler', shuffle=True))
    cfg.val_dataloader = dict(
        loader,
        dataset=dict(digits, split='val', indices=8),
        sampler=dict(type='DefaultSampler', shuffle=False))
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=2, val_interval=2)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger.interval = 1
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    cfg.work_dir = str(tmp_path)
    cfg.randomness = dict(seed=0)
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    scalars = runner.message_hub.log_scalars
    assert math.isfinite(scalars['train/distill.loss_kl'].current())
    # SingleTeacherDistillValLoop reports the student and the teacher
    assert {'val/accuracy/top1', 'val/teacher.accuracy/top1'} <= set(scalars)
