"""The TMU cell: a plain ConvLSTM cell with zero sources, the gated memory
mix by hand with two, memory growth over rollouts."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder

from mmkd_transfer.models.predictors import ConvLSTMCell, TMUCell


def inputs(nh=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(2, 2, 5, 5,
                        generator=g), torch.randn(2, nh, 5, 5, generator=g),
            torch.randn(2, nh, 5, 5, generator=g))


@pytest.mark.parametrize('norm', [True, False])
def test_zero_sources_is_the_plain_cell(norm):
    torch.manual_seed(0)
    plain = ConvLSTMCell(2, 3, 3, norm=norm)
    tmu = TMUCell(2, 3, 3, num_sources=0, norm=norm)
    assert tmu.state_dict().keys() == plain.state_dict().keys()
    tmu.load_state_dict(plain.state_dict())
    x, h, c = inputs()
    for a, b in zip(tmu(x, h, c), plain(x, h, c)):
        assert torch.equal(a, b)


def test_gated_memory_mix_by_hand():
    torch.manual_seed(0)
    nh = 3
    cell = TMUCell(
        2, nh, 3, num_sources=2, norm=False, forget_bias=0.0, memory_mix='sum')
    assert cell.conv.out_channels == (4 + 2) * nh
    # non-trivial LayerNorm affine, to see it is applied
    for d in cell.distillers:
        d[1].weight.data.uniform_(0.5, 1.5)
        d[1].bias.data.uniform_(-0.5, 0.5)
    x, h, c = inputs(nh)
    z = F.conv2d(
        torch.cat([x, h], 1), cell.conv.weight, cell.conv.bias, padding=1)
    i, f, o, g, s1, s2 = torch.split(z, nh, dim=1)
    c_plain = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_ref = torch.sigmoid(o) * torch.tanh(c_plain)
    c_ref = c_plain
    for distiller, s in zip(cell.distillers, (s1, s2)):
        conv, norm = distiller
        d = F.group_norm(
            F.conv2d(c_plain, conv.weight), 1, norm.weight, norm.bias,
            norm.eps)
        # LayerNorm over (C, H, W) per sample, per-channel affine
        flat = F.conv2d(c_plain, conv.weight).flatten(1)
        ln = (flat - flat.mean(1, keepdim=True)) / torch.sqrt(
            flat.var(1, unbiased=False, keepdim=True) + norm.eps)
        torch.testing.assert_close(
            d,
            ln.view_as(d) * norm.weight[:, None, None] +
            norm.bias[:, None, None])
        t = torch.sigmoid(s)
        c_ref = c_ref + t * d + (1 - t) * c_plain
    h_new, c_new = cell(x, h, c)
    torch.testing.assert_close(h_new, h_ref)
    torch.testing.assert_close(c_new, c_ref)


def test_one_distiller_record_per_step():
    torch.manual_seed(0)
    cell = TMUCell(2, 3, 3, num_sources=2)
    recorder = ModuleOutputsRecorder('distillers.1')
    recorder.initialize(cell)
    x, h, c = inputs()
    with recorder:
        for _ in range(4):
            h, c = cell(x, h, c)
    assert len(recorder.data_buffer) == 4
    assert recorder.data_buffer[0].shape == (2, 3, 5, 5)


def rollout_max_memory(cell, steps):
    x, h, c = inputs()
    h, c = torch.zeros_like(h), torch.zeros_like(c)
    peaks = []
    with torch.no_grad():
        for _ in range(steps):
            h, c = cell(torch.rand_like(x), h, c)
            peaks.append(c.abs().max().item())
    return peaks


def test_mean_mix_keeps_the_memory_bounded_over_a_long_rollout():
    torch.manual_seed(0)
    cell = TMUCell(2, 3, 3, num_sources=2, memory_mix='mean')
    peaks = rollout_max_memory(cell, 300)
    # a plain ConvLSTM memory grows at most by 1 per step; the layer-
    # normalised distilled memories are bounded: no geometric growth
    assert max(peaks) < 20


def test_mean_mix_is_the_default():
    assert TMUCell(2, 3, 3, num_sources=2).memory_mix == 'mean'


def test_sum_mix_is_finite_over_the_paper_horizon_but_amplifies():
    # the paper's form: finite over 10 + 10 frames, yet C' is amplified
    # up to (1 + M) times per step (see TMUCell's docstring)
    torch.manual_seed(0)
    peaks = rollout_max_memory(
        TMUCell(2, 3, 3, num_sources=2, memory_mix='sum'), 20)
    assert all(map(math.isfinite, peaks))
    assert peaks[-1] > 100 * peaks[0]
    torch.manual_seed(0)
    plain = rollout_max_memory(TMUCell(2, 3, 3, num_sources=0), 20)
    assert max(plain) < 20


def test_mean_mix_by_hand():
    torch.manual_seed(0)
    a = TMUCell(2, 3, 3, num_sources=2, memory_mix='mean')
    b = TMUCell(2, 3, 3, num_sources=2, memory_mix='sum')
    b.load_state_dict(a.state_dict())
    x, h, c = inputs()
    ha, ca = a(x, h, c)
    hb, cb = b(x, h, c)
    torch.testing.assert_close(ha, hb)
    torch.testing.assert_close(ca, cb / 3)


def test_gradients_reach_distillers_and_gates():
    torch.manual_seed(0)
    cell = TMUCell(2, 3, 3, num_sources=2)
    x, h, c = inputs()
    h, c = cell(x, h, c)
    h2, _ = cell(x, h, c)  # the mixed memory feeds the next H
    h2.sum().backward()
    for name, p in cell.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_bad_arguments_refused():
    with pytest.raises(ValueError, match='num_sources must be an int >= 0'):
        TMUCell(2, 3, 3, num_sources=-1)
    with pytest.raises(ValueError, match='memory_mix must be one of'):
        TMUCell(2, 3, 3, memory_mix='max')


# ------------------------------------------------------ the TMU predictor
def tiny(kind, **kwargs):
    from mmrazor.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type=kind,
            hidden_channels=4,
            num_layers=2,
            filter_size=3,
            patch_size=2,
            input_frames=3,
            pred_frames=2,
            **kwargs))


def test_tmu_predictor_with_zero_sources_is_a_convlstm_predictor():
    plain = tiny('ConvLSTMPredictor')
    tmu = tiny('TMUPredictor', num_sources=0)
    assert isinstance(tmu.cells[0], TMUCell)
    assert tmu.state_dict().keys() == plain.state_dict().keys()
    tmu.load_state_dict(plain.state_dict())
    clips = torch.rand(2, 5, 1, 8, 8)
    assert torch.equal(tmu(clips), plain(clips))


def test_tmu_predictor_records_one_distilled_memory_per_step():
    model = tiny('TMUPredictor', num_sources=2)
    recorder = ModuleOutputsRecorder('cells.0.distillers.1')
    recorder.initialize(model)
    with recorder:
        loss = model(torch.rand(2, 5, 1, 8, 8), mode='loss')['loss']
    assert len(recorder.data_buffer) == 4  # 3 + 2 - 1 steps
    assert recorder.data_buffer[0].shape == (2, 4, 4, 4)
    loss.backward()
    assert model.cells[0].distillers[1][0].weight.grad is not None
