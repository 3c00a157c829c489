"""ModuleListOutputsRecorder: glob resolution, records, errors."""
import re

import pytest
import torch
from mmpretrain.models import ResNet_CIFAR
from mmrazor.models.task_modules import RecorderManager
from torch import nn

import mmkd_transfer  # noqa: F401  (compat patches, registration)
from mmkd_transfer.models.recorders.module_list_outputs_recorder import (
    ModuleListOutputsRecorder, match_module_name, resolve_module_names)

BLOCKS_R18 = [f'backbone.layer{i}.{j}' for i in range(1, 5) for j in range(2)]


class Wrapper(nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = ResNet_CIFAR(
            depth=18, base_channels=16, stem_channels=16)

    def forward(self, x):
        return self.backbone(x)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return Wrapper().eval()


def test_match_module_name_does_not_cross_dots():
    assert match_module_name('backbone.layer*.*', 'backbone.layer1.0')
    assert not match_module_name('backbone.layer*.*',
                                 'backbone.layer1.0.conv1')
    assert not match_module_name('backbone.layer*.*', 'backbone.layer1')
    assert match_module_name('backbone.layer[12].?', 'backbone.layer2.1')
    assert not match_module_name('backbone.layer[12].?', 'backbone.layer3.1')
    assert match_module_name('backbone.**.conv1', 'backbone.layer1.0.conv1')
    assert match_module_name('backbone.**.conv1', 'backbone.conv1')


def test_resolves_every_resnet_block_in_order(model):
    assert resolve_module_names(model, ['backbone.layer*.*']) == BLOCKS_R18
    # explicit names keep their given order; duplicates are dropped
    assert resolve_module_names(
        model,
        ['backbone.layer4.1', 'backbone.layer1.*', 'backbone.layer1.0']) == [
            'backbone.layer4.1', 'backbone.layer1.0', 'backbone.layer1.1'
        ]


def test_records_one_list_per_forward(model):
    manager = RecorderManager(
        dict(
            blocks=dict(
                type='ModuleListOutputs', source=['backbone.layer*.*'])))
    recorder = manager.get_recorder('blocks')
    assert isinstance(recorder, ModuleListOutputsRecorder)
    manager.initialize(model)
    assert recorder.module_names == BLOCKS_R18
    x = torch.randn(2, 3, 8, 8)
    with manager:
        out = model(x)
        model(x[:1])
    records = recorder.data_buffer
    assert len(records) == 2 and len(records[0]) == 8
    feats = recorder.get_record_data()
    assert [tuple(f.shape) for f in feats] == [(2, 16, 8, 8), (2, 16, 8, 8),
                                               (2, 32, 4, 4), (2, 32, 4, 4),
                                               (2, 64, 2, 2), (2, 64, 2, 2),
                                               (2, 128, 1, 1), (2, 128, 1, 1)]
    assert torch.equal(feats[-1], out[-1])  # last block = backbone output
    assert recorder.get_record_data(1, data_idx=0).shape == (1, 16, 8, 8)
    with pytest.raises(IndexError, match='2 forward call'):
        recorder.get_record_data(2)
    with pytest.raises(IndexError, match='data_idx=8'):
        recorder.get_record_data(0, data_idx=8)
    model(x)  # outside the context nothing is recorded
    assert len(recorder.data_buffer) == 2
    recorder.reset_data_buffer()
    assert recorder.data_buffer == []
    # initialising again does not hook the modules twice
    recorder.initialize(model)
    with manager:
        model(x)
    assert len(recorder.data_buffer) == 1


def test_single_string_source(model):
    recorder = ModuleListOutputsRecorder('backbone.layer4.*')
    recorder.initialize(model)
    assert recorder.module_names == BLOCKS_R18[-2:]


def test_unknown_source_lists_close_names(model):
    recorder = ModuleListOutputsRecorder(['backbone.layr*.*'])
    with pytest.raises(ValueError) as err:
        recorder.initialize(model)
    msg = str(err.value)
    assert '\n' not in msg
    assert 'pattern "backbone.layr*.*" matches no module' in msg
    assert re.search(r"closest names: 'backbone\.layer\d\.\d'", msg)
    recorder = ModuleListOutputsRecorder(['backbone.layer5.0'])
    with pytest.raises(ValueError, match="closest names: .*'backbone.layer"):
        recorder.initialize(model)
    with pytest.raises(ValueError, match='non-empty list'):
        ModuleListOutputsRecorder([])


def test_unaligned_calls_raise():
    shared = nn.ReLU()

    class Twice(nn.Module):

        def __init__(self):
            super().__init__()
            self.a, self.b = shared, nn.Identity()

        def forward(self, x):
            return self.b(self.a(self.a(x)))

    model = Twice()
    recorder = ModuleListOutputsRecorder(['a', 'b'])
    recorder.initialize(model)
    with recorder:
        model(torch.ones(1))
    with pytest.raises(RuntimeError, match='different number of times'):
        recorder.get_record_data()
