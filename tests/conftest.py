"""Shared fixtures and helpers: configs, tiny trained checkpoints, datasets,
determinism."""
import copy
import importlib
import importlib.util
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


# DefaultScope instances that existed when the session started
_SESSION_SCOPES = set()


@pytest.fixture(autouse=True)
def _isolate_default_scope():
    """A Runner leaves its default scope (e.g. 'mmdet') behind as the current
    DefaultScope; later tests that build by bare names must not see it.

    Compared with the start of the session, not of the test: session and
    module fixtures that train a Runner are set up before this fixture.
    """
    from mmengine.registry import DefaultScope
    yield
    for name in set(DefaultScope._instance_dict) - _SESSION_SCOPES:
        DefaultScope._instance_dict.pop(name, None)


def pytest_configure(config):
    from mmengine.registry import DefaultScope
    _SESSION_SCOPES.update(DefaultScope._instance_dict)
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


def loss_falls(history, k=5):
    """Whether the mean of the last ``k`` values of ``history`` is below the
    mean of the first ``k``; returns ``(falls, (first, last))``."""
    first = sum(history[:k]) / k
    last = sum(history[-k:]) / k
    return last < first, (first, last)


# A ConvLSTM-family predictor small enough for a unit test: one channel,
# patch 2, two hidden-4 layers, 3 frames in (the TMU/predictor tests).
TINY_PREDICTOR = dict(
    in_channels=1,
    hidden_channels=4,
    num_layers=2,
    filter_size=3,
    patch_size=2,
    input_frames=3)


def tiny_predictor(kind='ConvLSTMPredictor', pred_frames=2, **kwargs):
    """A seeded :data:`TINY_PREDICTOR` of type ``kind`` (kwargs override)."""
    import torch
    from mmrazor.registry import MODELS
    cfg = dict(TINY_PREDICTOR, type=kind, pred_frames=pred_frames)
    cfg.update(kwargs)
    torch.manual_seed(0)
    return MODELS.build(cfg)


def tiny_clips(n=2, t=5, size=8, seed=1):
    """Seeded random clips in [0, 1), (n, t, 1, size, size)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, t, 1, size, size, generator=g)


TMU_TRANSFER_32PX = (
    'tmu', 'tmu_convlstm_l2h32p2_src-1d-2d_1xb16-3k_moving-digits-3d-32px.py')
TMU_SOURCES = ('src_1d', 'src_2d')


def small_tmu_transfer_config(tmp_path, **extra):
    """The 32px TMU transfer config at 16x16 frames and hidden 8 (2
    iterations of batch 2), its sources random and saved under
    ``tmp_path`` (seeds 0 and 1); returns (cfg, {source: state_dict})."""
    import torch
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS
    options = {
        'model.architecture.hidden_channels': 8,
        'model.input_shape': (20, 1, 16, 16),
        'train_cfg.max_iters': 2,
        'train_cfg.val_interval': 2,
        'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.num_clips': 4,
        'train_dataloader.dataset.frame_size': 16,
        'train_dataloader.dataset.digit_size': 6,
        'val_dataloader.batch_size': 2,
        'val_dataloader.dataset.num_clips': 2,
        'val_dataloader.dataset.frame_size': 16,
        'val_dataloader.dataset.digit_size': 6,
    }
    for name in TMU_SOURCES:
        options[f'model.teachers.{name}.cfg.hidden_channels'] = 8
    options.update(extra)
    cfg = load_config(
        *TMU_TRANSFER_32PX, work_dir=tmp_path / 'work', **options)
    states = {}
    for seed, name in enumerate(TMU_SOURCES):
        torch.manual_seed(seed)
        with DefaultScope.overwrite_default_scope('mmrazor'):
            source = MODELS.build(cfg.model.teachers[name].cfg)
        path = tmp_path / f'{name}.pth'
        torch.save(dict(state_dict=source.state_dict()), path)
        states[name] = source.state_dict()
        cfg.model.teachers[name].ckpt = str(path)
    return cfg, states


# Checkpoints trained once per session: {folder: (baseline config, epochs)}
TRAINED_BASELINES = dict(
    digits_teacher=('teacher_r18w32_1xb64_digits-cls.py', 2),
    runner_ckpt=('student_r18w8_1xb64_digits-cls-100l.py', 1))


def _trained_checkpoint(tmp_path_factory, name):
    """Train ``TRAINED_BASELINES[name]``; its last checkpoint."""
    baseline, epochs = TRAINED_BASELINES[name]
    work = tmp_path_factory.mktemp(name)
    cfg = load_config(
        'baselines',
        baseline,
        work_dir=work,
        **{'train_cfg.max_epochs': epochs})
    train(cfg)
    return work / f'epoch_{epochs}.pth'


@pytest.fixture(scope='session')
def digits_teacher_checkpoint(tmp_path_factory):
    """The digits classification teacher trained for 2 epochs (~98% val)."""
    return _trained_checkpoint(tmp_path_factory, 'digits_teacher')


@pytest.fixture(scope='session')
def runner_checkpoint(tmp_path_factory):
    """A real runner checkpoint: the digits student trained for 1 epoch."""
    return _trained_checkpoint(tmp_path_factory, 'runner_ckpt')


def load_tool(name):
    """The module of ``tools/<name>.py``, loaded by path (a plain
    ``import test`` could find the standard library's)."""
    spec = importlib.util.spec_from_file_location(
        f'tool_{name}', osp.join(REPO, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_dataset(cfg_dict, data_root, scope):
    """Build a dataset config of ``scope`` (e.g. 'mmdet') on ``data_root``."""
    from mmengine.registry import DefaultScope
    registry = importlib.import_module(f'{scope}.registry')
    cfg_dict = copy.deepcopy(cfg_dict)
    cfg_dict.data_root = data_root
    with DefaultScope.overwrite_default_scope(scope):
        return registry.DATASETS.build(cfg_dict)
