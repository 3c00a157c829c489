"""MultiTeacherDistill: MMRazor equivalence, frozen teachers, bad input."""
import copy

import pytest
import torch
from conftest import config_path

from mmkd_transfer.checkpoint_io import CheckpointError


def _kd_parts():
    """The plain-KD config as MMRazor's SingleTeacherDistill would take it:
    one ``teacher``, teacher recorder sources without a teacher name."""
    from mmengine.config import Config
    cfg = Config.fromfile(
        config_path('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py'))
    shipped = cfg.model.to_dict()
    distiller = copy.deepcopy(shipped['distiller'])
    distiller['teacher_recorders']['fc']['source'] = 'head.fc'
    model = dict(
        _scope_='mmrazor',
        type='SingleTeacherDistill',
        architecture=shipped['architecture'],
        teacher=shipped['teachers']['teacher']['cfg'],
        distiller=distiller)
    preprocessor = dict(cfg.data_preprocessor)
    preprocessor['type'] = 'mmpretrain.ClsDataPreprocessor'
    return model, preprocessor


def _distiller(teacher_source='teacher.head.fc'):
    model, _ = _kd_parts()
    distiller = copy.deepcopy(model['distiller'])
    distiller['teacher_recorders']['fc']['source'] = teacher_source
    return distiller


def _multi(teachers, **kwargs):
    from mmrazor.registry import MODELS
    model, preprocessor = _kd_parts()
    cfg = dict(
        type='MultiTeacherDistill',
        _scope_='mmrazor',
        architecture=model['architecture'],
        data_preprocessor=preprocessor,
        teachers=teachers,
        distiller=kwargs.pop('distiller', _distiller()))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def _batch(model, img_size=8, n=4):
    from mmengine.dataset import pseudo_collate

    from mmkd_transfer.datasets.digits_cls_dataset import DigitsClsDataset
    ds = DigitsClsDataset(
        split='train',
        img_size=img_size,
        pipeline=[dict(type='mmpretrain.PackInputs')])
    data = model.data_preprocessor(
        pseudo_collate([ds[i] for i in range(n)]), True)
    return data['inputs'], data['data_samples']


def test_one_teacher_no_view_equals_mmrazor_single_teacher(tmp_path):
    from mmrazor.registry import MODELS
    torch.manual_seed(0)
    model, preprocessor = _kd_parts()
    teacher = MODELS.build(copy.deepcopy(model['teacher']))
    ckpt = tmp_path / 'teacher.pth'
    torch.save(teacher.state_dict(), ckpt)
    single_cfg = dict(
        model, teacher_ckpt=str(ckpt), data_preprocessor=preprocessor)
    single = MODELS.build(single_cfg)
    multi = _multi(dict(teacher=dict(cfg=model['teacher'], ckpt=str(ckpt))))
    multi.architecture.load_state_dict(single.architecture.state_dict())
    for name, value in single.teacher.state_dict().items():
        assert torch.equal(value, multi.teacher.state_dict()[name]), name
    single.train()
    multi.train()
    inputs, samples = _batch(single)
    ref = single.loss(inputs, samples)
    got = multi.loss(inputs, samples)
    assert sorted(ref) == sorted(got) == ['distill.loss_kl', 'student.loss']
    for key in ref:
        assert torch.equal(ref[key], got[key]), key
    assert got['distill.loss_kl'] > 0
    # and the same gradients on the student
    sum(ref.values()).backward()
    sum(got.values()).backward()
    for (name, p), q in zip(single.architecture.named_parameters(),
                            multi.architecture.parameters()):
        assert torch.allclose(p.grad, q.grad, atol=1e-7), name


def test_teachers_frozen_in_eval_mode_and_train_returns_self():
    model, _ = _kd_parts()
    algo = _multi(
        dict(
            t_a=dict(cfg=model['teacher']),
            t_b=dict(
                cfg=model['teacher'],
                view=dict(type='ResolutionView', scale_factor=0.5))),
        distiller=dict(
            type='ConfigurableDistiller',
            teacher_recorders=dict(
                a=dict(type='ModuleOutputs', source='t_a.head.fc'),
                b=dict(type='ModuleOutputs', source='t_b.head.fc'))))
    assert algo.train() is algo and algo.train(False) is algo
    algo.train()
    assert algo.student.training
    for teacher in algo.teachers.values():
        assert not any(m.training for m in teacher.modules())
        assert not any(p.requires_grad for p in teacher.parameters())
    assert [n for n, _ in algo.named_children()].count('teachers') == 1
    assert any(k.startswith('teachers.t_b.') for k in algo.state_dict())
    inputs, samples = _batch(algo)
    before = {k: v.clone() for k, v in algo.teachers.state_dict().items()}
    algo.loss(inputs, samples)
    recorders = algo.distiller.teacher_recorders.recorders
    # each teacher ran on its own view: the records are its logits
    assert recorders['a'].data_buffer[0].shape == (4, 10)
    assert not recorders['a'].data_buffer[0].requires_grad
    for key, value in algo.teachers.state_dict().items():
        assert torch.equal(value, before[key]), key  # BN stats untouched
    with pytest.raises(AttributeError):  # several: use teachers[name]
        algo.teacher


def test_stop_distill_flag_drops_distill_losses():
    model, _ = _kd_parts()
    algo = _multi(dict(teacher=dict(cfg=model['teacher'])))
    inputs, samples = _batch(algo)
    algo.distillation_stopped = True  # what mmrazor.StopDistillHook sets
    assert list(algo.loss(inputs, samples)) == ['student.loss']


def test_trainable_teacher_adds_its_prefixed_losses():
    model, _ = _kd_parts()
    algo = _multi(dict(teacher=dict(cfg=model['teacher'], trainable=True)))
    inputs, samples = _batch(algo.train())
    losses = algo.loss(inputs, samples)
    assert 'teacher.loss' in losses
    assert any(m.training for m in algo.teacher.modules())
    assert all(p.requires_grad for p in algo.teacher.parameters())


@pytest.mark.parametrize('teachers, match', [
    ({}, 'non-empty dict'),
    (dict(student=dict(cfg='x')), "collides with a prefix"),
    (dict(distill=dict(cfg='x')), "collides with a prefix"),
    ({
        't.hr': dict(cfg='x')
    }, 'not a Python identifier'),
    (dict(T_hr=dict(cfg='x'), t_hr=dict(cfg='x')), 'differ only in case'),
    (dict(t=dict(cfg='x', ckpt_path='y')), r"unknown keys \['ckpt_path'\]"),
    (dict(t=dict(ckpt='y')), 'exactly one of cfg'),
    (dict(t=dict(cfg='x', mode='predict')), 'mode must be one of'),
])
def test_bad_teacher_specs_fail_before_any_build(teachers, match):
    with pytest.raises(ValueError, match=match):
        _multi(teachers)


def test_mismatched_teacher_checkpoint_lists_keys(tmp_path):
    from mmrazor.registry import MODELS
    model, _ = _kd_parts()
    student = MODELS.build(copy.deepcopy(model['architecture']))
    ckpt = tmp_path / 'student.pth'
    torch.save(student.state_dict(), ckpt)
    # a checkpoint with the same keys but other shapes
    with pytest.raises(CheckpointError, match='has shape'):
        _multi(dict(teacher=dict(cfg=model['teacher'], ckpt=str(ckpt))))
    torch.save({'backbone.extra.weight': torch.zeros(1)}, ckpt)
    with pytest.raises(
            CheckpointError,
            match=r"missing keys \(first: \['backbone.*"
            r"unexpected keys \(first: \['backbone.extra.weight"):
        _multi(dict(teacher=dict(cfg=model['teacher'], ckpt=str(ckpt))))


def test_views_checked_on_input_shape_at_build():
    from mmkd_transfer.views import ViewError
    model, _ = _kd_parts()
    with pytest.raises(ViewError, match="view of 'student'.*into 0x0"):
        _multi(
            dict(teacher=dict(cfg=model['teacher'])),
            student_view=dict(type='ResolutionView', scale_factor=0.1),
            input_shape=(3, 8, 8))
    with pytest.raises(ViewError, match="view of 'tt'.*frame index 2"):
        _multi(
            dict(
                tt=dict(
                    cfg=model['teacher'],
                    view=dict(type='FrameView', frames=(1, 2)))),
            distiller=_distiller('tt.head.fc'),
            input_shape=(2, 3, 8, 8))
    with pytest.raises(ValueError, match='input_shape must be'):
        _multi(dict(teacher=dict(cfg=model['teacher'])), input_shape=(8, 8))


def test_dry_run_sizes_a_distiller_through_each_models_view():
    """AFD's meta-network is sized from records of each model on its view:
    the student sees 8x8, the teacher the 16x16 input."""
    from mmengine.config import Config
    cfg = Config.fromfile(
        config_path('afd', 'afd_r18w32_r18w8_1xb64_digits-cls-50l.py'))
    distiller = cfg.model.distiller.to_dict()
    for recorder in distiller['teacher_recorders'].values():
        source = recorder['source']
        recorder['source'] = (
            [s.replace('teacher.', 't_hr.', 1) for s in source] if isinstance(
                source, list) else source.replace('teacher.', 't_hr.', 1))
    teacher = cfg.model.teachers.teacher.cfg
    algo = _multi(
        dict(t_hr=dict(cfg=teacher)),
        distiller=distiller,
        input_shape=(3, 16, 16),
        student_view=dict(type='ResolutionView', scale_factor=0.5))
    shapes = algo.dry_run_shapes['loss_afd']
    assert [s[-1] for s in shapes['s_features']] == [8, 8, 4, 4, 2, 2]
    assert [s[-1] for s in shapes['t_features']] == [16, 16, 8, 8, 4, 4]
    with pytest.raises(ValueError, match='set input_shape'):
        _multi(dict(t_hr=dict(cfg=teacher)), distiller=distiller)


def test_unprefixed_teacher_source_names_the_prefixed_one():
    # a SingleTeacherDistill recorder ported without the teacher's name
    model, _ = _kd_parts()
    with pytest.raises(
            ValueError, match="closest names: 't_hr.head.fc'") as err:
        _multi(
            dict(t_hr=dict(cfg=model['teacher'])),
            distiller=_distiller('head.fc'))
    # the error says whose recorder it is
    assert str(err.value).startswith(
        "MultiTeacherDistill, teacher recorder 'fc': \"head.fc\" is not in "
        'the model.')


def _two_teachers(**t_b):
    model, _ = _kd_parts()
    return _multi(
        dict(
            t_a=dict(cfg=model['teacher']),
            t_b=dict(
                cfg=model['teacher'],
                view=dict(type='ResolutionView', scale_factor=0.5),
                **t_b)),
        distiller=dict(type='ConfigurableDistiller'))


def test_forward_teachers_runs_each_teacher_on_its_view():
    algo = _two_teachers(mode='tensor')
    inputs, samples = _batch(algo.train())
    # each teacher in its configured mode: t_a a loss dict, t_b logits
    out = algo.forward_teachers(inputs, samples)
    assert list(out) == ['t_a', 't_b']
    assert set(out['t_a']) == {'loss'}
    assert out['t_b'].shape == (4, 10)
    # t_b on its 4x4 view: the same logits as on a pre-resized batch
    small, _ = algo.teacher_view('t_b', inputs, samples)
    assert small.shape[-2:] == (4, 4)
    with torch.no_grad():
        ref = algo.teachers['t_b'](small, mode='tensor')
    assert torch.equal(out['t_b'], ref)
    # frozen teachers: no graph
    assert not out['t_b'].requires_grad
    # one mode for all, a subset in the given order
    out = algo.forward_teachers(
        inputs, samples, mode='tensor', names=['t_b', 't_a'])
    assert list(out) == ['t_b', 't_a']
    assert out['t_a'].shape == out['t_b'].shape == (4, 10)
    preds = algo.forward_teachers(
        inputs, samples, mode='predict', names=['t_a'])['t_a']
    assert len(preds) == 4 and preds[0].pred_score.shape == (10, )
    with pytest.raises(KeyError, match=r"unknown teachers \['t_c'\]"):
        algo.forward_teachers(inputs, samples, names=['t_c'])


def test_forward_teachers_keeps_the_graph_of_a_trainable_teacher():
    algo = _two_teachers(trainable=True)
    inputs, samples = _batch(algo.train())
    out = algo.forward_teachers(inputs, samples)
    assert out['t_b']['loss'].requires_grad
    assert not out['t_a']['loss'].requires_grad
    # loss() adds exactly the trainable teacher's losses, prefixed
    assert sorted(algo.loss(inputs, samples)) == ['student.loss', 't_b.loss']


def test_frozen_teacher_dropout_stays_off_in_train_mode():
    """MMRazor's SingleTeacherDistill.train() leaves a frozen teacher's
    dropout on; here its outputs do not change from call to call."""
    from torch import nn
    model, _ = _kd_parts()
    algo = _multi(
        dict(teacher=dict(cfg=model['teacher'], mode='tensor')),
        distiller=dict(type='ConfigurableDistiller'))
    teacher = algo.teacher
    teacher.head.drop = nn.Dropout(0.5)
    teacher.head.fc.register_forward_hook(
        lambda module, args, out: teacher.head.drop(out))
    algo.train()
    assert not teacher.head.drop.training
    inputs, samples = _batch(algo)
    torch.manual_seed(0)
    first = algo.forward_teachers(inputs, samples)['teacher']
    second = algo.forward_teachers(inputs, samples)['teacher']
    assert torch.equal(first, second)
    # the same teacher with its dropout on does change (the test can fail)
    teacher.head.drop.train()
    assert not torch.equal(first,
                           algo.forward_teachers(inputs, samples)['teacher'])


def test_single_teacher_distill_arguments_name_the_teachers_dict():
    model, _ = _kd_parts()
    with pytest.raises(
            ValueError,
            match=r"no \['teacher', 'teacher_ckpt'\]"
            r".*teachers=dict\(teacher=dict\("):
        _multi(None, teacher=model['teacher'], teacher_ckpt='t.pth')
