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


# -- teacher checkpoints of MMRazor's own algorithms (issue 9, item 1) ------
PLAIN_KD = {
    'logits': ('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py'),
    'cwd': ('kd', 'kd_cwd_fcn-r18w16_fcn-r18w8_1xb8_digits-seg.py'),
    'pkd': ('kd',
            'kd_pkd_retinanet-r18w16_retinanet-r18w8_1xb8_digits-det.py'),
}


def _plain_kd_model(parts, teacher_ckpt, **overrides):
    cfg = Config.fromfile(config_path(*parts))
    model = copy.deepcopy(cfg.model)
    model.teacher_ckpt = teacher_ckpt
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor', cfg.data_preprocessor)
    model.update(overrides)
    return model


def _teacher_state(parts):
    """A correct state dict for the config's teacher (fresh weights)."""
    model = MODELS.build(_plain_kd_model(parts, None))
    return {k: v.clone() for k, v in model.teacher.state_dict().items()}


@pytest.mark.parametrize('method', sorted(PLAIN_KD))
def test_plain_kd_refuses_another_models_teacher_checkpoint(tmp_path, method):
    # SingleTeacherDistill / FpnTeacherDistill used to log "size mismatch"
    # and train with a random teacher
    path = tmp_path / 'other.pth'
    torch.save({'state_dict': {'neck.not_here': torch.zeros(1)}}, path)
    with pytest.raises(CheckpointError) as err:
        MODELS.build(_plain_kd_model(PLAIN_KD[method], str(path)))
    message = _one_line(err)
    algorithm = 'FpnTeacherDistill' if method == 'pkd' else \
        'SingleTeacherDistill'
    assert f'does not match the teacher of {algorithm}' in message
    assert 'missing keys' in message
    assert "1 unexpected keys (first: ['neck.not_here'])" in message
    assert 'teacher_ckpt_strict=False' in message


def test_plain_kd_refuses_an_exported_student_as_teacher(tmp_path):
    student = MODELS.build(_plain_kd_model(KD, None)).student
    path = tmp_path / 'student_export.pth'
    torch.save(dict(meta=dict(exported_by='mmkd_transfer'),
                    state_dict=student.state_dict()), path)
    with pytest.raises(CheckpointError) as err:
        MODELS.build(_plain_kd_model(KD, str(path)))
    message = _one_line(err)
    assert 'mis-shaped' in message
    assert 'exported by tools/export_student.py' in message


def test_plain_kd_refuses_a_non_state_dict_teacher_checkpoint(tmp_path):
    path = tmp_path / 'not_weights.pth'
    torch.save({'state_dict': {'a': 'string, not a tensor'}}, path)
    with pytest.raises(CheckpointError, match='is not a state dict'):
        MODELS.build(_plain_kd_model(KD, str(path)))


def test_plain_kd_loads_the_right_teacher_exactly(tmp_path):
    state = _teacher_state(KD)
    path = tmp_path / 'teacher.pth'
    torch.save({'state_dict': state}, path)
    teacher = MODELS.build(_plain_kd_model(KD, str(path))).teacher
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert teacher._is_init  # Runner.init_weights keeps the weights


def test_partial_teacher_checkpoint_needs_the_opt_out(tmp_path):
    state = _teacher_state(KD)
    partial = {k: v for k, v in state.items() if not k.startswith('head.')}
    path = tmp_path / 'backbone_only.pth'
    torch.save(partial, path)
    with pytest.raises(CheckpointError, match='missing keys'):
        MODELS.build(_plain_kd_model(KD, str(path)))
    with pytest.warns(UserWarning, match='partial checkpoint') as record:
        teacher = MODELS.build(_plain_kd_model(
            KD, str(path), teacher_ckpt_strict=False)).teacher
    message = next(str(w.message) for w in record
                   if 'partial checkpoint' in str(w.message))
    assert f'loaded {len(partial)} of {len(state)} tensors' in message
    assert "missing keys (first: ['head.fc.weight', 'head.fc.bias'])" \
        in message
    loaded = teacher.state_dict()
    for key, value in partial.items():
        assert torch.equal(loaded[key], value), key


def test_teacher_without_checkpoint_warns_or_is_refused():
    from mmkd_transfer.config_checks import ConfigWarning
    cfg = Config.fromfile(config_path(*KD))
    cfg.model.teacher_ckpt = None
    with pytest.warns(ConfigWarning,
                      match='model.teacher_ckpt is not set') as record:
        check_config(cfg)
    message = next(str(w.message) for w in record
                   if 'teacher_ckpt' in str(w.message))
    assert message.startswith('The teacher of SingleTeacherDistill has no '
                              'checkpoint'), message
    assert 'randomly initialised' in message
    cfg.require_teacher_ckpt = True
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    assert 'require_teacher_ckpt=True' in _one_line(err)


def test_trainable_teacher_without_checkpoint_is_fine(recwarn):
    cfg = Config.fromfile(config_path(*KD))
    cfg.model.teacher_ckpt = None
    cfg.model.teacher_trainable = True
    cfg.require_teacher_ckpt = True
    check_config(cfg)
    assert not [w for w in recwarn if 'teacher' in str(w.message)]


# -- files that are not checkpoints (item 8) --------------------------------
@pytest.mark.parametrize('content, expected', [
    (b'', 'is empty (0 bytes)'),
    (b'epoch 3, lr 0.1\n', 'is not a PyTorch checkpoint'),
])
def test_empty_and_text_teacher_checkpoints_get_their_own_message(
        tmp_path, content, expected):
    path = tmp_path / 'teacher.pth'
    path.write_bytes(content)
    cfg = Config.fromfile(config_path(*KD))
    cfg.model.teacher_ckpt = str(path)
    with pytest.raises(CheckpointError) as err:
        check_config(cfg)
    message = _one_line(err)
    assert expected in message and 'teacher.pth' in message
    assert 'pickle' not in message  # not "a pickle that calls code"


def test_empty_load_from_is_refused_before_building(tmp_path):
    path = tmp_path / 'init.pth'
    path.touch()
    with pytest.raises(CheckpointError) as err:
        train_tool.main([config_path('kd', 'student_r18w8_1xb64_digits-cls'
                                     '-100l.py'), '--work-dir',
                         str(tmp_path / 'w'), '--cfg-options',
                         f'load_from={path}'])
    assert f"checkpoint '{path}' is empty (0 bytes)" in _one_line(err)
    assert not (tmp_path / 'w').exists()


# -- input_shape channels, num_labelled (item 10) ---------------------------
AFD = ('afd', 'afd_r18w32_r18w8_1xb64_digits-cls-50l.py')


def test_input_shape_with_other_channels_than_the_data_is_refused(tmp_path):
    cfg = Config.fromfile(config_path(*AFD))
    cfg.model.teacher_ckpt = None
    cfg.model.input_shape = (1, 8, 8)
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    message = _one_line(err)
    assert 'has 1 channels but the data has 3' in message
    assert 'input_shape=(3, 8, 8)' in message


def test_dry_run_channel_helper_names_the_model():
    from mmkd_transfer.config_checks import check_input_channels
    student = MODELS.build(_plain_kd_model(KD, None)).student
    check_input_channels(3, {'student': student})
    with pytest.raises(ValueError) as err:
        check_input_channels(1, {'student': student})
    message = _one_line(err)
    assert "the student's first convolution (backbone.conv1) takes 3" \
        in message


def test_fewer_labels_than_classes_warns():
    from mmkd_transfer.config_checks import ConfigWarning
    cfg = Config.fromfile(config_path(*KD))
    cfg.model.teacher_ckpt = None
    cfg.require_teacher_ckpt = False
    cfg.train_dataloader.dataset.num_labelled = 4
    with pytest.warns(ConfigWarning) as record:
        check_config(cfg)
    messages = [str(w.message) for w in record]
    assert any('num_labelled=4 is below the 10 classes' in m
               and '6 classes get no labelled sample' in m
               for m in messages), messages
