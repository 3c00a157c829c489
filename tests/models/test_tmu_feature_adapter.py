"""The TMU feature adapter: the identity without sources, the gated mix by
hand, installed after a stage of a cls (mmpretrain ResNet), a seg (mmseg
FCN) and a det (mmdet RetinaNet) student, its memory loss, bad input."""
import copy

import pytest
import torch
import torch.nn.functional as F
from conftest import config_path
from mmengine.config import Config
from mmrazor.registry import MODELS

from mmkd_transfer.models.architectures import (TMUFeatureAdapter,
                                                build_tmu_adapted_model)
from mmkd_transfer.models.losses import TMUAdapterMemoryLoss
from mmkd_transfer.models.losses.tmu_adapter_memory_loss import align_to

# task -> (model base, student key, input (C, H, W), stage, stage output)
STUDENTS = {
    'cls': ('digits_resnet18_cifar.py', 'student_model', (3, 8, 8),
            'backbone.layer2', (2, 16, 4, 4)),
    'seg': ('digits_fcn_r18.py', 'seg_student_model', (3, 32, 32),
            'backbone.layer3', (2, 32, 4, 4)),
    'det': ('digits_retinanet_r18.py', 'det_student_model', (3, 64, 64),
            'backbone.layer2', (2, 16, 8, 8)),
}


def _student_cfg(task):
    base, key = STUDENTS[task][:2]
    return copy.deepcopy(
        Config.fromfile(config_path('_base_', 'models', base))[key])


def _outputs(model, x):
    model.eval()
    with torch.no_grad():
        out = model(x, mode='tensor')
    if isinstance(out, torch.Tensor):
        return [out]
    flat = []
    for item in out:  # mmdet: (cls scores per level, boxes per level)
        flat.extend(item if isinstance(item, (list, tuple)) else [item])
    return flat


def test_no_source_is_the_identity():
    adapter = TMUFeatureAdapter(in_channels=8)
    x = torch.randn(2, 8, 3, 3)
    assert adapter(x) is x
    assert sum(p.numel() for p in adapter.parameters()) == 0


@pytest.mark.parametrize('task', sorted(STUDENTS))
def test_student_with_a_sourceless_adapter_equals_the_plain_student(task):
    torch.manual_seed(0)
    plain = MODELS.build(_student_cfg(task))
    adapted = build_tmu_adapted_model(
        copy.deepcopy(plain),
        after=STUDENTS[task][3],
        input_shape=STUDENTS[task][2],
        adapter=dict())
    assert adapted.tmu_adapter.in_channels == STUDENTS[task][4][1]
    assert adapted.state_dict().keys() == plain.state_dict().keys()
    x = torch.randn(2, *STUDENTS[task][2])
    for a, b in zip(_outputs(adapted, x), _outputs(plain, x)):
        assert torch.equal(a, b)


@pytest.mark.parametrize('memory_mix', ['mean', 'sum'])
def test_gated_mix_matches_the_formula(memory_mix):
    torch.manual_seed(0)
    adapter = TMUFeatureAdapter(
        in_channels=4, source_channels=[6, 4], memory_mix=memory_mix)
    for p in adapter.parameters():  # non-trivial affine and biases
        torch.nn.init.normal_(p)
    x = torch.randn(3, 4, 2, 5)
    gates = torch.sigmoid(
        F.conv2d(x, adapter.gates.weight, adapter.gates.bias))
    mixed = x.clone()
    for m, (conv, norm) in enumerate(adapter.distillers):
        d = F.group_norm(
            F.conv2d(x, conv.weight), 1, norm.weight, norm.bias, eps=1e-5)
        read_back = adapter.read_backs[m]
        r = d if m == 1 else F.conv2d(d, read_back.weight, read_back.bias)
        t = gates[:, 4 * m:4 * (m + 1)]
        mixed = mixed + t * r + (1 - t) * x
    if memory_mix == 'mean':
        mixed = mixed / 3
    assert isinstance(adapter.read_backs[1], torch.nn.Identity)
    torch.testing.assert_close(adapter(x), mixed)


@pytest.mark.parametrize('task', sorted(STUDENTS))
def test_adapter_after_a_stage_keeps_the_model_shapes(task):
    """Sized from a dry forward; the stage's output is replaced by the
    adapted map, every output keeps its shape."""
    torch.manual_seed(0)
    _, _, input_shape, stage, stage_shape = STUDENTS[task]
    plain = MODELS.build(_student_cfg(task))
    adapted = MODELS.build(
        dict(
            type='mmrazor.TMUAdaptedModel',
            model=_student_cfg(task),
            after=stage,
            input_shape=input_shape,
            adapter=dict(source_channels=[24, 40])))
    assert type(adapted) is type(plain)
    adapter = adapted.tmu_adapter
    assert adapter.in_channels == stage_shape[1]
    assert [d[0].weight.shape
            for d in adapter.distillers] == [(24, stage_shape[1], 1, 1),
                                             (40, stage_shape[1], 1, 1)]
    seen = {}
    adapter.distillers[1].register_forward_hook(
        lambda m, i, o: seen.setdefault('d1', o))
    stage_module = dict(adapted.named_modules())[stage]
    stage_module.register_forward_hook(
        lambda m, i, o: seen.setdefault('stage', o))
    x = torch.randn(2, *input_shape)
    got, expected = _outputs(adapted, x), _outputs(plain, x)
    assert [o.shape for o in got] == [o.shape for o in expected]
    assert seen['d1'].shape == (2, 40) + stage_shape[2:]
    # later hooks on the stage see the adapted map
    assert seen['stage'].shape == stage_shape
    # with sources the adapter changes what follows the stage
    plain.load_state_dict({
        k: v
        for k, v in adapted.state_dict().items()
        if not k.startswith('tmu_adapter.')
    })
    assert not torch.allclose(got[0], _outputs(plain, x)[0])


def test_adapter_is_trained_through_the_task_loss():
    torch.manual_seed(0)
    model = build_tmu_adapted_model(
        _student_cfg('cls'),
        after='backbone.layer3',
        input_shape=(3, 4, 4),
        adapter=dict(source_channels=[64]))
    x = torch.randn(4, 3, 4, 4)
    model.train()
    model(x, mode='tensor').sum().backward()
    adapter = model.tmu_adapter
    for name, p in adapter.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_deepcopy_hooks_its_own_adapter():
    torch.manual_seed(0)
    model = build_tmu_adapted_model(
        _student_cfg('cls'),
        after='backbone.layer2',
        input_shape=(3, 8, 8),
        adapter=dict(source_channels=[32]))
    twin = copy.deepcopy(model)
    x = torch.randn(2, 3, 8, 8)
    before = _outputs(model, x)[0]
    torch.testing.assert_close(_outputs(twin, x)[0], before)
    with torch.no_grad():
        twin.tmu_adapter.gates.bias.add_(5.0)
    assert not torch.allclose(_outputs(twin, x)[0], before)
    assert torch.equal(_outputs(model, x)[0], before)


def test_bad_adapter_input_is_refused():
    with pytest.raises(ValueError, match='names no module'):
        build_tmu_adapted_model(
            _student_cfg('cls'), after='backbone.layer9', adapter=dict())
    with pytest.raises(ValueError, match='input_shape'):
        build_tmu_adapted_model(
            _student_cfg('cls'), after='backbone.layer2', adapter=dict())
    # the backbone returns a tuple, not one map
    with pytest.raises(ValueError, match='returned tuple'):
        build_tmu_adapted_model(
            _student_cfg('cls'),
            after='backbone',
            input_shape=(3, 8, 8),
            adapter=dict())
    with pytest.raises(ValueError, match='source_channels'):
        TMUFeatureAdapter(in_channels=8, source_channels=[0])
    with pytest.raises(ValueError, match='memory_mix'):
        TMUFeatureAdapter(in_channels=8, memory_mix='max')
    wrong = build_tmu_adapted_model(
        _student_cfg('cls'),
        after='backbone.layer2',
        adapter=dict(in_channels=32, source_channels=[8]))
    with pytest.raises(ValueError, match=r'in_channels=32.*\(2, 16, 4, 4\)'):
        wrong(torch.zeros(2, 3, 8, 8), mode='tensor')


def test_align_to_averages_or_interpolates():
    t = torch.arange(16.).reshape(1, 1, 4, 4)
    assert align_to(t, (4, 4)) is t
    torch.testing.assert_close(
        align_to(t, (2, 2)), torch.tensor([[[[2.5, 4.5], [10.5, 12.5]]]]))
    grown = align_to(torch.ones(1, 2, 2, 2), (4, 4))
    torch.testing.assert_close(grown, torch.ones(1, 2, 4, 4))


def test_memory_loss_value_and_no_gradient_to_the_source():
    loss = TMUAdapterMemoryLoss(loss_weight=2.0)
    s = torch.zeros(2, 3, 2, 2, requires_grad=True)
    t = torch.randn(2, 3, 4, 4, requires_grad=True)
    target = F.group_norm(F.avg_pool2d(t, 2), 1)
    value = loss(s, t)
    torch.testing.assert_close(value, 2.0 * target.pow(2).mean())
    value.backward()
    assert t.grad is None and s.grad.abs().sum() > 0
    raw = TMUAdapterMemoryLoss(normalize_target=False)
    torch.testing.assert_close(raw(s, t), F.avg_pool2d(t, 2).pow(2).mean())


def test_memory_loss_falls_when_the_distiller_learns():
    torch.manual_seed(0)
    adapter = TMUFeatureAdapter(in_channels=8, source_channels=[12])
    loss = TMUAdapterMemoryLoss()
    x = torch.randn(16, 8, 2, 2)
    # a source map the student's map can explain through a 1x1 conv
    source = F.interpolate(
        F.conv2d(x, torch.randn(12, 8, 1, 1)), size=(4, 4), mode='nearest')
    optim = torch.optim.Adam(adapter.parameters(), lr=0.05)
    values = []
    for _ in range(60):
        optim.zero_grad()
        value = loss(adapter.distillers[0](x), source)
        value.backward()
        optim.step()
        values.append(value.item())
    assert values[-1] < 0.1 * values[0]


def test_memory_loss_bad_input():
    with pytest.raises(ValueError, match='>= 0'):
        TMUAdapterMemoryLoss(loss_weight=-1)
    loss = TMUAdapterMemoryLoss()
    with pytest.raises(
            ValueError, match=r'\(2, 64, 2, 2\).*\(2, 128, 2, 2\).*to 128'):
        loss.build_from_shapes((2, 64, 2, 2), (2, 128, 2, 2))
    with pytest.raises(ValueError, match='must be 128'):
        loss(torch.zeros(1, 64, 2, 2), torch.zeros(1, 128, 2, 2))
