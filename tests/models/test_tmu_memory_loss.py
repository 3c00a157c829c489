"""TMU's per-step memory recorder and memory loss: one record per step,
the release's form of L_mem (golden numbers), lambda_mem, bad inputs."""
import pytest
import torch
from conftest import tiny_clips, tiny_predictor
from mmrazor.registry import TASK_UTILS

from mmkd_transfer.models import StepMemoriesRecorder, TMUMemoryLoss


# ------------------------------------------------------------- recorder
def test_recorder_is_registered_under_its_config_name():
    assert TASK_UTILS.get('StepMemoriesRecorder') is StepMemoriesRecorder


def test_recorder_gives_one_record_per_step_on_a_source_cell():
    model = tiny_predictor('ConvLSTMPredictor', pred_frames=3)
    recorder = StepMemoriesRecorder('cells.0')
    recorder.initialize(model)
    cell = model.cells[0]
    memories = []
    cell.register_forward_hook(lambda m, i, o: memories.append(o[1]))
    with recorder:
        model(tiny_clips(t=6), mode='tensor', mask=torch.ones(2, 2))
    steps = model.input_frames + model.pred_frames - 1
    assert len(recorder.data_buffer) == steps == len(memories) == 5
    # record t is C_t of the first cell (not H_t), (N, C_hid, H/p, W/p)
    for t in range(steps):
        record = recorder.get_record_data(t, 0)
        assert record.shape == (2, 4, 4, 4)
        assert torch.equal(record, memories[t])
    stacked = recorder.get_record_data(None)
    assert isinstance(stacked, list) and len(stacked) == 1
    assert stacked[0].shape == (5, 2, 4, 4, 4)
    assert torch.equal(stacked[0][3], memories[3])
    assert torch.equal(recorder.get_record_data(None, 0), stacked[0])
    # a second forward in a new context starts again at step 0
    with recorder:
        model(tiny_clips(t=6, seed=2), mode='tensor', mask=torch.ones(2, 2))
    assert len(recorder.data_buffer) == 5


def test_recorder_on_the_tmu_distillers_gives_one_memory_per_source():
    model = tiny_predictor('TMUPredictor', pred_frames=3, num_sources=2)
    recorder = StepMemoriesRecorder('cells.0.distillers.*')
    recorder.initialize(model)
    assert recorder.module_names == [
        'cells.0.distillers.0', 'cells.0.distillers.1'
    ]
    with recorder:
        model(tiny_clips(t=6), mode='tensor', mask=torch.ones(2, 2))
    assert len(recorder.data_buffer) == 5
    assert [len(r) for r in recorder.data_buffer] == [2] * 5
    d0, d1 = recorder.get_record_data(None)
    assert d0.shape == d1.shape == (5, 2, 4, 4, 4)
    assert not torch.equal(d0, d1)  # each distiller its own memory
    # the distilled memories keep their graph (the loss trains them)
    assert d0.requires_grad


def test_recorder_reads_c_of_a_spatiotemporal_cell():
    model = tiny_predictor('PredRNNPredictor', pred_frames=3)
    recorder = StepMemoriesRecorder('cells.0')
    recorder.initialize(model)
    seen = []
    model.cells[0].register_forward_hook(lambda m, i, o: seen.append(o))
    with recorder:
        model(tiny_clips(t=6), mode='tensor', mask=torch.ones(2, 2))
    assert len(recorder.data_buffer) == 5
    # (H, C, M): the temporal memory C, not the zigzag memory M
    assert torch.equal(recorder.get_record_data(2, 0), seen[2][1])


def test_recorder_bad_inputs_are_one_line_errors():
    model = tiny_predictor('TMUPredictor', pred_frames=3, num_sources=1)
    recorder = StepMemoriesRecorder('cells.0.distiller')
    with pytest.raises(ValueError) as err:
        recorder.initialize(model)
    assert str(err.value).startswith('StepMemoriesRecorder: module')
    assert "'cells.0.distillers'" in str(err.value)
    with pytest.raises(ValueError, match='memory_index must be an int'):
        StepMemoriesRecorder('cells.0', memory_index='c')
    # a module whose output holds no memory at that index
    recorder = StepMemoriesRecorder('cells.0', memory_index=5)
    recorder.initialize(model)
    with pytest.raises(TypeError, match='set memory_index'):
        with recorder:
            model(tiny_clips(t=6), mode='tensor', mask=torch.ones(2, 2))
    empty = StepMemoriesRecorder('cells.0')
    empty.initialize(model)
    with pytest.raises(IndexError, match='no step was recorded'):
        empty.get_record_data(None)


# ----------------------------------------------------------------- loss
def test_loss_has_the_release_form_golden_numbers():
    # T = 2 steps, N = 2: sum_t MSE / (N * (T + 1)) per source
    d0 = torch.full((2, 2, 1, 1, 1), 2.0)
    d1 = torch.ones(2, 2, 1, 1, 1)
    zeros = torch.zeros(2, 2, 1, 1, 1)
    loss = TMUMemoryLoss(loss_weight=0.5)
    # source 0: MSE 4 per step -> 8 / 6; source 1: 1 per step -> 2 / 6
    value = loss([d0, d1], [zeros, zeros])
    assert value.item() == pytest.approx(0.5 * 10 / 6)
    assert loss.last_unweighted.item() == pytest.approx(10 / 6)
    # one source may be given as a tensor
    assert TMUMemoryLoss()(d1, zeros).item() == pytest.approx(2 / 6)
    # the MSE is a mean over (N, C, H, W) at each step
    d = torch.zeros(3, 2, 2, 2, 2)
    d[1, 0, 0, 0, 0] = 4.0  # one element of 16 at step 1
    assert TMUMemoryLoss()(d, torch.zeros_like(d)).item() == \
        pytest.approx(16.0 / 16 / (2 * 4))


def test_loss_gives_no_gradient_to_the_sources():
    d = torch.randn(2, 2, 3, 2, 2, requires_grad=True)
    c = torch.randn(2, 2, 3, 2, 2, requires_grad=True)
    TMUMemoryLoss()(d, c).backward()
    assert d.grad is not None and d.grad.abs().sum() > 0
    assert c.grad is None


def test_lambda_zero_logs_but_does_not_optimise():
    d = torch.randn(2, 2, 3, 2, 2, requires_grad=True)
    c = torch.randn(2, 2, 3, 2, 2)
    loss = TMUMemoryLoss(loss_weight=0)
    value = loss(d, c)
    assert value.item() == 0.0 and not value.requires_grad
    expected = ((d - c)**2).mean(dim=(1, 2, 3, 4)).sum() / (2 * 3)
    assert loss.last_unweighted.item() == pytest.approx(expected.item())
    # an overflowed memory still adds exactly zero
    inf = torch.full((2, 2, 3, 2, 2), float('inf'))
    assert loss(inf, c).item() == 0.0


@pytest.mark.parametrize('weight', [-0.1, -1, float('nan'), '1', True])
def test_negative_or_invalid_lambda_is_a_one_line_error(weight):
    with pytest.raises(ValueError) as err:
        TMUMemoryLoss(loss_weight=weight)
    message = str(err.value)
    assert '\n' not in message
    assert 'must be a number >= 0' in message
    assert 'use 0 to only log' in message


def test_loss_bad_inputs_name_the_fix():
    five = torch.zeros(2, 2, 4, 3, 3)
    with pytest.raises(ValueError, match='record_idx=None'):
        TMUMemoryLoss()(five[0], five[0])  # one step only (4-D)
    with pytest.raises(ValueError, match='2 distilled memories for 1'):
        TMUMemoryLoss()([five, five], [five])
    with pytest.raises(ValueError) as err:
        TMUMemoryLoss()(five, torch.zeros(2, 2, 8, 3, 3))
    assert '(2, 2, 8, 3, 3)' in str(err.value)
    assert '(2, 2, 4, 3, 3)' in str(err.value)
