"""Config mistakes fail before training with one line that names the fix."""
import copy
import sys

import pytest
import torch
from conftest import REPO, config_path, load_config
from mmengine.config import Config
from mmrazor.registry import MODELS

from mmkd_transfer.checkpoint_io import CheckpointError
from mmkd_transfer.config_checks import ConfigError, check_config

sys.path.insert(0, f'{REPO}/tools')
import train as train_tool  # noqa: E402

KD = ('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py')


def _one_line(err):
    message = str(err.value)
    assert '\n' not in message, message
    return message


def test_config_without_custom_import_is_refused(tmp_path):
    cfg = Config.fromfile(
        config_path('baselines', 'student_r18w8_1xb64_digits-cls-100l.py'))
    cfg.custom_imports = dict(imports=[], allow_failed_imports=False)
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    message = _one_line(err)
    assert 'LabelledCrossEntropyLoss' in message
    assert "custom_imports = dict(imports=['mmkd_transfer']" in message


def test_missing_dataset_path_is_refused(tmp_path):
    cfg = load_config('baselines', 'teacher_fcn-r18w16_1xb8_digits-seg.py',
                      work_dir=tmp_path)
    # a standard (non-embedded) dataset type whose folder is missing
    cfg.train_dataloader.dataset.type = 'BaseSegDataset'
    cfg.train_dataloader.dataset.data_root = str(tmp_path / 'no_such_dir')
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    message = _one_line(err)
    assert 'no_such_dir' in message and 'data_root' in message


def test_missing_teacher_checkpoint_is_refused_by_train_tool(tmp_path):
    with pytest.raises(ConfigError) as err:
        train_tool.main([config_path(*KD), '--work-dir', str(tmp_path),
                         '--cfg-options',
                         'model.teachers.teacher.ckpt='
                         f'{tmp_path}/missing.pth'])
    message = _one_line(err)
    assert 'missing.pth' in message and 'train the teacher first' in message
    assert not (tmp_path / 'epoch_1.pth').exists()


def _dry_run_kd_model(teacher_ckpt):
    cfg = Config.fromfile(config_path(*KD))
    model = copy.deepcopy(cfg.model)
    model.input_shape = (3, 8, 8)
    model.teachers.teacher.ckpt = teacher_ckpt
    model.data_preprocessor = cfg.data_preprocessor
    return model


def test_non_state_dict_teacher_checkpoint_is_refused(tmp_path):
    path = tmp_path / 'not_weights.pth'
    torch.save({'state_dict': {'a': 'string, not a tensor'}}, path)
    with pytest.raises(CheckpointError) as err:
        MODELS.build(_dry_run_kd_model(str(path)))
    message = _one_line(err)
    assert 'is not a state dict' in message
    assert 'torch.save(model.state_dict(), path)' in message


def test_teacher_checkpoint_of_another_model_lists_keys(tmp_path):
    path = tmp_path / 'other.pth'
    torch.save({'state_dict': {'backbone.conv1.weight': torch.zeros(1),
                               'head.extra.bias': torch.zeros(2)}}, path)
    with pytest.raises(CheckpointError) as err:
        MODELS.build(_dry_run_kd_model(str(path)))
    message = _one_line(err)
    assert 'missing keys' in message and "'head.extra.bias'" in message


def test_unknown_recorder_source_names_closest_modules():
    cfg = Config.fromfile(config_path(*KD))
    model = copy.deepcopy(cfg.model)
    model.teachers.teacher.ckpt = None
    model.data_preprocessor = cfg.data_preprocessor
    model.distiller.student_recorders.fc.source = 'head.fcc'
    with pytest.raises(ValueError) as err:
        MODELS.build(model)
    message = _one_line(err)
    assert '"head.fcc"' in message and "'head.fc'" in message


def test_bad_input_shape_is_refused():
    with pytest.raises(ValueError, match='input_shape must be'):
        MODELS.build(dict(_dry_run_kd_model(None), input_shape=(8, 8)))
