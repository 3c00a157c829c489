"""Checkpoints resume exactly; the exported student predicts identically."""
import shutil
import sys

import pytest
import torch
from conftest import REPO, config_path, load_config, train

from mmkd_transfer.checkpoint_io import CheckpointError

sys.path.insert(0, f'{REPO}/tools')
import export_student  # noqa: E402
import train as train_tool  # noqa: E402


def _state(runner):
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def test_resume_reproduces_the_uninterrupted_run(tmp_path):
    name = ('baselines', 'student_r18w8_1xb64_digits-cls-100l.py')
    straight = train(
        load_config(
            *name,
            work_dir=tmp_path / 'straight',
            **{'train_cfg.max_epochs': 2}))
    first = load_config(
        *name, work_dir=tmp_path / 'split', **{'train_cfg.max_epochs': 2})
    # stop after epoch 1 by training a 1-epoch run into the same work dir
    first.train_cfg.max_epochs = 1
    train(first)
    resumed_cfg = load_config(
        *name, work_dir=tmp_path / 'split', **{'train_cfg.max_epochs': 2})
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
        'kd',
        'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py',
        work_dir=tmp_path / 'kd',
        **{
            'train_cfg.max_epochs': 1,
            'model.teachers.teacher.ckpt': str(digits_teacher_checkpoint)
        })
    runner = train(cfg)
    ckpt = tmp_path / 'kd' / 'epoch_1.pth'
    out = export_student.main(
        [str(ckpt), '--out', str(tmp_path / 'student.pth')])

    exported = torch.load(out, weights_only=True)
    keys = set(exported['state_dict'])
    assert keys and not any(
        k.startswith(('teacher.', 'distiller.', 'architecture.'))
        for k in keys)
    assert exported['meta']['dataset_meta']['classes'][0] == '0'

    student_cfg = load_config(
        'baselines',
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
        str(runner_checkpoint), '--work-dir',
        str(tmp_path)
    ])
    assert 0.0 <= metrics['accuracy/top1'] <= 100.0


def test_afd_resume_reproduces_the_uninterrupted_run(
        tmp_path, digits_teacher_checkpoint):
    # the meta-network's weights, BN statistics and momentum come back too
    name = ('afd', 'afd_r18w32_r18w8_1xb64_digits-cls-50l.py')
    options = {
        'train_cfg.max_epochs': 2,
        'model.teachers.teacher.ckpt': str(digits_teacher_checkpoint)
    }
    straight = train(
        load_config(*name, work_dir=tmp_path / 'straight', **options))
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


# -- reliability (issue 9) ---------------------------------------------------
STUDENT = ('baselines', 'student_r18w8_1xb64_digits-cls-100l.py')
TEACHER = ('baselines', 'teacher_r18w32_1xb64_digits-cls.py')


def _stderr_lines(capsys):
    return [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


def _one_line(err):
    message = str(err.value)
    assert '\n' not in message, message
    return message


def test_sigkill_mid_epoch_then_resume_matches_the_uninterrupted_run(tmp_path):
    """Kill -9 in the middle of epoch 2, resume with the train tool, and
    compare every tensor (weights, buffers, optimizer) with a straight run."""
    import os
    import signal
    import subprocess
    straight = train(
        load_config(
            *STUDENT,
            work_dir=tmp_path / 'straight',
            **{'train_cfg.max_epochs': 2}))
    killing_cfg = tmp_path / 'killed_mid_epoch.py'
    killing_cfg.write_text(
        f'_base_ = [{config_path(*STUDENT)!r}]\n'
        "custom_hooks = [dict(type='mmrazor.SigkillAt', epoch=1, "
        'batch_idx=10)]\n')
    script = tmp_path / 'run_and_die.py'
    script.write_text(
        'import os, signal, sys\n'
        'import torch\n'
        'torch.set_num_threads(1)  # as conftest: the same float sums\n'
        f'sys.path.insert(0, {REPO + "/tools"!r})\n'
        'import mmkd_transfer  # noqa\n'
        'from mmengine.hooks import Hook\n'
        'from mmrazor.registry import HOOKS\n'
        '@HOOKS.register_module()\n'
        'class SigkillAt(Hook):\n'
        '    def __init__(self, epoch, batch_idx):\n'
        '        self.epoch, self.batch_idx = epoch, batch_idx\n'
        '    def after_train_iter(self, runner, batch_idx, **kwargs):\n'
        '        if (runner.epoch, batch_idx) == (self.epoch,\n'
        '                                         self.batch_idx):\n'
        '            os.kill(os.getpid(), signal.SIGKILL)\n'
        'import train\n'
        'train.main(sys.argv[1:])\n')
    split = tmp_path / 'split'
    options = [
        '--cfg-options', 'train_cfg.max_epochs=2',
        'default_hooks.logger.interval=1000'
    ]
    env = dict(os.environ, PYTHONPATH=REPO)
    killed = subprocess.run(
        [
            sys.executable,
            str(script),
            str(killing_cfg), '--work-dir',
            str(split)
        ] + options,
        env=env,
        capture_output=True,
        text=True,
        timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert (split / 'epoch_1.pth').exists()
    assert not (split / 'epoch_2.pth').exists()  # died inside epoch 2

    # the dead run's work-dir lock is gone with it
    resumed = train_tool.main(
        [config_path(*STUDENT), '--work-dir',
         str(split), '--resume'] + options)
    assert resumed.iter == straight.iter == 44
    a, b = _state(straight), _state(resumed)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    opt_a = torch.load(
        tmp_path / 'straight' / 'epoch_2.pth',
        weights_only=False)['optimizer']['state']
    opt_b = torch.load(
        split / 'epoch_2.pth', weights_only=False)['optimizer']['state']
    assert opt_a.keys() == opt_b.keys()
    for index in opt_a:
        for name, value in opt_a[index].items():
            assert torch.equal(value, opt_b[index][name]), (index, name)


def test_resume_in_an_empty_work_dir_says_so(tmp_path, capsys):
    cfg = load_config(*STUDENT, work_dir=tmp_path / 'typo')
    train_tool.resolve_resume(cfg, 'auto')
    lines = _stderr_lines(capsys)
    assert len(lines) == 1, lines
    assert 'no checkpoint to resume in' in lines[0] and 'typo' in lines[0]
    assert 'training from scratch' in lines[0]
    assert cfg.resume is False and cfg.load_from is None


def test_resume_from_a_missing_path_fails_before_building(tmp_path):
    from mmkd_transfer.config_checks import ConfigError
    work = tmp_path / 'work'
    with pytest.raises(ConfigError) as err:
        train_tool.main([
            config_path(*STUDENT), '--work-dir',
            str(work), '--resume',
            str(tmp_path / 'epoch_9.pth')
        ])
    assert "--resume '" in _one_line(err) and 'epoch_9.pth' in str(err.value)
    # no Runner was built: it would have made a timestamped log folder
    assert [p.name for p in work.iterdir()] == ['.mmkd_train.lock']


def _work_dir_with_damaged_last(tmp_path, runner_checkpoint):
    work = tmp_path / 'work'
    work.mkdir()
    shutil.copy(runner_checkpoint, work / 'epoch_1.pth')
    data = open(runner_checkpoint, 'rb').read()
    (work / 'epoch_2.pth').write_bytes(data[:len(data) // 2])  # truncated
    (work / 'last_checkpoint').write_text(str(work / 'epoch_2.pth'))
    return work


def test_damaged_last_checkpoint_falls_back_to_the_intact_one(
        tmp_path, capsys, runner_checkpoint):
    work = _work_dir_with_damaged_last(tmp_path, runner_checkpoint)
    runner = train_tool.main([
        config_path(*STUDENT), '--work-dir',
        str(work), '--resume', '--cfg-options', 'train_cfg.max_epochs=1'
    ])
    warnings = [ln for ln in _stderr_lines(capsys) if 'warning' in ln]
    assert len(warnings) == 1, warnings
    assert 'epoch_2.pth' in warnings[0] and 'is damaged' in warnings[0]
    assert f'intact checkpoint {work / "epoch_1.pth"}' in warnings[0]
    assert runner.epoch == 1 and runner.iter == 22
    saved = torch.load(runner_checkpoint, weights_only=False)['state_dict']
    for key, value in _state(runner).items():
        assert torch.equal(value, saved[key]), key


def test_damaged_explicit_resume_checkpoint_is_named(tmp_path,
                                                     runner_checkpoint):
    work = _work_dir_with_damaged_last(tmp_path, runner_checkpoint)
    with pytest.raises(CheckpointError) as err:
        train_tool.main([
            config_path(*STUDENT), '--work-dir',
            str(work), '--resume',
            str(work / 'epoch_2.pth')
        ])
    message = _one_line(err)
    assert 'epoch_2.pth' in message and 'is damaged' in message


def test_resume_refuses_another_models_checkpoint(tmp_path, runner_checkpoint):
    # the student's checkpoint given to the teacher's config
    with pytest.raises(CheckpointError) as err:
        train_tool.main([
            config_path(*TEACHER), '--work-dir',
            str(tmp_path / 'w'), '--resume',
            str(runner_checkpoint)
        ])
    message = _one_line(err)
    assert 'cannot resume from a checkpoint of another model' in message
    assert 'mis-shaped' in message and 'ImageClassifier' in message


@pytest.mark.parametrize('kind, expected', [
    ('export', 'is a student exported by tools/export_student.py'),
    ('weights', 'holds weights only'),
])
def test_resume_refuses_weights_without_training_state(tmp_path,
                                                       runner_checkpoint, kind,
                                                       expected):
    state = torch.load(runner_checkpoint, weights_only=False)['state_dict']
    path = tmp_path / f'{kind}.pth'
    if kind == 'export':
        torch.save(
            dict(meta=dict(exported_by='mmkd_transfer'), state_dict=state),
            path)
    else:
        torch.save(state, path)
    with pytest.raises(CheckpointError) as err:
        train_tool.main([
            config_path(*STUDENT), '--work-dir',
            str(tmp_path / 'w'), '--resume',
            str(path)
        ])
    assert expected in _one_line(err)


# -- test.py loads strictly (item 2) -----------------------------------------
def test_test_tool_refuses_another_models_checkpoint(tmp_path,
                                                     runner_checkpoint):
    import test as test_tool
    with pytest.raises(CheckpointError) as err:
        test_tool.main([
            config_path(*TEACHER),
            str(runner_checkpoint), '--work-dir',
            str(tmp_path)
        ])
    message = _one_line(err)
    assert 'does not match the model of teacher_r18w32_1xb64_digits-cls.py' \
        in message and 'mis-shaped' in message


def test_test_tool_evaluates_the_student_of_a_distillation_checkpoint(
        tmp_path, runner_checkpoint):
    import test as test_tool
    plain = torch.load(runner_checkpoint, weights_only=False)
    distilled = {
        'architecture.' + k: v
        for k, v in plain['state_dict'].items()
    }
    distilled['teacher.head.fc.weight'] = torch.zeros(10, 4)
    path = tmp_path / 'kd_epoch_1.pth'
    torch.save(dict(meta=plain['meta'], state_dict=distilled), path)
    expected = test_tool.main([
        config_path(*STUDENT),
        str(runner_checkpoint), '--work-dir',
        str(tmp_path / 'a')
    ])
    got = test_tool.main(
        [config_path(*STUDENT),
         str(path), '--work-dir',
         str(tmp_path / 'b')])
    assert got == expected  # the trained student's numbers, not a random one's


# -- export_student.py (item 6) ----------------------------------------------
def _fake_distillation_checkpoint(tmp_path, runner_checkpoint):
    plain = torch.load(runner_checkpoint, weights_only=False)
    path = tmp_path / 'kd.pth'
    torch.save(
        dict(
            meta=plain['meta'],
            state_dict={
                'architecture.' + k: v
                for k, v in plain['state_dict'].items()
            }), path)
    return path


def test_export_refuses_to_overwrite_its_input(tmp_path, runner_checkpoint):
    path = _fake_distillation_checkpoint(tmp_path, runner_checkpoint)
    before = path.read_bytes()
    with pytest.raises(CheckpointError) as err:
        export_student.main([str(path), '--out', str(path)])
    assert 'is the input checkpoint itself' in _one_line(err)
    assert path.read_bytes() == before


def test_export_writes_atomically(tmp_path, runner_checkpoint, monkeypatch):
    path = _fake_distillation_checkpoint(tmp_path, runner_checkpoint)
    out = tmp_path / 'student.pth'
    out.write_bytes(b'previous export')

    def dies_half_way(obj, f, *args, **kwargs):
        f.write(b'PK\x03\x04 half a zip')
        raise KeyboardInterrupt  # the user pressed Ctrl-C while saving

    monkeypatch.setattr(torch, 'save', dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        export_student.main([str(path), '--out', str(out)])
    assert out.read_bytes() == b'previous export'
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'kd.pth', 'student.pth'
    ]  # no temporary file left behind
