"""tools/slurm_train.sh and slurm_test.sh: syntax, and the srun line they run.

A stand-in ``srun`` on PATH records its arguments, so the tests check the
command a cluster would run without a cluster.
"""
import os
import stat
import subprocess
import sys

import pytest
from conftest import REPO, load_tool

SCRIPTS = ('slurm_train.sh', 'slurm_test.sh')


@pytest.mark.parametrize('name', SCRIPTS)
def test_script_is_executable_and_parses(name):
    path = f'{REPO}/tools/{name}'
    assert os.stat(path).st_mode & stat.S_IXUSR
    result = subprocess.run(['bash', '-n', path],
                            capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def _run_with_fake_srun(tmp_path, script, args, **env):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    record = tmp_path / 'srun_args'
    fake = bin_dir / 'srun'
    fake.write_text('#!/usr/bin/env bash\n'
                    f'printf "%s\\n" "$@" > {record}\n')
    fake.chmod(0o755)
    full_env = dict(
        os.environ,
        PATH=f'{bin_dir}:{os.environ["PATH"]}',
        PYTHON=sys.executable,
        **env)
    result = subprocess.run(['bash', f'{REPO}/tools/{script}', *args],
                            capture_output=True,
                            text=True,
                            env=full_env)
    assert result.returncode == 0, result.stderr
    return record.read_text().splitlines()


def test_slurm_train_runs_train_py_with_the_slurm_launcher(tmp_path):
    argv = _run_with_fake_srun(
        tmp_path,
        'slurm_train.sh',
        ['gpu', 'kd', 'cfg.py', 'work', '--cfg-options', 'a=1'],
        GPUS='16',
        GPUS_PER_NODE='8',
        SRUN_ARGS='--quotatype=auto')
    assert argv[:2] == ['-p', 'gpu']
    assert {
        '--job-name=kd', '--ntasks=16', '--ntasks-per-node=8', '--gres=gpu:8',
        '--quotatype=auto'
    } <= set(argv)
    tail = argv[argv.index(sys.executable):]
    assert tail == [
        sys.executable, '-u', f'{REPO}/tools/train.py', 'cfg.py',
        '--work-dir=work', '--launcher', 'slurm', '--cfg-options', 'a=1'
    ]


def test_slurm_test_runs_test_py_with_the_slurm_launcher(tmp_path):
    argv = _run_with_fake_srun(tmp_path, 'slurm_test.sh',
                               ['gpu', 'eval', 'cfg.py', 'model.pth'])
    assert '--ntasks=8' in argv  # the default GPUS
    tail = argv[argv.index(sys.executable):]
    assert tail == [
        sys.executable, '-u', f'{REPO}/tools/test.py', 'cfg.py', 'model.pth',
        '--launcher', 'slurm'
    ]


@pytest.mark.parametrize('script', SCRIPTS)
def test_missing_arguments_print_usage(script):
    result = subprocess.run(['bash', f'{REPO}/tools/{script}', 'gpu'],
                            capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert result.stderr.startswith('usage:')


def test_train_and_test_tools_accept_the_slurm_launcher():
    train_args = load_tool('train').parse_args(
        ['cfg.py', '--launcher', 'slurm'])
    test_args = load_tool('test').parse_args(
        ['cfg.py', 'm.pth', '--launcher', 'slurm'])
    assert train_args.launcher == test_args.launcher == 'slurm'
