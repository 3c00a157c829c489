"""ShapeInferringDistiller: builds AFDLoss (and any loss with
``build_from_shapes``) from a dry run on mmpretrain classifiers."""
import copy

import pytest
import torch
from mmrazor.registry import MODELS
from torch import nn

import mmkd_transfer  # noqa: F401  (compat patches, registration)
from mmkd_transfer.models.distillers import ShapeInferringDistiller
from mmkd_transfer.models.losses.afd_loss import AFDLoss, afd_loss_upper_bound

INPUT = (3, 16, 16)
S_CHANNELS = [8] * 2 + [16] * 2 + [32] * 2 + [64] * 2  # R18, base 8
T_CHANNELS = [16] * 3 + [32] * 4 + [64] * 6 + [128] * 3  # R34, base 16


def classifier(depth, base):
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(
            type='ResNet_CIFAR',
            depth=depth,
            base_channels=base,
            stem_channels=base),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=10,
            in_channels=base * 8,
            loss=dict(type='CrossEntropyLoss')))


DISTILLER = dict(
    type='ShapeInferringDistiller',
    student_recorders=dict(
        blocks=dict(type='ModuleListOutputs', source=['backbone.layer*.*']),
        logits=dict(type='ModuleOutputs', source='head.fc')),
    teacher_recorders=dict(
        blocks=dict(type='ModuleListOutputs', source=['backbone.layer*.*']),
        logits=dict(type='ModuleOutputs', source='head.fc')),
    distill_losses=dict(
        loss_afd=dict(type='AFDLoss', qk_dim=16, loss_weight=200.),
        # MMRazor's KLDivergence multiplies by tau^2 itself: 0.9 is the
        # paper's alpha
        loss_kl=dict(type='KLDivergence', tau=4, loss_weight=0.9)),
    loss_forward_mappings=dict(
        loss_afd=dict(
            s_features=dict(recorder='blocks', from_student=True),
            t_features=dict(recorder='blocks', from_student=False)),
        loss_kl=dict(
            preds_S=dict(recorder='logits', from_student=True),
            preds_T=dict(recorder='logits', from_student=False))))


@pytest.fixture
def models():
    torch.manual_seed(0)
    student = MODELS.build(classifier(18, 8))
    teacher = MODELS.build(classifier(34, 16))
    return student, teacher


def build_distiller(student, teacher, cfg=DISTILLER):
    distiller = MODELS.build(copy.deepcopy(cfg))
    distiller.prepare_from_student(student)
    distiller.prepare_from_teacher(teacher)
    return distiller


def test_builds_afd_loss_from_dry_run(models):
    student, teacher = models
    distiller = build_distiller(student, teacher)
    assert isinstance(distiller, ShapeInferringDistiller)
    assert distiller.modules_to_build() == dict(
        connectors={},
        losses={'loss_afd': distiller.distill_losses['loss_afd']})
    loss = distiller.distill_losses['loss_afd']
    assert not loss.is_built
    before = {k: v.clone() for k, v in student.state_dict().items()}

    shapes = distiller.init_from_dry_run(student, teacher,
                                         torch.zeros(1, *INPUT))

    s_shapes = shapes['loss_afd']['s_features']
    t_shapes = shapes['loss_afd']['t_features']
    assert [s[1] for s in s_shapes] == S_CHANNELS
    assert [s[1] for s in t_shapes] == T_CHANNELS
    assert tuple(s_shapes[0]) == (1, 8, 16, 16)
    assert tuple(t_shapes[-1]) == (1, 128, 2, 2)
    assert loss.is_built
    assert loss.attention.s_channels == S_CHANNELS
    assert loss.attention.t_channels == T_CHANNELS
    # every meta-network parameter is visible to an optimizer built now
    params = {id(p) for p in distiller.parameters()}
    assert all(id(p) in params for p in loss.attention.parameters())
    assert loss.attention.training  # follows the distiller's mode
    for key, value in student.state_dict().items():
        assert torch.equal(value, before[key]), key
    # a second call is a no-op for already built losses
    distiller.init_from_dry_run(student, teacher, torch.zeros(1, *INPUT))
    assert loss.attention.s_channels == S_CHANNELS


def test_compute_distill_losses_after_forwards(models):
    student, teacher = models
    distiller = build_distiller(student, teacher)
    with pytest.raises(RuntimeError, match='init_from_dry_run'):
        with distiller.teacher_recorders, distiller.student_recorders:
            teacher(torch.rand(2, *INPUT), mode='tensor')
            student(torch.rand(2, *INPUT), mode='tensor')
        distiller.compute_distill_losses()
    distiller.init_from_dry_run(student, teacher, torch.zeros(1, *INPUT))
    teacher.eval()
    x = torch.rand(2, *INPUT)
    with distiller.teacher_recorders, torch.no_grad():
        teacher(x, mode='tensor')
    with distiller.student_recorders:
        student(x, mode='tensor')
    losses = distiller.compute_distill_losses()
    afd = losses['loss_afd']
    assert afd.shape == () and torch.isfinite(afd)
    t_sizes = [(16, 16)] * 3 + [(8, 8)] * 4 + [(4, 4)] * 6 + [(2, 2)] * 3
    assert 0. <= afd.item() <= 200. * afd_loss_upper_bound(t_sizes)
    afd.backward()
    assert student.backbone.layer1[0].conv1.weight.grad is not None
    meta = distiller.distill_losses['loss_afd'].attention
    assert meta.p_t.grad is not None and meta.p_s.grad is not None
    assert meta.p_t.shape == (16, 16) and meta.p_s.shape == (8, 16)


def test_with_single_teacher_distill(models):
    """The contract as the algorithm will use it (built by MMRazor)."""
    from mmpretrain.structures import DataSample
    alg = MODELS.build(
        dict(
            type='SingleTeacherDistill',
            architecture=classifier(18, 8),
            teacher=classifier(34, 16),
            distiller=copy.deepcopy(DISTILLER)))
    alg.distiller.init_from_dry_run(alg.student, alg.teacher,
                                    torch.zeros(1, *INPUT))
    optim = torch.optim.SGD(alg.parameters(), lr=0.01)
    meta = alg.distiller.distill_losses['loss_afd'].attention
    held = {id(p) for g in optim.param_groups for p in g['params']}
    assert all(id(p) in held for p in meta.parameters())
    alg.train()
    samples = [DataSample().set_gt_label(i) for i in (1, 3)]
    losses = alg(torch.rand(2, *INPUT), samples, mode='loss')
    assert {'student.loss', 'distill.loss_afd',
            'distill.loss_kl'} <= set(losses)
    assert torch.isfinite(losses['distill.loss_afd'])


def test_generic_losses_without_build_are_left_alone(models):
    student, teacher = models
    cfg = copy.deepcopy(DISTILLER)
    cfg['distill_losses'].pop('loss_afd')
    cfg['loss_forward_mappings'].pop('loss_afd')
    distiller = build_distiller(student, teacher, cfg)
    assert distiller.init_from_dry_run(student, teacher,
                                       torch.zeros(1, *INPUT)) == {}


class _ShapeProbe(nn.Module):
    """A generic loss with build_from_shapes on a single-tensor record."""

    def __init__(self):
        super().__init__()
        self.got = None

    def build_from_shapes(self, feat):
        self.got = feat

    def forward(self, feat):
        return feat.sum()


def test_generic_contract_applies_record_and_data_idx(models):
    student, teacher = models
    distiller = MODELS.build(
        dict(
            type='ShapeInferringDistiller',
            student_recorders=copy.deepcopy(DISTILLER['student_recorders'])))
    # a loss class of another method, set in place of a registered one
    distiller.distill_losses['loss_probe'] = _ShapeProbe()
    distiller.loss_forward_mappings = dict(
        loss_probe=dict(
            feat=dict(recorder='blocks', from_student=True, data_idx=2)))
    distiller.prepare_from_student(student)
    distiller.init_from_dry_run(student, teacher, torch.zeros(1, *INPUT))
    assert distiller.distill_losses['loss_probe'].got == torch.Size(
        [1, 16, 8, 8])
    # a loss that needs shapes but has no mapping is a config error
    distiller.distill_losses['loss_other'] = AFDLoss()
    with pytest.raises(ValueError, match="'loss_other'"):
        distiller.init_from_dry_run(student, teacher, torch.zeros(1, *INPUT))
