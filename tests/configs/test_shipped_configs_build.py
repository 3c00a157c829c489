"""Every shipped config loads, imports the plugin and builds its model."""
import glob
import os.path as osp

import pytest
from conftest import CONFIGS
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope

from mmkd_transfer.config_checks import check_custom_import

SHIPPED = sorted(
    p for p in glob.glob(osp.join(CONFIGS, '**', '*.py'), recursive=True)
    if '_base_' not in p.split(osp.sep))


def _without_teacher_weights(model_cfg):
    """Building must not need a trained teacher: drop checkpoint paths."""
    if 'teacher_ckpt' in model_cfg:
        model_cfg.teacher_ckpt = None
    for teacher in (model_cfg.get('teachers') or {}).values():
        if isinstance(teacher, dict) and 'ckpt' in teacher:
            teacher['ckpt'] = None
    return model_cfg


def test_configs_are_found():
    assert len(SHIPPED) >= 6


@pytest.mark.parametrize(
    'path', SHIPPED, ids=[osp.relpath(p, CONFIGS) for p in SHIPPED])
def test_config_builds(path):
    from mmrazor.registry import MODELS
    cfg = Config.fromfile(path)
    assert 'mmkd_transfer' in cfg.custom_imports['imports']
    check_custom_import(cfg)
    model_cfg = _without_teacher_weights(cfg.model)
    # what the Runner does with a top-level data_preprocessor
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    scope = cfg.get('default_scope', 'mmrazor')
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(model_cfg)
    assert isinstance(model, BaseModel)
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.parametrize(
    'path', SHIPPED, ids=[osp.relpath(p, CONFIGS) for p in SHIPPED])
def test_visualizer_is_named_per_run(path):
    # a fixed name makes every later Runner in the process (seeds of
    # tools/afd_results.py, tests) reuse the first run's visualizer and
    # write its images into the first run's work dir
    visualizer = Config.fromfile(path).get('visualizer') or {}
    assert 'name' not in visualizer, visualizer
