"""Shared fixtures: configs, a tiny trained checkpoint, determinism."""
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


@pytest.fixture(autouse=True)
def _isolate_default_scope():
    """A Runner leaves its default scope (e.g. 'mmdet') behind as the current
    DefaultScope; later tests that build by bare names must not see it."""
    from mmengine.registry import DefaultScope
    before = set(DefaultScope._instance_dict)
    yield
    for name in set(DefaultScope._instance_dict) - before:
        DefaultScope._instance_dict.pop(name, None)


def pytest_configure(config):
    # One intra-op thread: the suite's models are tiny, and on a shared
    # 2-core machine two threads per process wait on each other (measured
    # up to 10x slower under load).
    import torch
    torch.set_num_threads(1)


def load_config(*parts, work_dir, **options):
    """A shipped config with a work dir, quiet logging and dotted overrides."""
    from mmengine.config import Config
    cfg = Config.fromfile(config_path(*parts))
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'test_{osp.basename(str(work_dir))}'
    cfg.default_hooks.logger.interval = 1000
    cfg.merge_from_dict(options)
    return cfg


def train(cfg):
    """Build a Runner from ``cfg``, train it, return the runner."""
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def loss_history(runner, key='loss'):
    """Per-iteration values of a logged training loss."""
    return list(runner.message_hub.get_scalar(f'train/{key}').data[0])


@pytest.fixture(scope='session')
def digits_teacher_checkpoint(tmp_path_factory):
    """The digits classification teacher trained for 2 epochs (~98% val)."""
    work = tmp_path_factory.mktemp('digits_teacher')
    cfg = load_config('baselines', 'teacher_r18w32_1xb64_digits-cls.py',
                      work_dir=work, **{'train_cfg.max_epochs': 2})
    train(cfg)
    return work / 'epoch_2.pth'


@pytest.fixture(scope='session')
def runner_checkpoint(tmp_path_factory):
    """A real runner checkpoint: the digits student trained for 1 epoch."""
    work = tmp_path_factory.mktemp('runner_ckpt')
    cfg = load_config('baselines', 'student_r18w8_1xb64_digits-cls-100l.py',
                      work_dir=work, **{'train_cfg.max_epochs': 1})
    train(cfg)
    return work / 'epoch_1.pth'
