"""Checkpoints resume exactly, and the exported student predicts identically."""
import sys

import torch
from conftest import REPO, load_config, train

sys.path.insert(0, f'{REPO}/tools')
import export_student  # noqa: E402


def _state(runner):
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def test_resume_reproduces_the_uninterrupted_run(tmp_path):
    name = ('baselines', 'student_r18w8_1xb64_digits-cls-100l.py')
    straight = train(load_config(*name, work_dir=tmp_path / 'straight',
                                 **{'train_cfg.max_epochs': 2}))
    first = load_config(*name, work_dir=tmp_path / 'split',
                        **{'train_cfg.max_epochs': 2})
    # stop after epoch 1 by training a 1-epoch run into the same work dir
    first.train_cfg.max_epochs = 1
    train(first)
    resumed_cfg = load_config(*name, work_dir=tmp_path / 'split',
                              **{'train_cfg.max_epochs': 2})
    resumed_cfg.resume = True
    resumed = train(resumed_cfg)
    assert resumed.iter == straight.iter == 44
    a, b = _state(straight), _state(resumed)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def test_export_student_predicts_identically(tmp_path,
                                             digits_teacher_checkpoint):
    from mmpretrain.apis import init_model
    cfg = load_config(
        'kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py',
        work_dir=tmp_path / 'kd', **{
            'train_cfg.max_epochs': 1,
            'model.teachers.teacher.ckpt': str(digits_teacher_checkpoint)})
    runner = train(cfg)
    ckpt = tmp_path / 'kd' / 'epoch_1.pth'
    out = export_student.main([str(ckpt), '--out',
                               str(tmp_path / 'student.pth')])

    exported = torch.load(out, weights_only=True)
    keys = set(exported['state_dict'])
    assert keys and not any(k.startswith(('teacher.', 'distiller.',
                                          'architecture.')) for k in keys)
    assert exported['meta']['dataset_meta']['classes'][0] == '0'

    student_cfg = load_config('baselines',
                              'student_r18w8_1xb64_digits-cls-100l.py',
                              work_dir=tmp_path / 's')
    plain = init_model(student_cfg, out, device='cpu')
    algorithm = runner.model
    algorithm.eval()  # mmrazor's train() override returns None, not self
    torch.manual_seed(0)
    batch = torch.randn(4, 3, 8, 8)
    with torch.no_grad():
        expected = algorithm.student(batch, mode='tensor')
        got = plain(batch, mode='tensor')
    assert torch.equal(expected, got)


def test_test_tool_evaluates_a_checkpoint(tmp_path, runner_checkpoint):
    import test as test_tool
    metrics = test_tool.main([
        f'{REPO}/configs/baselines/student_r18w8_1xb64_digits-cls-100l.py',
        str(runner_checkpoint), '--work-dir', str(tmp_path)])
    assert 0.0 <= metrics['accuracy/top1'] <= 100.0


def test_afd_resume_reproduces_the_uninterrupted_run(
        tmp_path, digits_teacher_checkpoint):
    # the meta-network's weights, BN statistics and momentum come back too
    name = ('afd', 'afd_r18w32_r18w8_1xb64_digits-cls-50l.py')
    options = {
        'train_cfg.max_epochs': 2,
        'model.teachers.teacher.ckpt': str(digits_teacher_checkpoint)
    }
    straight = train(load_config(*name, work_dir=tmp_path / 'straight',
                                 **options))
    first = load_config(*name, work_dir=tmp_path / 'split', **options)
    first.train_cfg.max_epochs = 1
    train(first)
    resumed_cfg = load_config(*name, work_dir=tmp_path / 'split', **options)
    resumed_cfg.resume = True
    resumed = train(resumed_cfg)
    assert resumed.iter == straight.iter == 44
    a, b = _state(straight), _state(resumed)
    assert any('loss_afd.attention' in key for key in a)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
