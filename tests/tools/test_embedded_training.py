"""Every config on embedded data trains a few iterations and its loss falls."""
import math

import pytest
from conftest import load_config, loss_falls, loss_history, train


def test_digits_teacher_trains_and_loss_falls(tmp_path):
    cfg = load_config(
        'baselines',
        'teacher_r18w32_1xb64_digits-cls.py',
        work_dir=tmp_path,
        **{'train_cfg.max_epochs': 1})
    history = loss_history(train(cfg))
    assert len(history) == 22  # ceil(1400 / 64) iterations
    falls, values = loss_falls(history)
    assert falls, values


def test_digits_student_alone_trains_and_loss_falls(tmp_path):
    # ~5 labelled samples per batch: noisy, so compare epoch 1 with epoch 3
    cfg = load_config(
        'baselines',
        'student_r18w8_1xb64_digits-cls-100l.py',
        work_dir=tmp_path,
        **{'train_cfg.max_epochs': 3})
    falls, values = loss_falls(loss_history(train(cfg)), k=22)
    assert falls, values


def test_digits_kd_trains_and_both_losses_fall(tmp_path,
                                               digits_teacher_checkpoint):
    cfg = load_config(
        'kd',
        'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py',
        work_dir=tmp_path,
        **{
            'train_cfg.max_epochs': 1,
            'model.teachers.teacher.ckpt': str(digits_teacher_checkpoint)
        })
    runner = train(cfg)
    for key in ('loss', 'distill.loss_kl'):
        falls, values = loss_falls(loss_history(runner, key))
        assert falls, (key, values)
    # unlabelled samples carry no task loss, but the KD loss sees them all
    assert all(math.isfinite(v) for v in loss_history(runner, 'student.loss'))


SEG_DET = [
    ('baselines', 'teacher_fcn-r18w16_1xb8_digits-seg.py', None),
    ('baselines', 'student_fcn-r18w8_1xb8_digits-seg.py', None),
    ('baselines', 'teacher_retinanet-r18w16_1xb8_digits-det.py', None),
    ('baselines', 'student_retinanet-r18w8_1xb8_digits-det.py', None),
    ('kd', 'kd_cwd_fcn-r18w16_fcn-r18w8_1xb8_digits-seg.py',
     'distill.loss_cwd'),
    ('kd', 'kd_pkd_retinanet-r18w16_retinanet-r18w8_1xb8_digits-det.py',
     'distill.loss_pkd'),
]


@pytest.mark.parametrize(
    'folder,name,distill_key', SEG_DET, ids=[n for _, n, _ in SEG_DET])
def test_seg_det_configs_train_and_loss_falls(tmp_path, folder, name,
                                              distill_key):
    options = {
        'train_cfg.max_iters': 30,
        'train_cfg.val_interval': 1000,
        'default_hooks.checkpoint.interval': 1000
    }
    if distill_key:
        # an untrained teacher is enough to check the wiring runs and learns
        options['model.teachers.teacher.ckpt'] = None
    cfg = load_config(folder, name, work_dir=tmp_path, **options)
    runner = train(cfg)
    falls, values = loss_falls(loss_history(runner), k=8)
    assert falls, values
    if distill_key:
        assert all(math.isfinite(v) for v in loss_history(runner, distill_key))
