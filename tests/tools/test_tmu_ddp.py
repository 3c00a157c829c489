"""TMU transfer trains with 2 processes (torchrun, gloo, CPU) with the
release's time-reversed second step: TMUTransferDistill averages its own
gradients before each of its two optimizer steps, so the target stays
identical on both ranks, and both steps run (two Adam steps per
iteration)."""
import pytest
from conftest import TMU_TRANSFER_32PX, config_path, small_tmu_transfer_config
from self_synced_ddp_worker import (load_identical_ranks, moved_parameters,
                                    torchrun)

LOSS_KEYS = ('loss', 'distill.mem_mse')


def _tiny_config(tmp_path):
    """The shipped 32px TMU config (reversed step on), small, with random
    sources: 2 iterations of batch 2 per rank, no validation."""
    cfg, _ = small_tmu_transfer_config(
        tmp_path, **{
            'train_cfg.val_interval': 1000,
            'train_dataloader.dataset.num_clips': 8
        })
    assert cfg.model.reverse_second_step
    path = tmp_path / 'tiny_tmu.py'
    cfg.dump(str(path))
    return str(path)


def test_tmu_trains_on_two_processes_with_the_reversed_step(tmp_path):
    result = torchrun(
        _tiny_config(tmp_path), tmp_path, port=29643, loss_keys=LOSS_KEYS)
    assert 'second step does not run' not in result.stdout + result.stderr
    ranks = load_identical_ranks(result, tmp_path, iters=2)
    for rank in ranks:
        # the forward and the reversed step each update the target
        assert rank['optimizer_steps'] == dict(optim=4.0)
    assert moved_parameters(ranks[0], 'architecture.')


def test_distributed_tmu_launch_without_the_wrapper_is_refused():
    from mmengine.config import Config

    from mmkd_transfer.config_checks import ConfigError, check_model_wrapper
    cfg = Config.fromfile(config_path(*TMU_TRANSFER_32PX))
    cfg.launcher = 'pytorch'
    check_model_wrapper(cfg)  # the TMU fragment sets the wrapper
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel')
    with pytest.raises(ConfigError, match='SelfSyncedDataParallel'):
        check_model_wrapper(cfg)
