"""Runs that cannot lose data: NaN losses stop, work dirs are locked, tools
report known errors in one line, generated data is written atomically."""
import json
import os
import os.path as osp
import re
import signal
import subprocess
import sys

import pytest
import torch
from conftest import REPO, config_path

from mmkd_transfer.engine.hooks.finite_loss_hook import (FiniteLossHook,
                                                         NonFiniteLossError)
from mmkd_transfer.work_dir_lock import WorkDirLock, WorkDirLockedError

sys.path.insert(0, f'{REPO}/tools')
import train as train_tool  # noqa: E402

STUDENT = ('baselines', 'student_r18w8_1xb64_digits-cls-100l.py')
ENV = dict(os.environ, PYTHONPATH=REPO)


def _one_line(err):
    message = str(err.value)
    assert '\n' not in message, message
    return message


# -- non-finite losses (item 3) ----------------------------------------------
class _Runner:
    iter = 6
    work_dir = '/nonexistent'


def test_finite_loss_hook_names_the_term_and_the_iteration():
    hook = FiniteLossHook()
    good = {
        'loss': torch.tensor(1.5),
        'student.loss_cls': torch.tensor(1.0),
        'distill.loss_kl': torch.tensor(0.5),
        'student.accuracy': torch.tensor(float('nan'))
    }  # not a loss
    hook.after_train_iter(_Runner(), 6, outputs=good)
    bad = dict(good, loss=torch.tensor(float('nan')))
    bad['distill.loss_kl'] = torch.tensor(float('inf'))
    with pytest.raises(NonFiniteLossError) as err:
        hook.after_train_iter(_Runner(), 6, outputs=bad)
    message = _one_line(err)
    assert 'non-finite loss at iteration 7: distill.loss_kl = inf;' in message
    assert 'student.loss_cls' not in message
    with pytest.raises(NonFiniteLossError, match='refusing|not saving'):
        hook.before_save_checkpoint(
            _Runner(), {
                'state_dict': {
                    'w': torch.tensor([1.0, float('nan')]),
                    'step': torch.tensor(3)
                }
            })
    hook.before_save_checkpoint(_Runner(),
                                {'state_dict': {
                                    'w': torch.ones(2)
                                }})


def test_nan_loss_stops_training_and_keeps_the_good_checkpoint(tmp_path):
    work = tmp_path / 'work'
    options = ['default_hooks.logger.interval=1000']
    train_tool.main([
        config_path(*STUDENT), '--work-dir',
        str(work), '--cfg-options', 'train_cfg.max_epochs=1'
    ] + options)
    good = (work / 'epoch_1.pth').read_bytes()
    # the same run again with a learning rate that blows the loss up
    with pytest.raises(NonFiniteLossError) as err:
        train_tool.main([
            config_path(*STUDENT), '--work-dir',
            str(work), '--cfg-options', 'train_cfg.max_epochs=1',
            'optim_wrapper.optimizer.lr=1e6'
        ] + options)
    message = _one_line(err)
    match = re.search(r'non-finite loss at iteration (\d+): (\S+) = (\S+);',
                      message)
    assert match, message
    assert 1 < int(match.group(1)) <= 22  # inside the epoch, not the end
    # mmpretrain's classifier names its only term 'loss'
    assert match.group(2) == 'loss' and match.group(3) in ('nan', 'inf')
    assert message.endswith(f'then resume from {work / "epoch_1.pth"}.')
    # the good checkpoint was not replaced by NaN weights
    assert (work / 'epoch_1.pth').read_bytes() == good
    assert (work / 'last_checkpoint').read_text() == str(work / 'epoch_1.pth')


# -- one run per work dir (item 4) -------------------------------------------
def test_second_run_in_a_locked_work_dir_is_refused(tmp_path):
    with WorkDirLock(tmp_path / 'work'):
        with pytest.raises(WorkDirLockedError) as err:
            train_tool.main(
                [config_path(*STUDENT), '--work-dir',
                 str(tmp_path / 'work')])
    message = _one_line(err)
    assert f'pid {os.getpid()} on ' in message and 'started 20' in message
    assert 'another --work-dir' in message
    assert sorted(os.listdir(tmp_path / 'work')) == ['.mmkd_train.lock']


def test_a_killed_runs_lock_does_not_stay(tmp_path):
    # the lock module imports nothing heavy: run it from its file
    holder = subprocess.Popen([
        sys.executable, '-c', 'import importlib.util, sys, time\n'
        'spec = importlib.util.spec_from_file_location("lock", '
        f'{osp.join(REPO, "mmkd_transfer", "work_dir_lock.py")!r})\n'
        'lock = importlib.util.module_from_spec(spec)\n'
        'spec.loader.exec_module(lock)\n'
        f'held = lock.WorkDirLock({str(tmp_path)!r}).acquire()\n'
        'print("locked", flush=True)\n'
        'time.sleep(600)\n'
    ],
                              stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == 'locked'
        with pytest.raises(WorkDirLockedError, match=f'pid {holder.pid} on '):
            WorkDirLock(tmp_path).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    lock = WorkDirLock(tmp_path).acquire()  # free again, no clean-up needed
    lock.release()


# -- one line, no traceback, no config dump first (item 9) -------------------
def _tool(*args, env=ENV):
    return subprocess.run(
        [sys.executable] + list(args),
        env=env,
        capture_output=True,
        text=True,
        timeout=300)


def test_tools_print_a_known_error_as_one_line(tmp_path, capsys, monkeypatch):
    import test as test_tool

    from mmkd_transfer.checkpoint_io import CheckpointError
    from mmkd_transfer.cli import run_tool
    text_file = tmp_path / 'notes.pth'
    text_file.write_text('not a checkpoint\n')
    argv = [config_path(*STUDENT), str(text_file)]
    monkeypatch.setattr(sys, 'argv', ['tools/test.py'] + argv)
    monkeypatch.delenv('MMKD_DEBUG', raising=False)
    with pytest.raises(SystemExit) as exit_info:
        run_tool(test_tool.main, argv)
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"test.py: error: {str(text_file)!r} is not a PyTorch checkpoint (it "
        "starts with b'not a checkp', not a torch.save header): pass the "
        '.pth file written by training or by torch.save.\n')
    # --debug or MMKD_DEBUG=1: the exception itself, traceback included
    with pytest.raises(CheckpointError):
        run_tool(test_tool.main, argv + ['--debug'])
    monkeypatch.setenv('MMKD_DEBUG', '1')
    with pytest.raises(CheckpointError):
        run_tool(test_tool.main, argv)


KD = ('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py')


@pytest.mark.parametrize('algorithm',
                         ['MultiTeacherDistill', 'SingleTeacherDistill'])
def test_build_errors_come_before_the_config_dump(tmp_path, algorithm):
    # a real process: exit status, stderr, stdout as the user sees them;
    # the shipped config, and a user's config with MMRazor's own algorithm
    from mmrazor_user_configs import mmrazor_config
    cfg = tmp_path / 'typo.py'
    if algorithm == 'MultiTeacherDistill':
        cfg.write_text(f'_base_ = [{config_path(*KD)!r}]\n'
                       'model = dict(teachers=dict(teacher=dict(ckpt=None)), '
                       "distiller=dict(student_recorders=dict(fc=dict("
                       "source='head.fcc'))))\n")
    else:
        user = mmrazor_config(config_path(*KD))
        user.model.teacher_ckpt = None
        user.model.distiller.student_recorders.fc.source = 'head.fcc'
        user.dump(str(cfg))
    result = _tool(
        osp.join(REPO, 'tools', 'train.py'), str(cfg), '--work-dir',
        str(tmp_path / 'w'))
    assert result.returncode == 1, result.stderr[-3000:]
    assert 'Traceback' not in result.stderr
    error = [ln for ln in result.stderr.splitlines() if ': error: ' in ln]
    assert len(error) == 1 and '"head.fcc"' in error[0], result.stderr[-3000:]
    assert f"{algorithm}, student recorder 'fc': " in error[0]
    assert "closest names: 'head.fc'" in error[0]
    assert 'Config:' not in result.stdout + result.stderr


def test_train_tool_loads_an_mmcls_era_mmrazor_config(tmp_path):
    # MMRazor's own mmcls KD config: its mmcls:: bases resolve only once the
    # plugin's compat fixes are in, so train.main() must import the plugin
    # itself (a fresh interpreter without the import hook: nothing else
    # imports it). The config then fails at the first real problem, the
    # missing ImageNet folder, not at mmcls or at the tool's own
    # FiniteLossHook (the tool adds it after the checks).
    import mmrazor
    mmcls_kd = osp.join(
        osp.dirname(mmrazor.__file__), '.mim', 'configs', 'distill', 'mmcls',
        'kd', 'kd_logits_resnet34_resnet18_8xb32_in1k.py')
    script = tmp_path / 'no_hook.py'
    script.write_text(
        'import sys\n'
        'sys.meta_path[:] = [f for f in sys.meta_path\n'
        "                    if type(f).__name__ != 'MMRazorCompatFinder']\n"
        f'sys.path.insert(0, {osp.join(REPO, "tools")!r})\n'
        'import train\n'
        "assert 'mmkd_transfer' not in sys.modules\n"
        'train.main(sys.argv[1:])\n')
    result = _tool(
        str(script),
        mmcls_kd,
        '--work-dir',
        str(tmp_path / 'w'),
        env=dict(ENV, PIP_NO_INDEX='1'))
    assert result.returncode == 1, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last == (
        "mmkd_transfer.config_checks.ConfigError: dataset path "
        "'data/imagenet' (train_dataloader) does not exist: set "
        'train_dataloader.dataset.data_root to where the data lies (e.g. '
        '--cfg-options train_dataloader.dataset.data_root=/path/to/data).'
    ), result.stderr[-3000:]


# -- generated data sets (item 6) --------------------------------------------
def test_killed_generation_leaves_no_stale_folder(tmp_path):
    from mmkd_transfer.datasets.generated_dir import ensure_generated
    root = tmp_path / 'digits_seg'
    writer = subprocess.Popen(
        [
            sys.executable,
            '-c',
            'import importlib.util, os, time\n'
            'spec = importlib.util.spec_from_file_location("g", '
            f'{osp.join(REPO, "mmkd_transfer", "datasets", "generated_dir.py")!r})\n'  # noqa: E501
            'g = importlib.util.module_from_spec(spec)\n'
            'spec.loader.exec_module(g)\n'
            'def generate(folder):\n'
            '    open(os.path.join(folder, "half.png"), "w").close()\n'
            '    print("writing", flush=True)\n'
            '    time.sleep(600)\n'
            f'g.ensure_generated({str(root)!r}, {{"n": 1}}, generate)\n'
        ],
        stdout=subprocess.PIPE,
        text=True)
    try:
        assert writer.stdout.readline().strip() == 'writing'
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    stale = [n for n in os.listdir(tmp_path) if '.tmp-' in n]
    assert len(stale) == 1 and str(writer.pid) in stale[0]

    def generate(folder):
        with open(osp.join(folder, 'a.txt'), 'w') as f:
            f.write('done')
        return {'n': 1}

    assert ensure_generated(str(root), {'n': 1}, generate) == {'n': 1}
    assert sorted(os.listdir(tmp_path)) == ['digits_seg']
    assert json.load(open(root / 'digits_meta.json')) == {'n': 1}
