"""ResizeProjectConnector, sized by ShapeInferringDistiller's dry run on a
cls (mmpretrain ResNet), a seg (mmseg FCN) and a det (mmdet RetinaNet) pair:
the student on a half-resolution view, so both channels and map size differ
from the teacher's."""
import copy

import pytest
import torch
from conftest import config_path
from mmengine.config import Config
from mmrazor.registry import MODELS

from mmkd_transfer.models.connectors import ResizeProjectConnector
from mmkd_transfer.models.distillers import ShapeInferringDistiller

# task -> (model base, student key, teacher key, input (C, H, W), recorded
# module, student record shape, teacher record shape); batch 2
PAIRS = {
    # ResNet_CIFAR w8 / w32, layer2 (stride 2): 8x8 -> 4x4, 16x16 -> 8x8
    'cls': ('digits_resnet18_cifar.py', 'student_model', 'teacher_model',
            (3, 16, 16), 'backbone.layer2', (2, 16, 4, 4), (2, 64, 8, 8)),
    # ResNetV1c w8 / w16, dilated layer4 (output stride 8)
    'seg': ('digits_fcn_r18.py', 'seg_student_model', 'seg_teacher_model',
            (3, 64, 64), 'backbone.layer4', (2, 64, 4, 4), (2, 128, 8, 8)),
    # mmdet ResNet w8 / w16, layer3 (stride 16)
    'det':
    ('digits_retinanet_r18.py', 'det_student_model', 'det_teacher_model',
     (3, 64, 64), 'backbone.layer3', (2, 32, 2, 2), (2, 64, 4, 4)),
}


def _distiller(source, loss_args=('s_feature', 't_feature'), **kwargs):
    s_arg, t_arg = loss_args
    cfg = dict(
        type='ShapeInferringDistiller',
        student_recorders=dict(feat=dict(type='ModuleOutputs', source=source)),
        teacher_recorders=dict(
            feat=dict(type='ModuleOutputs', source=f'teacher.{source}')),
        connectors=dict(proj=dict(type='ResizeProjectConnector')),
        distill_losses=dict(loss_mse=dict(type='L2Loss', normalize=False)),
        loss_forward_mappings=dict(
            loss_mse={
                s_arg: dict(
                    recorder='feat', from_student=True, connector='proj'),
                t_arg: dict(recorder='feat', from_student=False)
            }))
    cfg.update(kwargs)
    return cfg


def _algorithm(task, distiller=None):
    base, student, teacher, input_shape, source, _, _ = PAIRS[task]
    models = Config.fromfile(config_path('_base_', 'models', base))
    return MODELS.build(
        dict(
            _scope_='mmrazor',
            type='MultiTeacherDistill',
            architecture=copy.deepcopy(models[student]),
            student_view=dict(type='ResolutionView', scale_factor=0.5),
            teachers=dict(
                teacher=dict(
                    cfg=copy.deepcopy(models[teacher]), mode='tensor')),
            input_shape=input_shape,
            distiller=distiller or _distiller(source)))


@pytest.mark.parametrize('task', sorted(PAIRS))
def test_connector_is_sized_by_the_dry_run(task):
    torch.manual_seed(0)
    algo = _algorithm(task)
    _, _, _, _, _, s_shape, t_shape = PAIRS[task]
    found = algo.dry_run_shapes['connectors.proj']
    assert tuple(found['in_shape']) == s_shape
    assert tuple(found['target_shape']) == t_shape
    connector = algo.distiller.connectors['proj']
    assert isinstance(connector, ResizeProjectConnector)
    assert isinstance(connector.proj, torch.nn.Conv2d)
    c_s, c_t = s_shape[1], t_shape[1]
    assert connector.proj.weight.shape == (c_t, c_s, 1, 1)
    out = connector(torch.rand(s_shape))
    assert out.shape == t_shape
    # built in __init__: in the model's parameters before any optimizer
    ids = {id(p) for p in algo.parameters()}
    assert all(id(p) in ids for p in connector.parameters())
    assert sum(p.numel() for p in connector.parameters()) == c_s * c_t + c_t
    # and it follows the algorithm's train/eval mode
    assert connector.proj.training == algo.training
    # a forward of both sides: the loss gets equal shapes and a gradient
    inputs = torch.rand(2, *PAIRS[task][3])
    with algo.distiller.teacher_recorders:
        algo.forward_teachers(inputs)
    with algo.distiller.student_recorders:
        algo(inputs, mode='tensor')  # the student on its view
    loss = algo.distiller.compute_distill_losses()['loss_mse']
    assert loss > 0
    loss.backward()
    assert connector.proj.weight.grad.abs().sum() > 0


def test_connector_trains_with_the_student_on_a_real_batch():
    """cls: one loss step; the projection gets a gradient."""
    from mmengine.dataset import pseudo_collate

    from mmkd_transfer.datasets import DigitsClsDataset
    algo = _algorithm('cls')
    algo.data_preprocessor = MODELS.build(
        dict(type='mmpretrain.ClsDataPreprocessor'))
    dataset = DigitsClsDataset(
        split='train',
        img_size=16,
        pipeline=[dict(type='mmpretrain.PackInputs')])
    data = algo.data_preprocessor(
        pseudo_collate([dataset[i] for i in range(4)]), True)
    losses = algo.train().loss(data['inputs'], data['data_samples'])
    assert sorted(losses) == ['distill.loss_mse', 'student.loss']
    assert torch.isfinite(losses['distill.loss_mse'])
    losses['distill.loss_mse'].backward()
    proj = algo.distiller.connectors['proj'].proj
    assert proj.weight.grad is not None and proj.weight.grad.abs().sum() > 0


def test_vectors_get_a_linear_projection():
    # the GAP neck: (N, 64) student vector -> (N, 256) teacher vector
    distiller = _distiller('neck')
    for spec in distiller['loss_forward_mappings']['loss_mse'].values():
        spec['data_idx'] = 0  # the neck returns a tuple of one tensor
    algo = _algorithm('cls', distiller)
    connector = algo.distiller.connectors['proj']
    assert isinstance(connector.proj, torch.nn.Linear)
    assert tuple(
        algo.dry_run_shapes['connectors.proj']['target_shape']) == (2, 256)
    assert connector(torch.rand(3, 64)).shape == (3, 256)


def test_explicit_target_and_ambiguous_pairing():
    source = PAIRS['cls'][4]
    # both sides through connectors: which shape to match is not implied
    distiller = _distiller(source)
    distiller['connectors']['proj_t'] = dict(type='ResizeProjectConnector')
    distiller['loss_forward_mappings']['loss_mse']['t_feature'][
        'connector'] = 'proj_t'
    with pytest.raises(ValueError, match='connector_targets=dict'):
        _algorithm('cls', distiller)
    # named explicitly: the student is projected to the teacher's record,
    # the teacher's record is kept as is (identity)
    distiller['connector_targets'] = dict(
        proj=dict(recorder='feat', from_student=False),
        proj_t=dict(recorder='feat', from_student=False))
    algo = _algorithm('cls', distiller)
    assert algo.distiller.connectors['proj_t'].proj is None
    x = torch.rand(2, 64, 8, 8)
    assert torch.equal(algo.distiller.connectors['proj_t'](x), x)
    shapes = algo.dry_run_shapes
    assert shapes['connectors.proj']['target_shape'] == shapes[
        'connectors.proj_t']['in_shape'] == (2, 64, 8, 8)
    assert tuple(algo.distiller.connectors['proj'](torch.rand(
        2, 16, 4, 4)).shape) == (2, 64, 8, 8)


@pytest.mark.parametrize('change, match', [
    (dict(connector_targets=dict(nope=dict(recorder='feat'))),
     r"names \['nope'\], which are not connectors"),
    (dict(connector_targets=dict(proj='feat')), 'must be a record spec'),
])
def test_bad_connector_targets(change, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(dict(_distiller('head.fc'), _scope_='mmrazor', **change))


def test_unused_connector_is_a_config_error():
    distiller = _distiller(PAIRS['cls'][4])
    distiller['connectors']['spare'] = dict(type='ResizeProjectConnector')
    with pytest.raises(ValueError, match="connector 'spare'.*no loss_forward"):
        _algorithm('cls', distiller)


def test_connector_unit_contract():
    conn = ResizeProjectConnector()
    with pytest.raises(RuntimeError, match='before build_from_shapes'):
        conn(torch.rand(1, 4, 2, 2))
    conn.build_from_shapes((2, 4, 2, 2), (2, 4, 6, 6))
    assert conn.proj is None  # same channels: resize only
    x = torch.rand(1, 4, 2, 2)
    out = conn(x)
    assert out.shape == (1, 4, 6, 6)
    # bilinear resize of a constant map stays constant
    assert torch.allclose(
        conn(torch.full((1, 4, 2, 2), 3.)), torch.full((1, 4, 6, 6), 3.))
    conn.build_from_shapes((5, 4, 2, 2), (5, 4, 6, 6))  # batch may differ
    with pytest.raises(RuntimeError, match='refusing to rebuild'):
        conn.build_from_shapes((2, 8, 2, 2), (2, 4, 6, 6))
    same = ResizeProjectConnector()
    same.build_from_shapes((2, 4, 3, 3), (2, 4, 3, 3))
    assert torch.equal(same(x.new_ones(2, 4, 3, 3)), x.new_ones(2, 4, 3, 3))
    with pytest.raises(ValueError, match='same kind on both sides'):
        ResizeProjectConnector().build_from_shapes((2, 4, 3, 3), (2, 4))


def test_distiller_is_exported_and_registered():
    assert MODELS.get('ShapeInferringDistiller') is ShapeInferringDistiller
    assert MODELS.get('ResizeProjectConnector') is ResizeProjectConnector
