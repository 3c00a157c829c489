"""Shared fixtures: configs, a tiny trained checkpoint, determinism."""
import os
import os.path as osp

import pytest

import mmkd_transfer  # noqa: F401  (compat fixes + registration first)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO, 'configs')


def config_path(*parts):
    return osp.join(CONFIGS, *parts)


@pytest.fixture(autouse=True)
def _chdir_to_tmp(tmp_path, monkeypatch):
    """Each test runs in its own folder: work_dirs and data never collide."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope='session')
def runner_checkpoint(tmp_path_factory):
    """A real runner checkpoint: the digits student trained for 1 epoch."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    work = tmp_path_factory.mktemp('runner_ckpt')
    cfg = Config.fromfile(
        config_path('kd', 'student_r18w8_1xb64_digits-cls-100l.py'))
    cfg.work_dir = str(work)
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.logger.interval = 100
    cfg.experiment_name = 'runner_ckpt'
    cwd = os.getcwd()
    os.chdir(work)
    try:
        Runner.from_cfg(cfg).train()
    finally:
        os.chdir(cwd)
    return work / 'epoch_1.pth'
