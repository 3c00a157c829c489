"""The TMU transfer configs of configs/tmu/: the CPU results setting
(16x16 sources, scratch, fine-tune, TMU with lambda_mem = 0 and 1) trains
two iterations each, with real source checkpoints; the paper-setting
configs carry the release's settings and read a Moving MNIST file."""
import math

import numpy as np
import pytest
import torch
from conftest import config_path, load_config, loss_history, train
from mmengine.config import Config

SOURCE_1D = 'convlstm_l2h16p2_1xb8-1500_moving-digits-1d-16px.py'
SOURCE_2D = 'convlstm_l2h16p2_1xb8-1500_moving-digits-2d-16px.py'
SCRATCH = 'convlstm_l2h16p2_1xb8-500_moving-digits-3d-16px.py'
FINETUNE = 'convlstm_l2h16p2_1xb8-500_moving-digits-2d-ft-3d-16px.py'
TMU = 'tmu_convlstm_l2h16p2_src-1d-2d_1xb8-500_moving-digits-3d-16px.py'
TMU_LAMBDA0 = TMU.replace('.py', '_lambda0.py')
PAPER_SOURCE = 'convlstm_l4h64p4_1xb8-80k_moving-mnist-2d-64px.py'
PAPER_TMU = 'tmu_convlstm_l4h64p4_src-1d-2d_1xb8-80k_moving-mnist-3d-64px.py'

# two iterations of batch 2, validated on 2 clips
TINY = {
    'train_cfg.max_iters': 2,
    'train_cfg.val_interval': 2,
    'default_hooks.checkpoint.interval': 2,
    'train_dataloader.batch_size': 2,
    'train_dataloader.dataset.num_clips': 4,
    'val_dataloader.batch_size': 2,
    'val_dataloader.dataset.num_clips': 2,
}


def _train(name, work_dir, **options):
    return train(
        load_config('tmu', name, work_dir=work_dir, **TINY, **options))


@pytest.fixture(scope='module')
def sources(tmp_path_factory):
    """The 1- and 2-digit sources trained two iterations: their checkpoints."""
    ckpts = {}
    for key, name in (('1d', SOURCE_1D), ('2d', SOURCE_2D)):
        work = tmp_path_factory.mktemp(f'source_{key}')
        runner = _train(name, work)
        assert runner.train_dataloader.dataset.num_digits == int(key[0])
        ckpts[key] = work / 'iter_2.pth'
    return ckpts


def _state(path):
    return torch.load(
        path, map_location='cpu', weights_only=True)['state_dict']


def test_scratch_target_trains_two_iterations_on_three_digits(tmp_path):
    runner = _train(SCRATCH, tmp_path)
    assert runner.train_dataloader.dataset.num_digits == 3
    assert runner.val_dataloader.dataset.num_digits == 3
    assert runner.train_dataloader.dataset.frame_size == 16
    losses = loss_history(runner)
    assert len(losses) == 2 and all(map(math.isfinite, losses))


def test_finetune_starts_from_the_source_checkpoint(tmp_path, sources):
    runner = _train(FINETUNE, tmp_path, load_from=str(sources['2d']))
    source = _state(sources['2d'])
    # the source's scheduled-sampling counter (2) went on counting
    assert int(runner.model.sampling_iteration) == 2 + 2
    # two Adam steps of lr 1e-3 move no weight far from the source's
    head = runner.model.head.weight.detach()
    assert (head - source['head.weight']).abs().max() < 5e-3
    assert not torch.equal(head, source['head.weight'])


@pytest.mark.parametrize('name,weight', [(TMU, 1.0), (TMU_LAMBDA0, 0.0)])
def test_tmu_trains_two_iterations_with_frozen_sources(tmp_path, sources, name,
                                                       weight):
    cfg = load_config('tmu', name, work_dir=tmp_path, **TINY)
    cfg.model.teachers.src_1d.ckpt = str(sources['1d'])
    cfg.model.teachers.src_2d.ckpt = str(sources['2d'])
    assert cfg.model.distiller.distill_losses.loss_mem.loss_weight == weight
    runner = train(cfg)
    losses = loss_history(runner)
    assert len(losses) == 2 and all(map(math.isfinite, losses))
    mem = loss_history(runner, 'distill.mem_mse')
    assert all(v > 0 and math.isfinite(v) for v in mem)
    weighted = loss_history(runner, 'distill.loss_mem')
    np.testing.assert_allclose(weighted, [weight * v for v in mem], rtol=1e-5)
    # the sources are frozen: still exactly their checkpoints
    model = runner.model
    for key, source in (('1d', model.teachers['src_1d']),
                        ('2d', model.teachers['src_2d'])):
        saved = _state(sources[key])
        for param_name, value in source.state_dict().items():
            if param_name != 'sampling_iteration':
                torch.testing.assert_close(value, saved[param_name])
    assert model.architecture.memory_mix == 'mean'


def test_paper_configs_carry_the_release_settings():
    source = Config.fromfile(config_path('tmu', PAPER_SOURCE))
    tmu = Config.fromfile(config_path('tmu', PAPER_TMU))
    for cfg in (source, tmu):
        assert cfg.train_dataloader.batch_size == 8
        assert cfg.train_cfg.max_iters == 80000
    predictor = tmu.model.architecture
    assert (predictor.hidden_channels, predictor.num_layers,
            predictor.patch_size, predictor.filter_size) == (64, 4, 4, 5)
    # 1 -> 0 in 50k iterations
    assert predictor.sampling_step * 50000 == pytest.approx(1.0)
    assert source.optim_wrapper.optimizer.lr == 1e-4
    assert tmu.optim_wrapper.optimizer.lr == 3e-4
    assert tmu.model.reverse_second_step is True
    assert tmu.model.input_shape == (20, 1, 64, 64)
    assert tmu.train_dataloader.dataset.ann_file == 'moving_mnist_3digit.npy'


def test_paper_dataset_reads_a_moving_mnist_file_under_data_root(tmp_path):
    from mmengine.registry import DefaultScope
    from mmrazor.registry import DATASETS
    array = np.random.RandomState(0).randint(
        0, 256, size=(20, 5, 64, 64), dtype=np.uint8)
    np.save(tmp_path / 'mnist_test_seq.npy', array)
    cfg = Config.fromfile(config_path('tmu', PAPER_SOURCE))
    dataset_cfg = cfg.val_dataloader.dataset
    dataset_cfg.data_root = str(tmp_path)
    dataset_cfg.clip_range = (3, 5)
    with DefaultScope.overwrite_default_scope('mmrazor'):
        dataset = DATASETS.build(dataset_cfg)
    assert len(dataset) == 2
    item = dataset[1]
    assert tuple(item['inputs'].shape) == (20, 1, 64, 64)
    np.testing.assert_array_equal(item['inputs'][:, 0].numpy(), array[:, 4])
