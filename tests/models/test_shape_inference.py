"""Dry-run shape inference: right shapes, model state left untouched."""
import pytest
import torch
from mmpretrain.models import ResNet_CIFAR
from mmrazor.models.task_modules import RecorderManager
from torch import nn

import mmkd_transfer  # noqa: F401  (compat patches, registration)
from mmkd_transfer.models.utils.shape_inference import (eval_mode,
                                                        infer_record_shapes,
                                                        tensor_shapes)


class TinyModel(nn.Module):
    """Stands in for an mmengine BaseModel: forward(inputs, samples, mode)."""

    def __init__(self):
        super().__init__()
        self.backbone = ResNet_CIFAR(
            depth=18, base_channels=8, stem_channels=8)
        self.head = nn.Linear(64, 3)
        self.modes = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.modes.append((mode, self.training, torch.is_grad_enabled()))
        return self.head(self.backbone(inputs)[-1].mean((2, 3)))


def snapshot(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_tensor_shapes_nested():
    out = tensor_shapes(
        [torch.ones(1, 2), (torch.ones(3), 'x'),
         dict(a=torch.ones(2, 2))])
    assert out == [
        torch.Size([1, 2]), [torch.Size([3]), 'x'],
        dict(a=torch.Size([2, 2]))
    ]


def test_eval_mode_restores_each_flag():
    model = nn.Sequential(nn.BatchNorm1d(2), nn.Dropout())
    model[0].eval()  # a frozen BN inside a training model (norm_eval)
    with eval_mode(model):
        assert not any(m.training for m in model.modules())
    assert [m.training for m in model.modules()] == [True, False, True]


def test_infer_record_shapes_leaves_model_untouched():
    torch.manual_seed(0)
    model = TinyModel().train()
    model.backbone.layer1[0].bn1.eval()
    manager = RecorderManager(
        dict(
            blocks=dict(
                type='ModuleListOutputs', source=['backbone.layer*.*']),
            logits=dict(type='ModuleOutputs', source='head')))
    manager.initialize(model)
    flags = {n: m.training for n, m in model.named_modules()}
    before = snapshot(model)
    inputs = torch.randn(1, 3, 16, 16)
    rng = torch.get_rng_state()

    shapes = infer_record_shapes(model, manager, inputs)

    assert shapes['logits'] == [torch.Size([1, 3])]
    assert len(shapes['blocks']) == 1  # one forward call
    assert [tuple(s) for s in shapes['blocks'][0]] == [(1, 8, 16, 16),
                                                       (1, 8, 16, 16),
                                                       (1, 16, 8, 8),
                                                       (1, 16, 8, 8),
                                                       (1, 32, 4, 4),
                                                       (1, 32, 4, 4),
                                                       (1, 64, 2, 2),
                                                       (1, 64, 2, 2)]
    assert model.modes == [('tensor', False, False)]
    assert {n: m.training for n, m in model.named_modules()} == flags
    after = snapshot(model)
    assert before.keys() == after.keys()
    for key in before:  # BN running stats and counters included
        assert torch.equal(before[key], after[key]), key
    assert torch.equal(torch.get_rng_state(), rng)
    # the recorders are emptied again
    assert manager.get_recorder('logits').data_buffer == []
    assert manager.get_recorder('blocks').data_buffer == []


def test_plain_module_and_errors_restore_state():
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).train()
    manager = RecorderManager(dict(bn=dict(type='ModuleOutputs', source='1')))
    manager.initialize(model)
    shapes = infer_record_shapes(
        model, manager, torch.ones(1, 3, 5, 5), mode=None)
    assert shapes == dict(bn=[torch.Size([1, 4, 3, 3])])
    with pytest.raises(RuntimeError):  # wrong input channels
        infer_record_shapes(model, manager, torch.ones(1, 2, 5, 5), mode=None)
    assert model.training and model[1].training
    assert model[1].num_batches_tracked.item() == 0
