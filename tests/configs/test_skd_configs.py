"""The SKD configs on the embedded aerial clips train a few iterations,
stage 1 -> stage 2 end to end (the transferred trunks stay bit-identical);
the AVS1K configs build; clips too short for the temporal view fail in one
line."""
import math

import pytest
import torch
from conftest import config_path, load_config, loss_history, train
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmrazor.registry import MODELS

TEACHER_FRAME = 'fcn-r18w16-os4_1xb16-1000i_aerial-clips-64px-frame.py'
TEACHER_PAIR = 'fcn-r18w16-os4_1xb16-1000i_aerial-clips-64px-pair.py'
STUDENT_FRAME = 'skd-s_1xb16-1000i_aerial-clips-32px-frame.py'
STUDENT_PAIR = 'skd-t_1xb16-1000i_aerial-clips-32px-pair.py'
STAGE1_FRAME = ('skd-stage1_fcn-r18w16-os4_skd-s-32px_1xb16-1000i_'
                'aerial-clips-frame.py')
STAGE1_PAIR = ('skd-stage1_fcn-r18w16-os4_skd-t-32px_1xb16-1000i_'
               'aerial-clips-pair.py')
STAGE2 = 'skd-stage2_skd-st-32px_1xb16-1000i_aerial-clips.py'
ITERS = 3


def tiny(name, work_dir, validate=False, **options):
    """``configs/skd/<name>`` for ITERS iterations on 8 clips, batch 4."""
    overrides = {
        'train_cfg.max_iters': ITERS,
        'train_cfg.val_interval': ITERS,
        'train_dataloader.batch_size': 4,
        'train_dataloader.dataset.num_clips': 8,
        'val_dataloader.batch_size': 4,
        'val_dataloader.dataset.num_clips': 4,
        'default_hooks.checkpoint.interval': ITERS,
    }
    overrides.update(options)
    cfg = load_config('skd', name, work_dir=work_dir, **overrides)
    for teacher in (cfg.model.get('teachers') or {}).values():
        teacher.ckpt = None  # the mechanics, not accuracy
    if not validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    return cfg


def trains(runner, key):
    values = loss_history(runner, key)
    assert len(values) == ITERS and all(map(math.isfinite, values)), key
    return values


@pytest.mark.parametrize('name, key', [(TEACHER_FRAME, 'decode.loss_ce'),
                                       (TEACHER_PAIR, 'decode.loss_ce'),
                                       (STUDENT_FRAME, 'loss_mse'),
                                       (STUDENT_PAIR, 'loss_mse')])
def test_teachers_and_students_alone_train(name, key, tmp_path):
    trains(train(tiny(name, tmp_path)), key)


@pytest.fixture(scope='module')
def stage1(tmp_path_factory):
    """Both stage-1 configs trained ITERS iterations: their checkpoints."""
    ckpts = {}
    for side, name in (('spatial', STAGE1_FRAME), ('temporal', STAGE1_PAIR)):
        work_dir = tmp_path_factory.mktemp(f'skd_stage1_{side}')
        runner = train(tiny(name, work_dir))
        trains(runner, 'student.loss_mse')
        trains(runner, 'distill.loss_teacher_map')
        ckpts[side] = str(work_dir / f'iter_{ITERS}.pth')
    return ckpts


def test_stage1_checkpoints_hold_the_student_trunk(stage1):
    state = torch.load(stage1['temporal'], weights_only=False)['state_dict']
    assert 'architecture.trunk.stem.layers.0.0.weight' in state
    assert any(k.startswith('teachers.temporal.') for k in state)


def test_stage2_trains_the_fusion_head_on_frozen_transferred_trunks(
        stage1, tmp_path):
    cfg = tiny(STAGE2, tmp_path)
    cfg.model.trunk_checkpoints = stage1
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    model = runner.model
    runner.train()
    trains(runner, 'loss_mse')
    after = model.state_dict()
    for side in ('spatial', 'temporal'):
        state = torch.load(stage1[side], weights_only=False)['state_dict']
        trunk = {
            k[len('architecture.trunk.'):]: v
            for k, v in state.items() if k.startswith('architecture.trunk.')
        }
        assert trunk
        for key, value in trunk.items():
            # loaded, then untouched by training (BN statistics included)
            assert torch.equal(after[f'{side}_trunk.{key}'], value), key
    assert all(p.grad is None for p in model.trunk_parameters())


def test_stage2_without_stage1_checkpoints_fails_before_training(tmp_path):
    cfg = tiny(STAGE2, tmp_path)  # the shipped paths: not trained here
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError) as err:
        runner.train()
    message = str(err.value)
    assert message.startswith('model.trunk_checkpoints.spatial: ')
    assert 'does not exist' in message and '\n' not in message
    assert runner.iter == 0


def test_a_clip_too_short_for_the_temporal_view_fails_at_build():
    cfg = Config.fromfile(config_path('skd', STAGE1_PAIR))
    cfg.model.teachers.temporal.ckpt = None
    cfg.model.input_shape = (1, 3, 64, 64)
    with DefaultScope.overwrite_default_scope('mmrazor'):
        with pytest.raises(ValueError) as err:
            MODELS.build(cfg.model)
    message = str(err.value)
    assert 'frame index 1 is outside a clip of 1 frames' in message
    assert "set the dataset's clip_len" in message and 'to >= 2' in message
    assert '\n' not in message


def test_a_clip_too_short_at_run_time_names_the_view_and_the_fix():
    # no input_shape: the views are not checked at build time, so a batch
    # of 1-frame clips reaches the temporal student's FrameView at run time
    cfg = Config.fromfile(config_path('skd', STAGE1_PAIR))
    cfg.model.teachers.temporal.ckpt = None
    cfg.model.input_shape = None
    with DefaultScope.overwrite_default_scope('mmrazor'):
        model = MODELS.build(cfg.model)
    with pytest.raises(ValueError) as err:
        model(torch.zeros(2, 1, 3, 64, 64), mode='tensor')
    message = str(err.value)
    assert message.startswith("view of 'student': FrameView: frame index 1 "
                              'is outside a clip of 1 frames')
    assert "set the dataset's clip_len" in message and 'to >= 2' in message
    assert '\n' not in message


def test_a_clip_too_short_for_a_model_alone_names_clip_len(tmp_path):
    cfg = tiny(TEACHER_PAIR, tmp_path,
               **{'train_dataloader.dataset.clip_len': 1})
    with pytest.raises(ValueError) as err:
        train(cfg)
    message = str(err.value)
    assert "set the dataset's clip_len" in message and 'to >= 2' in message
    assert 'SaliencyClipDataPreprocessor, on clips of 1 frames' in message
    # one fix, not two
    assert message.count('clip_len') == 1
    assert '\n' not in message


def write_avs1k(root, clips=2, frames=3, size=40):
    """A tiny AVS1K tree: trainSet/{Frame,Ground}/<clip>/<clip>_0000t.png."""
    import os
    import os.path as osp

    import cv2
    import numpy as np
    rng = np.random.RandomState(0)
    yy, xx = np.mgrid[:size, :size]
    for c in range(clips):
        clip = f'clip{c}'
        for kind in ('Frame', 'Ground'):
            os.makedirs(osp.join(root, 'trainSet', kind, clip))
        for t in range(frames):
            name = f'{clip}_{t + 1:05d}.png'
            frame = rng.randint(0, 256, (size, size, 3)).astype(np.uint8)
            cy, cx = 10 + 5 * t, 8 + 7 * c
            gt = np.exp(-((yy - cy)**2 + (xx - cx)**2) / 20.0)
            cv2.imwrite(osp.join(root, 'trainSet', 'Frame', clip, name), frame)
            cv2.imwrite(
                osp.join(root, 'trainSet', 'Ground', clip, name),
                (255 * gt).astype(np.uint8))


def test_avs1k_stage1_config_trains_on_a_local_tree(tmp_path):
    root = str(tmp_path / 'AVS1K')
    write_avs1k(root)
    cfg = load_config(
        'skd',
        'skd-stage1_fcn-r18w16-os4_skd-t-64px_1xb16-20k_avs1k-pair.py',
        work_dir=tmp_path / 'work',
        **{
            'train_cfg.max_iters': 2,
            'train_dataloader.batch_size': 2,
            'train_dataloader.num_workers': 0,
            'train_dataloader.persistent_workers': False,
            'train_dataloader.dataset.data_root': root,
            'default_hooks.checkpoint.interval': 2,
        })
    cfg.model.teachers.temporal.ckpt = None
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_evaluator = cfg.test_cfg = None
    runner = train(cfg)
    values = loss_history(runner, 'distill.loss_teacher_map')
    assert len(values) == 2 and all(map(math.isfinite, values))


@pytest.mark.parametrize('name, keys', [
    (STUDENT_PAIR, ['saliency/cc']),
    (STAGE1_FRAME, ['saliency/cc', 'spatial.saliency/cc']),
])
def test_validation_scores_six_measures_and_writes_overlays(
        name, keys, tmp_path):
    import glob
    cfg = tiny(name, tmp_path, validate=True)
    runner = train(cfg)
    metrics = runner.val()
    for key in keys:
        assert math.isfinite(metrics[key]), (key, metrics)
    prefix = keys[0].split('/')[0]
    assert {
        f'{prefix}/{m}'
        for m in ('auc_judd', 'sauc', 'nss', 'cc', 'sim', 'kld')
    } <= set(metrics)
    assert glob.glob(str(tmp_path / '**' / '*.png'), recursive=True)
