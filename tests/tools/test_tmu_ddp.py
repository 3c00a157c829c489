"""TMU transfer trains with 2 processes (torchrun, gloo, CPU) with the
release's time-reversed second step: TMUTransferDistill averages its own
gradients before each of its two optimizer steps, so the target stays
identical on both ranks, and both steps run (two Adam steps per
iteration)."""
import math

import pytest
import torch
from conftest import config_path, load_config
from mmengine.registry import DefaultScope
from mmrazor.registry import MODELS
from self_synced_ddp_worker import torchrun

CONFIG = ('tmu',
          'tmu_convlstm_l2h32p2_src-1d-2d_1xb16-3k_moving-digits-3d-32px.py')
LOSS_KEYS = ('loss', 'distill.mem_mse')


def _tiny_config(tmp_path):
    """The shipped 32px TMU config (reversed step on) at 16x16 frames,
    hidden 8, 2 iterations of batch 2 per rank, random sources."""
    options = {
        'model.architecture.hidden_channels': 8,
        'model.input_shape': (20, 1, 16, 16),
        'train_cfg.max_iters': 2,
        'train_cfg.val_interval': 1000,
        'default_hooks.logger.interval': 1000,
        'train_dataloader.batch_size': 2,
        'train_dataloader.dataset.num_clips': 8,
        'train_dataloader.dataset.frame_size': 16,
        'train_dataloader.dataset.digit_size': 6,
    }
    for name in ('src_1d', 'src_2d'):
        options[f'model.teachers.{name}.cfg.hidden_channels'] = 8
    cfg = load_config(*CONFIG, work_dir=tmp_path / 'work', **options)
    assert cfg.model.reverse_second_step
    for seed, name in enumerate(('src_1d', 'src_2d')):
        torch.manual_seed(seed)
        with DefaultScope.overwrite_default_scope('mmrazor'):
            source = MODELS.build(cfg.model.teachers[name].cfg)
        path = tmp_path / f'{name}.pth'
        torch.save(dict(state_dict=source.state_dict()), path)
        cfg.model.teachers[name].ckpt = str(path)
    path = tmp_path / 'tiny_tmu.py'
    cfg.dump(str(path))
    return str(path)


def test_tmu_trains_on_two_processes_with_the_reversed_step(tmp_path):
    result = torchrun(
        _tiny_config(tmp_path), tmp_path, port=29643, loss_keys=LOSS_KEYS)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert 'second step does not run' not in out
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in (0, 1)]
    for rank in ranks:
        assert rank['wrapper'] == 'SelfSyncedDataParallel'
        assert rank['world_size'] == 2
        assert rank['iters'] == 2
        # the forward and the reversed step each update the target
        assert rank['optimizer_steps'] == dict(optim=4.0)
        for key, values in rank['losses'].items():
            assert len(values) == 2 and all(map(math.isfinite, values)), key
    # each rank reads other clips: its losses differ from the other's
    assert ranks[0]['losses']['loss'] != ranks[1]['losses']['loss']
    final0, final1 = ranks[0]['final'], ranks[1]['final']
    moved = [
        n for n in final0 if n.startswith('architecture.')
        and not torch.equal(final0[n], ranks[0]['initial'][n])
    ]
    assert moved
    for name in final0:
        assert torch.equal(final0[name], final1[name]), name


def test_distributed_tmu_launch_without_the_wrapper_is_refused():
    from mmengine.config import Config

    from mmkd_transfer.config_checks import ConfigError, check_model_wrapper
    cfg = Config.fromfile(config_path(*CONFIG))
    cfg.launcher = 'pytorch'
    check_model_wrapper(cfg)  # the TMU fragment sets the wrapper
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel')
    with pytest.raises(ConfigError, match='SelfSyncedDataParallel'):
        check_model_wrapper(cfg)
