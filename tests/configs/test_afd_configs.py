"""configs/afd (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021): every
config builds with the paper's values and without downloads; the embedded
cls/seg/det configs train, their AFD loss falls on one batch, and the
exported student holds no meta-network keys."""
import glob
import math
import os.path as osp

import pytest
import torch
from conftest import config_path
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmkd_transfer.checkpoint_io import (load_checkpoint_dict,
                                         student_checkpoint)
from mmkd_transfer.models.losses.afd_loss import AFDLoss

AFD_CONFIGS = sorted(
    osp.basename(p) for p in glob.glob(config_path('afd', '*.py')))
EMBEDDED = {
    'cls': 'afd_r18w32_r18w8_1xb64_digits-cls-50l.py',
    'seg': 'afd_fcn-r18w16_fcn-r18w8_1xb8_digits-seg.py',
    'det': 'afd_retinanet-r18w16_retinanet-r18w8_1xb8_digits-det.py',
}
STANDARD = {
    'cifar': 'afd_r34s3w32_r18s3w32_1xb64-240e_cifar100.py',
    'cub': 'afd_r34-in1k_r18_1xb64-200e_imagefolder-cub200.py',
    'cityscapes': 'afd_fcn_r50-d8_fcn_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    'coco': 'afd_retinanet_r50_retinanet_r18_fpn_1x_coco.py',
}
# (teacher, student) layers AFD matches in each distillation config
LAYERS = {
    EMBEDDED['cls']: (6, 6),
    'afd-nokd_r18w32_r18w8_1xb64_digits-cls-50l.py': (6, 6),
    EMBEDDED['seg']: (8, 8),
    EMBEDDED['det']: (11, 11),
    STANDARD['cifar']: (13, 6),
    STANDARD['cub']: (16, 8),
    STANDARD['cityscapes']: (16, 8),
    STANDARD['coco']: (21, 13),
}

# (C, H, W) the dry forward found for the embedded pairs: shape inference
# on an mmpretrain classifier, an mmseg segmentor and an mmdet detector
R18 = [(2**(i // 2), 2**(i // 2)) for i in range(8)]  # channel factors


def _blocks(width, sizes):
    return [(width * f, h, h) for (f, _), h in zip(R18, sizes)]


SHAPES = {
    # CIFAR stem, 8x8 digits: stages 1-3 at 8, 4, 2 px
    EMBEDDED['cls']:
    (_blocks(32, [8, 8, 4, 4, 2, 2]), _blocks(8, [8, 8, 4, 4, 2, 2])),
    # dilated ResNetV1c (output stride 8) on 64x64 scenes
    EMBEDDED['seg']:
    (_blocks(16, [16, 16] + [8] * 6), _blocks(8, [16, 16] + [8] * 6)),
    # ResNet-18 at strides 4..32, then FPN P3-P5 (64 channels)
    EMBEDDED['det']: (_blocks(16, [16, 16, 8, 8, 4, 4, 2, 2]) + [(64, 8, 8),
                                                                 (64, 4, 4),
                                                                 (64, 2, 2)],
                      _blocks(8, [16, 16, 8, 8, 4, 4, 2, 2]) + [(64, 8, 8),
                                                                (64, 4, 4),
                                                                (64, 2, 2)]),
}


def load(name):
    return Config.fromfile(config_path('afd', name))


def build_model(cfg):
    """Build cfg.model as the Runner would, without teacher weights."""
    from mmrazor.registry import MODELS
    model_cfg = cfg.model
    for teacher in (model_cfg.get('teachers') or {}).values():
        teacher.ckpt = None
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(model_cfg)


def walk(node, path=''):
    """Yield (path, dict) for every dict in a nested config."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f'{path}.{key}')
    elif isinstance(node, (list, tuple)):
        for idx, value in enumerate(node):
            yield from walk(value, f'{path}[{idx}]')


@pytest.fixture(autouse=True)
def _restore_default_scope():
    """A Runner makes its task's scope (mmseg, mmdet) the global default;
    tests in other files must not inherit it."""
    with DefaultScope.overwrite_default_scope('mmrazor'):
        yield


def test_all_configs_are_covered():
    assert set(EMBEDDED.values()) | set(STANDARD.values()) <= set(AFD_CONFIGS)
    assert set(LAYERS) <= set(AFD_CONFIGS)


@pytest.mark.parametrize('name', AFD_CONFIGS)
def test_config_builds_without_downloads(name):
    cfg = load(name)
    assert 'mmkd_transfer' in cfg.custom_imports['imports']
    for path, node in walk(cfg.to_dict()):
        init = node.get('init_cfg')
        inits = init if isinstance(init, list) else [init]
        assert not any(
            isinstance(i, dict) and i.get('type') == 'Pretrained'
            for i in inits), f'{name}: pretrained init_cfg at {path}'
        assert not isinstance(node.get('pretrained'), str), \
            f'{name}: pretrained weights at {path}'
        if node.get('type') in ('CIFAR10', 'CIFAR100'):
            assert node.get('download') is False, f'{name}: {path}'
    if name in LAYERS:  # the teacher checkpoint is a variable
        assert cfg.model.teachers.teacher.ckpt == cfg.teacher_ckpt
    model = build_model(cfg)
    if name not in LAYERS:  # a teacher or student trained alone
        return
    assert type(model).__name__ == 'MultiTeacherDistill'
    loss = model.distiller.distill_losses['loss_afd']
    assert isinstance(loss, AFDLoss) and loss.is_built
    num_t, num_s = LAYERS[name]
    assert len(loss.attention.t_channels) == num_t
    assert len(loss.attention.s_channels) == num_s
    if name in SHAPES:
        found = model.dry_run_shapes['loss_afd']
        assert [tuple(s[1:]) for s in found['t_features']] == SHAPES[name][0]
        assert [tuple(s[1:]) for s in found['s_features']] == SHAPES[name][1]
        # our rule on the embedded configs: d = the widest student map
        assert loss.qk_dim == max(c for c, _, _ in SHAPES[name][1])
    # the meta-network is part of the algorithm, so in the optimizer
    ids = {id(p) for p in model.parameters()}
    assert all(id(p) in ids for p in loss.attention.parameters())


def test_paper_values_cifar100():
    cfg = load(STANDARD['cifar'])
    losses = cfg.model.distiller.distill_losses
    assert losses.loss_afd == dict(
        type='AFDLoss', qk_dim=128, loss_weight=200.)
    # MMRazor's KLDivergence multiplies by tau^2 itself
    assert (losses.loss_kl.tau, losses.loss_kl.loss_weight) == (4, 0.9)
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == ('SGD', 0.05,
                                                                  0.9, 5e-4)
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.train_cfg.max_epochs == 240
    assert cfg.param_scheduler.milestones == [150, 180, 210]
    assert cfg.param_scheduler.gamma == 0.1
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.data_root == cfg.data_root
        assert cfg[key].dataset.download is False
    assert cfg.model.teachers.teacher.ckpt == cfg.teacher_ckpt


def test_transfer_and_standard_configs_use_variables():
    cub = load(STANDARD['cub'])
    assert cub.model.distiller.distill_losses.loss_afd.loss_weight == 50.
    assert cub.model.teachers.teacher.ckpt == cub.teacher_ckpt
    assert cub.train_dataloader.dataset.type == 'CustomDataset'
    for key in ('train_dataloader', 'val_dataloader'):
        assert cub[key].dataset.data_root == cub.data_root
    for name in (STANDARD['cityscapes'], STANDARD['coco']):
        cfg = load(name)
        assert cfg.model.teachers.teacher.ckpt == cfg.teacher_ckpt
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            assert cfg[key].dataset.data_root == cfg.data_root
    coco = load(STANDARD['coco'])
    assert coco.val_evaluator.ann_file.startswith(coco.data_root)


def one_batch_run_cfg(name, work_dir, steps, batch=2):
    """The config as shipped (model, optimizer), trained for ``steps``
    iterations on one fixed batch of ``batch`` training samples, no val."""
    cfg = load(name)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'afd_{name}'
    cfg.model.teachers.teacher.ckpt = None  # an untrained teacher is enough
    cfg.train_dataloader.batch_size = batch
    cfg.train_dataloader.dataset.indices = batch  # one batch per epoch
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=steps)
    cfg.param_scheduler = None  # warm-up would hide the first steps
    for key in ('val', 'test'):
        cfg[f'{key}_cfg'] = cfg[f'{key}_dataloader'] = None
        cfg[f'{key}_evaluator'] = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=steps, by_epoch=True)
    cfg.log_processor = dict(by_epoch=True, window_size=1)
    cfg.custom_hooks = [
        dict(type='mmrazor.AFDAttentionHook', interval=steps // 2)
    ]
    cfg.log_level = 'WARNING'
    return cfg


@pytest.mark.parametrize('task', ['cls', 'seg', 'det'])
def test_embedded_config_trains_and_overfits_one_batch(task, tmp_path):
    """Finite losses, L_AFD falls on a fixed batch, a heat map is written,
    the meta-network is trained and saved but not exported."""
    from mmengine.runner import Runner
    steps = 6
    torch.manual_seed(0)
    runner = Runner.from_cfg(
        one_batch_run_cfg(EMBEDDED[task], tmp_path, steps))
    runner.train()
    hub = runner.message_hub
    totals = list(hub.get_scalar('train/loss').data[0])
    afd = list(hub.get_scalar('train/distill.loss_afd').data[0])
    assert len(totals) == len(afd) == steps
    assert all(math.isfinite(v) for v in [*totals, *afd])
    assert all(v > 0 for v in afd)
    # measured: cls 87 -> 22, seg 22 -> 9.7, det 103 -> 57
    assert afd[-1] < 0.8 * afd[0], afd
    # the hook wrote a heat map through the local backend
    images = sorted(
        glob.glob(str(tmp_path / '*' / 'vis_data' / 'vis_image' / '*.png')))
    assert [osp.basename(p) for p in images] == [
        f'afd_attention_loss_afd_{steps // 2}.png',
        f'afd_attention_loss_afd_{steps}.png'
    ]
    # the meta-network was in the optimizer and is in the checkpoint ...
    model = runner.model
    meta = model.distiller.distill_losses['loss_afd'].attention
    held = {
        id(p)
        for group in runner.optim_wrapper.optimizer.param_groups
        for p in group['params']
    }
    assert all(id(p) in held for p in meta.parameters())
    ckpt = load_checkpoint_dict(tmp_path / f'epoch_{steps}.pth')
    assert any('loss_afd.attention' in k for k in ckpt['state_dict'])
    # ... but not in the exported student
    exported = student_checkpoint(ckpt)['state_dict']
    assert set(exported) == set(model.student.state_dict())
    assert not any('attention' in k or 'distiller' in k or 'teacher' in k
                   for k in exported)


def test_metafile_lists_every_afd_config():
    import yaml
    with open(config_path('afd', 'metafile.yml')) as f:
        meta = yaml.safe_load(f)
    listed = {osp.basename(m['Config']) for m in meta['Models']}
    assert {n for n in AFD_CONFIGS if n.startswith('afd')} == listed
    from conftest import REPO as repo
    for model in meta['Models']:
        paths = [model['Config']] + [
            m['Config'] for m in model.get('Metadata', {}).values()
            if isinstance(m, dict) and 'Config' in m
        ]
        for path in paths:
            if '::' not in path:
                assert osp.isfile(osp.join(repo, path)), path
