"""torchrun (CPU, gloo) and mim launch the shipped configs end to end."""
import os
import subprocess
import sys

from conftest import REPO, config_path

STUDENT = config_path('baselines', 'student_r18w8_1xb64_digits-cls-100l.py')
KD = config_path('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py')
BIN = os.path.dirname(sys.executable)


def _run(cmd, timeout=600, **env):
    full_env = dict(
        os.environ,
        PYTHON=sys.executable,
        PATH=f'{BIN}:{os.environ["PATH"]}',
        **env)
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=full_env)
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:])
    return result


def test_dist_train_two_processes_then_resume(tmp_path):
    work = tmp_path / 'ddp'
    common = [
        '--work-dir',
        str(work), '--cfg-options', 'default_hooks.logger.interval=1000'
    ]
    _run([
        'bash', f'{REPO}/tools/dist_train.sh', STUDENT, '2', *common,
        'train_cfg.max_epochs=1'
    ],
         PORT='29611')
    assert (work / 'epoch_1.pth').exists()
    # 1,400 samples over 2 ranks of batch 64: 11 iterations per epoch
    result = _run([
        'bash', f'{REPO}/tools/dist_train.sh', STUDENT, '2', '--resume',
        *common, 'train_cfg.max_epochs=2'
    ],
                  PORT='29612')
    assert 'resumed epoch: 1, iter: 11' in result.stdout + result.stderr
    assert (work / 'epoch_2.pth').exists()


def test_mim_train_mmkd_transfer(tmp_path):
    _run([
        f'{BIN}/mim', 'train', 'mmkd_transfer',
        os.path.basename(STUDENT), '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_epochs=1',
        'default_hooks.logger.interval=1000'
    ])
    assert (tmp_path / 'epoch_1.pth').exists()


def test_mim_train_mmrazor_runs_a_plugin_kd_config(tmp_path,
                                                   digits_teacher_checkpoint):
    # mmrazor's own tools/train.py imports mmrazor before reading the
    # config: only the import hook makes this work on torch 2.
    _run([
        f'{BIN}/mim', 'train', 'mmrazor', KD, '--work-dir',
        str(tmp_path), '--cfg-options', 'train_cfg.max_epochs=1',
        'default_hooks.logger.interval=1000',
        f'model.teachers.teacher.ckpt={digits_teacher_checkpoint}'
    ])
    assert (tmp_path / 'epoch_1.pth').exists()
