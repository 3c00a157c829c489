"""The embedded TMU transfer config builds and trains two iterations from
source checkpoints made here (a smaller copy of it: same structure, smaller
predictors and frames)."""
import math

import torch
from conftest import (TMU_SOURCES, TMU_TRANSFER_32PX, config_path,
                      loss_history, small_tmu_transfer_config, train)
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmrazor.registry import MODELS

CONFIG = TMU_TRANSFER_32PX
SOURCES = TMU_SOURCES


def test_config_builds_the_transfer_as_written():
    cfg = Config.fromfile(config_path(*CONFIG))
    for name in SOURCES:
        cfg.model.teachers[name].ckpt = None
    with DefaultScope.overwrite_default_scope('mmrazor'):
        model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'TMUTransferDistill'
    assert model.reverse_second_step  # the release's default
    assert model.student.num_sources == 2
    assert model.student.memory_mix == 'mean'  # ours, the code's default
    assert model.input_shape == (20, 1, 32, 32)
    loss = model.distiller.distill_losses['loss_mem']
    assert loss.loss_weight == 1.0
    recorders = model.distiller.teacher_recorders.recorders['memories']
    assert recorders.module_names == ['src_1d.cells.0', 'src_2d.cells.0']
    # the 3-digit target set; the sources read the target's clips
    assert cfg.train_dataloader.dataset.num_digits == 3


def test_source_checkpoints_are_where_the_source_configs_leave_them():
    # tools/train.py's default work dir is work_dirs/<config name>; the
    # last checkpoint is iter_<max_iters>.pth
    cfg = Config.fromfile(config_path(*CONFIG))
    for name, digits in zip(SOURCES, ('1d', '2d')):
        stem = f'convlstm_l2h32p2_1xb16-3k_moving-digits-{digits}-32px'
        source = Config.fromfile(config_path('tmu', stem + '.py'))
        iters = source.train_cfg.max_iters
        assert iters % source.default_hooks.checkpoint.interval == 0
        assert cfg.model.teachers[name].ckpt == \
            f'work_dirs/{stem}/iter_{iters}.pth'
        # the source's predictor is the target's, apart from the TMU cell
        want = {
            k: v
            for k, v in source.model.items() if k != 'data_preprocessor'
        }
        assert cfg.model.teachers[name].cfg == want
        assert source.train_dataloader.dataset.num_digits == int(digits[0])


def test_config_trains_two_iterations_from_source_checkpoints(tmp_path):
    cfg, checkpoints = small_tmu_transfer_config(tmp_path)
    runner = train(cfg)
    assert runner.iter == 2
    losses = loss_history(runner)
    assert len(losses) == 2 and all(map(math.isfinite, losses))
    memory = loss_history(runner, 'distill.mem_mse')
    assert len(memory) == 2 and all(v > 0 for v in memory)
    model = runner.model
    # the sources hold their checkpoints, untouched by two training steps
    for name in SOURCES:
        state = model.teachers[name].state_dict()
        for key, value in checkpoints[name].items():
            assert torch.equal(state[key], value), (name, key)
    # one mask per iteration, shared by the forward and the reversed step
    assert int(model.student.sampling_iteration) == 2
