"""The TMU feature-adapter digits config: it trains (memory losses of both
sources logged), its exported student has the adapter and no source and
predicts without them, a source of the wrong width fails at build time,
and make demo's row maps both sources."""
import math
import os.path as osp
import sys

import pytest
import torch
from conftest import (CONFIGS, REPO, config_path, load_config, loss_history,
                      train)
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmrazor.registry import MODELS

from mmkd_transfer.apis.comparison import check_rows
from mmkd_transfer.apis.comparison_spec import (load_spec,
                                                set_teacher_checkpoints)

CONFIG = ('tmu',
          'tmu-adapter_r18w32-8px-4px_r18w8-4px_1xb64_digits-cls-100l.py')
SOURCES = ('digits', 'digits_4px')


@pytest.fixture(scope='module')
def two_iterations(tmp_path_factory):
    """Two iterations (128 of the training images, batch 64) with random
    sources: the mechanics, not accuracy. (runner, work dir)."""
    work_dir = tmp_path_factory.mktemp('tmu_adapter')
    cfg = load_config(
        *CONFIG,
        work_dir=work_dir,
        **{
            'train_cfg.max_epochs': 1,
            **{
                f'model.teachers.{name}.ckpt': None
                for name in SOURCES
            }
        })
    cfg.train_dataloader.dataset.indices = 128
    cfg.val_dataloader.dataset.indices = 64
    return train(cfg), work_dir


def test_config_trains_two_iterations(two_iterations):
    runner, _ = two_iterations
    assert runner.iter == 2
    for key in ('distill.loss_mem_digits', 'distill.loss_mem_digits_4px',
                'student.loss'):
        values = loss_history(runner, key)
        assert len(values) == 2 and all(map(math.isfinite, values)), key
    algorithm = runner.model
    # the adapter is the student's and trained with it; sources are frozen
    adapter = algorithm.student.tmu_adapter
    assert adapter.source_channels == [64, 64] and adapter.in_channels == 16
    assert all(p.requires_grad for p in adapter.parameters())
    assert not any(p.requires_grad for p in algorithm.teachers.parameters())
    shapes = algorithm.dry_run_shapes['loss_mem_digits']
    assert tuple(shapes['s_feature']) == (2, 64, 2, 2)
    assert tuple(shapes['t_feature']) == (2, 64, 4, 4)  # 8x8 source
    assert tuple(
        algorithm.dry_run_shapes['loss_mem_digits_4px']['t_feature']) == (2,
                                                                          64,
                                                                          2, 2)


def test_exported_student_has_the_adapter_and_runs_without_sources(
        two_iterations, tmp_path):
    sys.path.insert(0, f'{REPO}/tools')
    import export_student
    from mmpretrain.apis import init_model
    runner, work_dir = two_iterations
    out = export_student.main([
        str(work_dir / 'epoch_1.pth'), '--out',
        str(tmp_path / 'student.pth')
    ])
    keys = set(torch.load(out, weights_only=True)['state_dict'])
    assert any(k.startswith('tmu_adapter.distillers.1.') for k in keys)
    assert not any(
        k.startswith(SOURCES + ('teachers.', 'distiller.', 'architecture.'))
        for k in keys)
    # the student's own config: the algorithm's architecture, as it is
    cfg = Config.fromfile(config_path(*CONFIG))
    cfg.model = cfg.model.architecture
    student = init_model(cfg, out, device='cpu')
    assert not hasattr(student, 'teachers')
    algorithm = runner.model
    algorithm.eval()
    torch.manual_seed(0)
    batch = torch.randn(4, 3, 4, 4)
    with torch.no_grad():
        expected = algorithm.student(batch, mode='tensor')
        got = student(batch, mode='tensor')
    assert torch.equal(expected, got)


def test_source_of_another_width_fails_at_build_time():
    cfg = Config.fromfile(config_path(*CONFIG))
    model = cfg.model
    model.architecture.adapter.source_channels = [64, 32]
    for name in SOURCES:
        model.teachers[name].ckpt = None
    model.data_preprocessor = cfg.data_preprocessor
    with DefaultScope.overwrite_default_scope('mmpretrain'), \
            pytest.raises(ValueError,
                          match=r'\(2, 32, 2, 2\).*\(2, 64, 2, 2\).*to 64'):
        MODELS.build(model)


def test_demo_row_maps_both_sources():
    spec = load_spec(osp.join(CONFIGS, 'demo.yml'))
    check_rows(spec)
    row = {r['key']: r for r in spec['rows']}['tmu_4px']
    assert row['teacher'] == dict(digits='digits', digits_4px='digits_4px')
    assert row['cfg_options'] == {}
    assert spec['teachers']['digits_4px']['config'].endswith(
        'teacher_r18w32_1xb64_digits-cls-4px.py')
    cfg = Config.fromfile(row['config'])
    set_teacher_checkpoints(cfg, row['teacher'],
                            dict(digits='a.pth', digits_4px='b.pth'))
    assert cfg.model.teachers.digits.ckpt == 'a.pth'
    assert cfg.model.teachers.digits_4px.ckpt == 'b.pth'
    # the source teacher config trains on the 4x4 digits
    teacher = Config.fromfile(spec['teachers']['digits_4px']['config'])
    assert teacher.train_dataloader.dataset.img_size == 4
    assert teacher.train_dataloader.dataset.num_labelled is None


def test_adapter_results_spec_ablations_change_one_setting():
    spec = load_spec(config_path('tmu', 'results_adapter.yml'))
    check_rows(spec)
    rows = {r['key']: r for r in spec['rows']}
    adapter = config_path(*CONFIG)
    for key in ('tmu_4px', 'tmu_lambda0', 'tmu_sum', 'tmu_layer3'):
        assert rows[key]['config'] == adapter, key
    # the layer3 row moves the adapter and both sources' stage together
    cfg = Config.fromfile(adapter)
    cfg.merge_from_dict(rows['tmu_layer3']['cfg_options'])
    recorders = cfg.model.distiller.teacher_recorders
    assert cfg.model.architecture.after == 'backbone.layer3'
    assert [r.source for r in recorders.values()
            ] == ['digits.backbone.layer3', 'digits_4px.backbone.layer3']
    for name in SOURCES:
        cfg.model.teachers[name].ckpt = None
    cfg.model.data_preprocessor = cfg.data_preprocessor
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    assert model.student.tmu_adapter.in_channels == 32
    assert tuple(
        model.dry_run_shapes['loss_mem_digits']['t_feature']) == (2, 128, 2, 2)
