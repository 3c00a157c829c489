"""MultiTeacherValLoop scores the student and each teacher on its view."""
import pytest
import torch
from conftest import load_config

CONFIG = ('multi_teacher',
          'mtkd_r18w32-32px_r18w32-8px_r18w8-8px_1xb64_digits-cls-100l.py')


def _accuracy(algo, predict, loader):
    correct = total = 0
    for batch in loader:
        data = algo.data_preprocessor(batch, False)
        for out in predict(data['inputs'], data['data_samples']):
            correct += int(out.pred_label == out.gt_label)
            total += 1
    return 100.0 * correct / total


def test_val_returns_student_and_per_teacher_metrics(tmp_path):
    from mmengine.runner import Runner
    cfg = load_config(
        *CONFIG,
        work_dir=tmp_path,
        **{
            'model.teachers.t_hr.ckpt': None,
            'model.teachers.t_lr.ckpt': None,
            'val_dataloader.batch_size': 16,
        })
    cfg.val_dataloader.dataset.indices = 48
    runner = Runner.from_cfg(cfg)
    metrics = runner.val()  # mmrazor's distill loop returns None
    assert sorted(metrics) == [
        'accuracy/top1', 't_hr.accuracy/top1', 't_lr.accuracy/top1'
    ]
    algo = runner.model
    loader = runner.val_loop.dataloader
    with torch.no_grad():
        student = _accuracy(algo, lambda x, s: algo(x, s, mode='predict'),
                            loader)
        per_teacher = {
            name:
            _accuracy(
                algo,
                lambda x, s, n=name: algo.predict_teacher(n, x, s),
                loader)
            for name in ('t_hr', 't_lr')
        }
    # (Accuracy computes in float32)
    assert metrics['accuracy/top1'] == pytest.approx(student)
    for name in ('t_hr', 't_lr'):
        assert metrics[f'{name}.accuracy/top1'] == pytest.approx(
            per_teacher[name])
    # the two teachers share their config but not their weights and views
    assert algo.teacher_views['t_hr'] is None
    # frozen teachers are scored once; the cache is reused
    assert set(runner.val_loop._cache) == {'t_hr', 't_lr'}
    assert runner.val() == metrics
    assert runner.message_hub.get_scalar(
        'val/t_lr.accuracy/top1').current() == metrics['t_lr.accuracy/top1']


def test_evaluate_some_teachers_only(tmp_path):
    from mmengine.runner import Runner
    cfg = load_config(
        *CONFIG,
        work_dir=tmp_path,
        **{
            'model.teachers.t_hr.ckpt': None,
            'model.teachers.t_lr.ckpt': None,
            'val_cfg.evaluate_teachers': ['t_lr'],
        })
    cfg.val_dataloader.dataset.indices = 16
    metrics = Runner.from_cfg(cfg).val()
    assert sorted(metrics) == ['accuracy/top1', 't_lr.accuracy/top1']
    cfg.val_cfg.evaluate_teachers = ['t_xx']
    with pytest.raises(ValueError, match=r"\['t_xx'\] that are not"):
        Runner.from_cfg(cfg).val()
