"""Config mistakes fail before training with one line that names the fix."""
import copy
import re
import sys

import pytest
import torch
from conftest import REPO, config_path, load_config
from mmengine.config import Config
from mmrazor.registry import MODELS
from mmrazor_user_configs import mmrazor_config, mmrazor_model

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
    cfg = load_config(
        'baselines',
        'teacher_fcn-r18w16_1xb8_digits-seg.py',
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
        train_tool.main([
            config_path(*KD), '--work-dir',
            str(tmp_path), '--cfg-options', 'model.teachers.teacher.ckpt='
            f'{tmp_path}/missing.pth'
        ])
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
    torch.save(
        {
            'state_dict': {
                'backbone.conv1.weight': torch.zeros(1),
                'head.extra.bias': torch.zeros(2)
            }
        }, path)
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


# -- teacher checkpoints, for every algorithm (issue 9, item 1) -------------
# The shipped configs use the plugin's MultiTeacherDistill; users' configs
# use MMRazor's SingleTeacherDistill / FpnTeacherDistill (built here from the
# shipped config's parts). Both load strictly, and name their opt-out.
PLAIN_KD = {
    'logits': ('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py'),
    'cwd': ('kd', 'kd_cwd_fcn-r18w16_fcn-r18w8_1xb8_digits-seg.py'),
    'pkd':
    ('kd', 'kd_pkd_retinanet-r18w16_retinanet-r18w8_1xb8_digits-det.py'),
}
SHIPPED, MMRAZOR = 'MultiTeacherDistill', 'MMRazor'
ALGORITHMS = (SHIPPED, MMRAZOR)


def _kd_model(parts, algorithm, teacher_ckpt, strict=True):
    """The config's model for ``algorithm`` with this teacher checkpoint."""
    cfg = Config.fromfile(config_path(*parts))
    model = cfg.model.to_dict()
    if algorithm == SHIPPED:
        model['teachers']['teacher']['ckpt'] = teacher_ckpt
        if not strict:
            model['teachers']['teacher']['ckpt_strict'] = False
    else:
        model = mmrazor_model(model)
        model['teacher_ckpt'] = teacher_ckpt
        if not strict:
            model['teacher_ckpt_strict'] = False
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor', cfg.data_preprocessor.to_dict())
    return model


def _kd_config(parts, algorithm):
    """The whole config, with MMRazor's algorithm for ``MMRAZOR``."""
    if algorithm == SHIPPED:
        return Config.fromfile(config_path(*parts))
    return mmrazor_config(config_path(*parts))


def _set_teacher(cfg, algorithm, **values):
    """Set ``ckpt`` / ``trainable`` of the config's one teacher."""
    if algorithm == SHIPPED:
        cfg.model.teachers.teacher.update(values)
    else:
        cfg.model.update({f'teacher_{k}': v for k, v in values.items()})


def _who(parts, algorithm):
    """The teacher as messages name it, and the opt-out setting."""
    if algorithm == SHIPPED:
        return ("teacher 'teacher'",
                'model.teachers.teacher.ckpt_strict=False')
    mmrazor = _kd_model(parts, MMRAZOR, None)['type']
    return f'the teacher of {mmrazor}', 'model.teacher_ckpt_strict=False'


def _teacher_state(parts):
    """A correct state dict for the config's teacher (fresh weights)."""
    model = MODELS.build(_kd_model(parts, SHIPPED, None))
    return {k: v.clone() for k, v in model.teacher.state_dict().items()}


def test_mmrazor_form_keeps_the_shipped_parts():
    # the MMRazor configs of these tests are the shipped ones, ported
    for method, parts in PLAIN_KD.items():
        shipped = _kd_model(parts, SHIPPED, 'a.pth')
        ported = _kd_model(parts, MMRAZOR, 'a.pth')
        assert ported['type'] == ('FpnTeacherDistill' if method == 'pkd' else
                                  'SingleTeacherDistill')
        assert ported['architecture'] == shipped['architecture']
        assert ported['teacher'] == shipped['teachers']['teacher']['cfg']
        assert ported['teacher_ckpt'] == 'a.pth'
        sources = [
            r['source']
            for r in ported['distiller']['teacher_recorders'].values()
        ]
        assert sources and all(not s.startswith('teacher.') for s in sources)


@pytest.mark.parametrize('algorithm', ALGORITHMS)
@pytest.mark.parametrize('method', sorted(PLAIN_KD))
def test_kd_refuses_another_models_teacher_checkpoint(tmp_path, method,
                                                      algorithm):
    # SingleTeacherDistill / FpnTeacherDistill used to log "size mismatch"
    # and train with a random teacher
    parts = PLAIN_KD[method]
    path = tmp_path / 'other.pth'
    torch.save({'state_dict': {'neck.not_here': torch.zeros(1)}}, path)
    with pytest.raises(CheckpointError) as err:
        MODELS.build(_kd_model(parts, algorithm, str(path)))
    message = _one_line(err)
    teacher, opt_out = _who(parts, algorithm)
    assert f'does not match {teacher} (' in message
    assert 'missing keys' in message
    assert "1 unexpected keys (first: ['neck.not_here'])" in message
    assert f'(for a partial checkpoint set {opt_out})' in message


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_kd_refuses_an_exported_student_as_teacher(tmp_path, algorithm):
    student = MODELS.build(_kd_model(KD, algorithm, None)).student
    path = tmp_path / 'student_export.pth'
    torch.save(
        dict(
            meta=dict(exported_by='mmkd_transfer'),
            state_dict=student.state_dict()), path)
    with pytest.raises(CheckpointError) as err:
        MODELS.build(_kd_model(KD, algorithm, str(path)))
    message = _one_line(err)
    assert 'mis-shaped' in message
    assert 'exported by tools/export_student.py' in message


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_kd_refuses_a_non_state_dict_teacher_checkpoint(tmp_path, algorithm):
    path = tmp_path / 'not_weights.pth'
    torch.save({'state_dict': {'a': 'string, not a tensor'}}, path)
    with pytest.raises(CheckpointError, match='is not a state dict'):
        MODELS.build(_kd_model(KD, algorithm, str(path)))


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_kd_loads_the_right_teacher_exactly(tmp_path, algorithm):
    state = _teacher_state(KD)
    path = tmp_path / 'teacher.pth'
    torch.save({'state_dict': state}, path)
    teacher = MODELS.build(_kd_model(KD, algorithm, str(path))).teacher
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert teacher._is_init  # Runner.init_weights keeps the weights


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_partial_teacher_checkpoint_needs_the_opt_out(tmp_path, algorithm):
    state = _teacher_state(KD)
    partial = {k: v for k, v in state.items() if not k.startswith('head.')}
    path = tmp_path / 'backbone_only.pth'
    torch.save(partial, path)
    with pytest.raises(CheckpointError, match='missing keys') as err:
        MODELS.build(_kd_model(KD, algorithm, str(path)))
    assert _who(KD, algorithm)[1] in _one_line(err)
    with pytest.warns(UserWarning, match='partial checkpoint') as record:
        teacher = MODELS.build(
            _kd_model(KD, algorithm, str(path), strict=False)).teacher
    message = next(
        str(w.message) for w in record
        if 'partial checkpoint' in str(w.message))
    assert f'loaded {len(partial)} of {len(state)} tensors' in message
    assert "missing keys (first: ['head.fc.weight', 'head.fc.bias'])" \
        in message
    loaded = teacher.state_dict()
    for key, value in partial.items():
        assert torch.equal(loaded[key], value), key


def test_ckpt_strict_must_be_a_bool():
    model = _kd_model(KD, SHIPPED, None)
    model['teachers']['teacher']['ckpt_strict'] = 'no'
    with pytest.raises(
            ValueError,
            match="teacher 'teacher': ckpt_strict must be True "
            "or False, got 'no'"):
        MODELS.build(model)


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_teacher_without_checkpoint_warns_or_is_refused(algorithm):
    from mmkd_transfer.config_checks import ConfigWarning
    cfg = _kd_config(KD, algorithm)
    _set_teacher(cfg, algorithm, ckpt=None)
    setting = ('model.teachers.teacher.ckpt'
               if algorithm == SHIPPED else 'model.teacher_ckpt')
    with pytest.warns(
            ConfigWarning, match=f'{re.escape(setting)} is not set') as record:
        check_config(cfg)
    message = next(str(w.message) for w in record if setting in str(w.message))
    teacher = ("Teacher 'teacher'" if algorithm == SHIPPED else
               'The teacher of SingleTeacherDistill')
    assert message.startswith(f'{teacher} has no checkpoint'), message
    assert 'randomly initialised' in message
    cfg.require_teacher_ckpt = True
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    message = _one_line(err)
    assert 'require_teacher_ckpt=True' in message
    assert f"set {setting} to the trained teacher's checkpoint" in message


def test_every_teacher_without_checkpoint_is_named():
    from mmkd_transfer.config_checks import ConfigWarning
    cfg = Config.fromfile(config_path(*KD))
    teacher = cfg.model.teachers.teacher
    cfg.model.teachers = dict(
        t_a=dict(cfg=teacher.cfg),
        t_b=dict(cfg=teacher.cfg),
        t_ok=dict(cfg=teacher.cfg, trainable=True))
    with pytest.warns(ConfigWarning) as record:
        check_config(cfg)
    named = sorted(
        str(w.message).split(' has no checkpoint')[0] for w in record
        if 'has no checkpoint' in str(w.message))
    assert named == ["Teacher 't_a'", "Teacher 't_b'"]
    cfg.require_teacher_ckpt = True
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    assert _one_line(err).startswith(
        "teacher 't_a', teacher 't_b' have no checkpoint "
        '(model.teachers.t_a.ckpt, model.teachers.t_b.ckpt not set)')


@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_trainable_teacher_without_checkpoint_is_fine(recwarn, algorithm):
    cfg = _kd_config(KD, algorithm)
    _set_teacher(cfg, algorithm, ckpt=None, trainable=True)
    cfg.require_teacher_ckpt = True
    check_config(cfg)
    assert not [w for w in recwarn if 'teacher' in str(w.message)]


# -- files that are not checkpoints (item 8) --------------------------------
@pytest.mark.parametrize('content, expected', [
    (b'', 'is empty (0 bytes)'),
    (b'epoch 3, lr 0.1\n', 'is not a PyTorch checkpoint'),
])
@pytest.mark.parametrize('algorithm', ALGORITHMS)
def test_empty_and_text_teacher_checkpoints_get_their_own_message(
        tmp_path, content, expected, algorithm):
    path = tmp_path / 'teacher.pth'
    path.write_bytes(content)
    cfg = _kd_config(KD, algorithm)
    _set_teacher(cfg, algorithm, ckpt=str(path))
    with pytest.raises(CheckpointError) as err:
        check_config(cfg)
    message = _one_line(err)
    assert expected in message and 'teacher.pth' in message
    assert 'pickle' not in message  # not "a pickle that calls code"


def test_empty_load_from_is_refused_before_building(tmp_path):
    path = tmp_path / 'init.pth'
    path.touch()
    with pytest.raises(CheckpointError) as err:
        train_tool.main([
            config_path('baselines', 'student_r18w8_1xb64_'
                        'digits-cls-100l.py'), '--work-dir',
            str(tmp_path / 'w'), '--cfg-options', f'load_from={path}'
        ])
    assert f"checkpoint '{path}' is empty (0 bytes)" in _one_line(err)
    assert not (tmp_path / 'w').exists()


# -- input_shape channels, num_labelled (item 10) ---------------------------
AFD = ('afd', 'afd_r18w32_r18w8_1xb64_digits-cls-50l.py')


def test_input_shape_with_other_channels_than_the_data_is_refused(tmp_path):
    cfg = Config.fromfile(config_path(*AFD))
    cfg.model.teachers.teacher.ckpt = None
    cfg.model.input_shape = (1, 8, 8)
    with pytest.raises(ConfigError) as err:
        check_config(cfg)
    message = _one_line(err)
    assert 'has 1 channels but the data has 3' in message
    assert 'input_shape=(3, 8, 8)' in message


def test_dry_run_channel_helper_names_the_model():
    from mmkd_transfer.config_checks import check_input_channels
    student = MODELS.build(_kd_model(KD, SHIPPED, None)).student
    check_input_channels(3, {'student': student})
    with pytest.raises(ValueError) as err:
        check_input_channels(1, {'student': student})
    message = _one_line(err)
    assert ('the first convolution of the student (backbone.conv1) takes 3: '
            'set input_shape=(3, H, W)') in message


@pytest.mark.parametrize(
    'input_shape, fix',
    [
        ((1, 8, 8), '(3, 8, 8)'),
        ((2, 1, 8, 8), '(2, 3, 8, 8)'),  # a clip: channels at index 1
    ])
def test_algorithm_checks_input_shape_channels_before_the_dry_run(
        input_shape, fix):
    # a raw "expected input to have 3 channels" before: no model named
    with pytest.raises(ValueError) as err:
        MODELS.build(
            dict(_kd_model(KD, SHIPPED, None), input_shape=input_shape))
    assert _one_line(err) == (
        'input_shape has 1 channels but the first convolution of the '
        f'student (backbone.conv1) takes 3: set input_shape={fix}, the size '
        'of one preprocessed input before any view.')


def test_input_shape_channels_error_names_the_teacher():
    model = _kd_model(KD, SHIPPED, None)
    model['architecture']['backbone']['in_channels'] = 1
    with pytest.raises(ValueError) as err:
        MODELS.build(dict(model, input_shape=(1, 8, 8)))
    assert ("first convolution of the teacher 'teacher' (backbone.conv1) "
            'takes 3: set input_shape=(3, 8, 8)') in _one_line(err)


def test_fewer_labels_than_classes_warns():
    from mmkd_transfer.config_checks import ConfigWarning
    cfg = Config.fromfile(config_path(*KD))
    cfg.model.teachers.teacher.ckpt = None
    cfg.require_teacher_ckpt = False
    cfg.train_dataloader.dataset.num_labelled = 4
    with pytest.warns(ConfigWarning) as record:
        check_config(cfg)
    messages = [str(w.message) for w in record]
    assert any('num_labelled=4 is below the 10 classes' in m
               and '6 classes get no labelled sample' in m
               for m in messages), messages
