"""The ConvLSTM / PredRNN video predictors: patch reshaping, scheduled
sampling, cell equations, shapes, gradients and a short optimisation."""
import pytest
import torch
import torch.nn.functional as F
from conftest import tiny_clips, tiny_predictor

from mmkd_transfer.models.predictors import (ConvLSTMCell, ConvLSTMPredictor,
                                             PredRNNPredictor,
                                             SpatioTemporalLSTMCell,
                                             reshape_patch, reshape_patch_back,
                                             sampling_mask, sampling_ratio)


# ---------------------------------------------------------- patch reshape
def test_patch_reshape_round_trip_and_layout():
    x = torch.arange(
        2 * 3 * 2 * 8 * 4, dtype=torch.float32).reshape(2, 3, 2, 8, 4)
    patches = reshape_patch(x, 2)
    assert patches.shape == (2, 3, 8, 4, 2)
    # channel c * p * p + dy * p + dx holds pixel (y * p + dy, x * p + dx)
    assert patches[1, 2, 1 * 4 + 1 * 2 + 0, 3, 1] == x[1, 2, 1, 7, 2]
    assert torch.equal(reshape_patch_back(patches, 2), x)
    assert torch.equal(reshape_patch(x, 1), x)


def test_patch_reshape_refuses_indivisible_frames():
    with pytest.raises(ValueError, match='not divisible by patch_size 3'):
        reshape_patch(torch.zeros(1, 1, 1, 8, 8), 3)


# ----------------------------------------------------- scheduled sampling
def test_sampling_ratio_schedule():
    assert sampling_ratio(0) == 1.0
    assert sampling_ratio(1, step=0.25) == 0.75
    assert sampling_ratio(3, step=0.25) == 0.25
    assert sampling_ratio(4, step=0.25) == 0.0
    assert sampling_ratio(100, step=0.25) == 0.0
    assert sampling_ratio(25_000) == pytest.approx(0.5)
    assert sampling_ratio(50_000) == 0.0


def test_sampling_mask_is_deterministic_and_follows_the_ratio():
    a = sampling_mask(7, 4, 10, step=0.01, seed=3)
    b = sampling_mask(7, 4, 10, step=0.01, seed=3)
    assert a.shape == (4, 9) and torch.equal(a, b)
    assert not torch.equal(a, sampling_mask(8, 4, 10, step=0.01, seed=3))
    assert torch.all(sampling_mask(0, 4, 10) == 1)
    assert torch.all(sampling_mask(10, 4, 10, step=0.1) == 0)
    frac = sampling_mask(50, 200, 11, step=0.01).mean().item()
    assert frac == pytest.approx(0.5, abs=0.05)


def test_target_and_source_draw_the_same_masks():
    target = tiny_predictor(sampling_step=0.3, sampling_seed=5)
    source = tiny_predictor(
        'PredRNNPredictor', sampling_step=0.3, sampling_seed=5)
    for _ in range(4):
        assert torch.equal(
            target.next_sampling_mask(3), source.next_sampling_mask(3))
    assert int(target.sampling_iteration) == 4


# ---------------------------------------------------------- cell equations
def _conv(x, conv):
    return F.conv2d(x, conv.weight, conv.bias, padding=conv.padding)


def test_conv_lstm_cell_matches_hand_written_equations():
    torch.manual_seed(0)
    cell = ConvLSTMCell(2, 3, 3, norm=False, forget_bias=0.5)
    x, h, c = (torch.randn(1, k, 4, 4) for k in (2, 3, 3))
    gates = _conv(torch.cat([x, h], 1), cell.conv)
    i, f, o, g = gates[:, :3], gates[:, 3:6], gates[:, 6:9], gates[:, 9:]
    c_ref = torch.sigmoid(f + 0.5) * c + torch.sigmoid(i) * torch.tanh(g)
    h_ref = torch.sigmoid(o) * torch.tanh(c_ref)
    h_new, c_new = cell(x, h, c)
    torch.testing.assert_close(c_new, c_ref)
    torch.testing.assert_close(h_new, h_ref)


def test_conv_lstm_cell_extra_gate_channels():
    cell = ConvLSTMCell(2, 3, 3, gate_channels=5)
    parts = cell.gates(torch.zeros(2, 2, 4, 4), torch.zeros(2, 3, 4, 4))
    assert [p.shape[1] for p in parts] == [3, 3, 3, 3, 5]
    assert ConvLSTMCell(2, 3, 3).gates(
        torch.zeros(2, 2, 4, 4), torch.zeros(2, 3, 4, 4))[4].shape[1] == 0


def test_conv_lstm_cell_layer_norm_normalises_the_conv():
    torch.manual_seed(0)
    cell = ConvLSTMCell(2, 3, 3, norm=True)
    out = cell.conv(torch.randn(2, 5, 5, 5))
    mean = out.mean(dim=(1, 2, 3))
    std = out.var(dim=(1, 2, 3), unbiased=False).sqrt()
    torch.testing.assert_close(mean, torch.zeros(2), atol=1e-5, rtol=0)
    torch.testing.assert_close(std, torch.ones(2), atol=1e-3, rtol=0)


def test_st_lstm_cell_matches_hand_written_equations():
    torch.manual_seed(0)
    nh = 2
    cell = SpatioTemporalLSTMCell(1, nh, 3, norm=False, forget_bias=1.0)
    x = torch.randn(1, 1, 3, 3)
    h, c, m = (torch.randn(1, nh, 3, 3) for _ in range(3))

    def split(t, k):
        return [t[:, j * nh:(j + 1) * nh] for j in range(k)]

    i_x, f_x, g_x, i_xm, f_xm, g_xm, o_x = split(_conv(x, cell.conv_x), 7)
    i_h, f_h, g_h, o_h = split(_conv(h, cell.conv_h), 4)
    i_m, f_m, g_m = split(_conv(m, cell.conv_m), 3)
    s = torch.sigmoid
    c_ref = s(f_x + f_h + 1) * c + s(i_x + i_h) * torch.tanh(g_x + g_h)
    m_ref = s(f_xm + f_m + 1) * m + s(i_xm + i_m) * torch.tanh(g_xm + g_m)
    mem = torch.cat([c_ref, m_ref], 1)
    o = s(o_x + o_h + _conv(mem, cell.conv_o))
    h_ref = o * torch.tanh(F.conv2d(mem, cell.conv_last.weight))
    h_new, c_new, m_new = cell(x, h, c, m)
    torch.testing.assert_close(c_new, c_ref)
    torch.testing.assert_close(m_new, m_ref)
    torch.testing.assert_close(h_new, h_ref)


def test_cells_refuse_even_filters():
    with pytest.raises(ValueError, match='filter_size must be odd'):
        ConvLSTMCell(1, 2, 4)


# ------------------------------------------------------- predictor stacks
@pytest.mark.parametrize('kind', ['ConvLSTMPredictor', 'PredRNNPredictor'])
def test_predictor_modes_and_shapes(kind):
    model = tiny_predictor(kind)
    clips = tiny_clips()
    out = model(clips, mode='tensor')
    assert out.shape == (2, 4, 1, 8, 8)
    # tensor mode needs only the input frames when no mask is given
    torch.testing.assert_close(model(clips[:, :3], mode='tensor'), out)
    losses = model(clips, mode='loss')
    assert set(losses) == {'loss'} and losses['loss'].dim() == 0
    preds = model(clips, mode='predict')
    assert len(preds) == 2
    assert preds[0]['pred_frames'].shape == (2, 1, 8, 8)
    assert torch.equal(preds[1]['gt_frames'], clips[1, 3:])
    assert 0 <= preds[0]['pred_frames'].min() <= \
        preds[0]['pred_frames'].max() <= 1


@pytest.mark.parametrize('kind', ['ConvLSTMPredictor', 'PredRNNPredictor'])
def test_every_parameter_gets_a_gradient(kind):
    model = tiny_predictor(kind)
    model(tiny_clips(), mode='loss')['loss'].backward()
    for name, param in model.named_parameters():
        assert param.grad is not None, name
        assert torch.isfinite(param.grad).all(), name
        assert param.grad.abs().sum() > 0, name


def test_mask_one_feeds_true_frames_mask_zero_feeds_outputs():
    model = tiny_predictor(pred_frames=3)
    clips = tiny_clips(t=6)
    free = model.rollout(clips[:, :3])
    torch.testing.assert_close(model.rollout(clips, torch.zeros(2, 2)), free)
    forced = model.rollout(clips, torch.ones(2, 2))
    # identical up to the first predicted frame, different after
    torch.testing.assert_close(forced[:, :3], free[:, :3])
    assert not torch.allclose(forced[:, 3:], free[:, 3:])
    # per-clip mask: clip 0 forced, clip 1 free
    mixed = model.rollout(clips, torch.tensor([[1., 1.], [0., 0.]]))
    torch.testing.assert_close(mixed[0], forced[0])
    torch.testing.assert_close(mixed[1], free[1])


def test_loss_counts_iterations_and_uses_the_mask():
    model = tiny_predictor(sampling_step=0.5)
    clips = tiny_clips()
    model(clips, mode='loss')
    model(clips, mode='loss')
    assert int(model.sampling_iteration) == 2
    # an explicit mask is used as given and does not count an iteration
    loss = model(clips, mode='loss', mask=torch.zeros(2, 1))['loss']
    out = model.rollout(clips, torch.zeros(2, 1))
    torch.testing.assert_close(loss, F.mse_loss(out, clips[:, 1:]))
    assert int(model.sampling_iteration) == 2


def test_loss_on_predicted_steps_only():
    model = tiny_predictor(supervise_input_steps=False)
    clips = tiny_clips()
    mask = torch.ones(2, 1)
    loss = model(clips, mode='loss', mask=mask)['loss']
    out = model.rollout(clips, mask)
    torch.testing.assert_close(loss, F.mse_loss(out[:, 2:], clips[:, 3:]))


def test_short_clip_is_a_one_line_error():
    model = tiny_predictor()
    with pytest.raises(ValueError) as err:
        model(tiny_clips(t=4), mode='loss')
    msg = str(err.value)
    assert '\n' not in msg and 'needs 5' in msg and 'input_frames=3' in msg


def test_registered_names_build_the_predictor_classes():
    assert isinstance(tiny_predictor(), ConvLSTMPredictor)
    assert isinstance(tiny_predictor('PredRNNPredictor'), PredRNNPredictor)


def test_predrnn_refuses_unequal_hidden_channels():
    with pytest.raises(ValueError, match='same hidden channels'):
        tiny_predictor('PredRNNPredictor', hidden_channels=[4, 8])


def test_hidden_channels_per_layer():
    model = tiny_predictor(hidden_channels=[3, 5], num_layers=2)
    assert [c.hidden_channels for c in model.cells] == [3, 5]
    with pytest.raises(ValueError, match='one per layer'):
        tiny_predictor(hidden_channels=[3, 5, 6], num_layers=2)


def test_data_preprocessor_stacks_and_scales():
    model = tiny_predictor()
    clip = torch.full((5, 1, 8, 8), 255, dtype=torch.uint8)
    data = model.data_preprocessor(dict(inputs=[clip, clip]))
    assert data['inputs'].shape == (2, 5, 1, 8, 8)
    assert data['inputs'].dtype == torch.float32
    assert torch.all(data['inputs'] == 1)
    with pytest.raises(ValueError, match=r'lie in \[0, 1\]'):
        model.data_preprocessor(dict(inputs=[clip.float()]))


@pytest.mark.parametrize('kind', ['ConvLSTMPredictor', 'PredRNNPredictor'])
def test_a_few_adam_steps_lower_the_loss(kind):
    model = tiny_predictor(kind)
    # a bright square moving one pixel to the right per frame
    clips = torch.zeros(2, 5, 1, 8, 8)
    for t in range(5):
        clips[:, t, :, 2:5, t:t + 3] = 1.0
    optim = torch.optim.Adam(model.parameters(), lr=1e-2)
    mask = torch.ones(2, 1)
    losses = []
    for _ in range(30):
        loss = model(clips, mode='loss', mask=mask)['loss']
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    # and well below predicting black frames (0.14 here)
    assert losses[-1] < 0.5 * clips[:, 1:].pow(2).mean().item()
