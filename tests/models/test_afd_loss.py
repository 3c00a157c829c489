"""AFDLoss (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021): invariants
from docs/methods/afd.md, a golden value and a naive double-loop reference."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS

import mmkd_transfer  # noqa: F401
from mmkd_transfer.models.losses.afd_loss import (AFDLoss, afd_feature_loss,
                                                  afd_loss_upper_bound)

# WRN-40-2 -> WRN-16-2 at 32x32 (docs/methods/afd.md): (C, H, W) of blocks.
WRN40_2 = [(32, 32, 32)] * 6 + [(64, 16, 16)] * 6 + [(128, 8, 8)] * 6
WRN16_2 = [(32, 32, 32)] * 2 + [(64, 16, 16)] * 2 + [(128, 8, 8)] * 2

# Tiny case: 2 student, 3 teacher layers, 3 distinct teacher sizes.
TINY_S = [(4, 8, 8), (8, 4, 4)]
TINY_T = [(6, 8, 8), (6, 4, 4), (12, 2, 2)]


def make_features(shapes, batch, gen, requires_grad=False):
    # Post-ReLU maps, like residual block outputs.
    return [
        torch.randn(batch, *s,
                    generator=gen).relu().requires_grad_(requires_grad)
        for s in shapes
    ]


def build_loss(s_shapes, t_shapes, qk_dim=8, loss_weight=1.0, seed=0):
    torch.manual_seed(seed)
    loss = AFDLoss(qk_dim=qk_dim, loss_weight=loss_weight)
    loss.build_from_shapes(s_shapes, t_shapes)
    return loss


def hand_bn(x, bn, layer=None, width=None):
    """Training-mode BatchNorm1d over rows, written out; with ``layer``, the
    features ``layer*width:(layer+1)*width`` of ``bn`` only."""
    weight, bias = bn.weight, bn.bias
    if layer is not None:
        weight = weight[layer * width:(layer + 1) * width]
        bias = bias[layer * width:(layer + 1) * width]
    mean = x.mean(0)
    var = ((x - mean)**2).mean(0)
    return (x - mean) / torch.sqrt(var + bn.eps) * weight + bias


def naive_afd(loss, s_feats, t_feats):
    """Reference: explicit loops over batch, teacher and student layers."""
    att = loss.attention
    d = loss.qk_dim
    n_b, n_t, n_s = s_feats[0].size(0), len(t_feats), len(s_feats)
    queries = []
    for i, f in enumerate(t_feats):
        w = att.proj.weight_of(i)  # teacher layers first
        queries.append(hand_bn(f.mean((2, 3)) @ w, att.proj_bn, i, d))
    keys = []
    for j, f in enumerate(s_feats):
        w = att.proj.weight_of(n_t + j)  # then student layers
        keys.append(
            torch.relu(hand_bn(f.mean((2, 3)) @ w, att.proj_bn, n_t + j, d)))
    # the shared bilinear map normalises over all (b, j) rows together
    rows = torch.stack([keys[j][b] for b in range(n_b) for j in range(n_s)])
    lin, bn = att.bilinear
    khat_rows = hand_bn(rows @ lin.weight.t(), bn)
    total = 0.0
    for i in range(n_t):
        h, w = t_feats[i].shape[-2:]
        for b in range(n_b):
            logits = []
            for j in range(n_s):
                khat = khat_rows[b * n_s + j, i * d:(i + 1) * d]
                logits.append(
                    (queries[i][b] @ khat + att.p_t[i] @ att.p_s[j]) /
                    math.sqrt(d))
            weights = torch.exp(torch.stack(logits))
            weights = weights / weights.sum()
            v_t = t_feats[i][b].pow(2).mean(0).flatten()
            v_t = v_t / v_t.norm()
            for j in range(n_s):
                e = s_feats[j][b:b + 1].pow(2).mean(1, keepdim=True)
                v_s = F.adaptive_avg_pool2d(e, (h, w)).flatten()
                v_s = v_s / v_s.norm()
                total = total + weights[j] * (
                    (v_s - v_t)**2).sum() / (h * w) / n_b
    return total * loss.loss_weight


def test_registered_and_config_build():
    loss = MODELS.build(dict(type='AFDLoss', qk_dim=16, loss_weight=50.))
    assert isinstance(loss, AFDLoss)
    assert (loss.qk_dim, loss.loss_weight) == (16, 50.)
    assert AFDLoss().qk_dim == 128 and AFDLoss().loss_weight == 200.
    assert list(loss.parameters()) == []  # nothing before the build


def test_attention_rows_sum_to_one():
    gen = torch.Generator().manual_seed(1)
    loss = build_loss(TINY_S, TINY_T)
    alpha = loss.attention(
        make_features(TINY_S, 4, gen), make_features(TINY_T, 4, gen))
    assert alpha.shape == (4, 3, 2)
    assert (alpha >= 0).all()
    torch.testing.assert_close(alpha.sum(-1), torch.ones(4, 3))


def test_bound_on_random_features():
    gen = torch.Generator().manual_seed(2)
    loss = build_loss(TINY_S, TINY_T)
    bound = afd_loss_upper_bound([s[1:] for s in TINY_T])
    assert bound == pytest.approx(2 / 64 + 2 / 16 + 2 / 4)
    for _ in range(3):
        value = loss(
            make_features(TINY_S, 4, gen), make_features(TINY_T, 4, gen))
        assert 0.0 <= value.item() <= bound
    # the bound is reached: student energy where the teacher has none
    s = [torch.zeros(2, 4, 8, 8), torch.zeros(2, 8, 4, 4)]
    t = [
        torch.zeros(2, 6, 8, 8),
        torch.zeros(2, 6, 4, 4),
        torch.zeros(2, 12, 2, 2)
    ]
    s[0][..., 0, 0] = 1.
    s[1][..., 0, 0] = 1.
    for f in t:
        f[..., -1, -1] = 1.
    alpha = torch.full((2, 3, 2), 0.5)
    assert afd_feature_loss(s, t, alpha).item() == pytest.approx(bound)


def test_bound_wrn40_2_to_wrn16_2():
    bound = afd_loss_upper_bound([s[1:] for s in WRN40_2])
    assert bound == pytest.approx(0.24609375)  # docs/methods/afd.md: ~0.246
    gen = torch.Generator().manual_seed(3)
    loss = build_loss(WRN16_2, WRN40_2, qk_dim=128, loss_weight=200.)
    value = loss(
        make_features(WRN16_2, 2, gen), make_features(WRN40_2, 2, gen))
    assert value.shape == ()
    assert 0.0 <= value.item() / 200. <= bound
    assert loss.last_attention.shape == (2, 18, 6)


def test_gradients_reach_every_meta_parameter():
    gen = torch.Generator().manual_seed(4)
    loss = build_loss(TINY_S, TINY_T)
    s = make_features(TINY_S, 4, gen, requires_grad=True)
    t = make_features(TINY_T, 4, gen, requires_grad=True)
    loss(s, t).backward()
    att = loss.attention
    named = dict(att.named_parameters())
    assert {'p_t', 'p_s', 'bilinear.0.weight'} <= set(named)
    for name, param in named.items():
        assert param.grad is not None, name
        assert param.grad.abs().sum() > 0, name
    # one weight per distinct width: teacher 6, 6, 12, then student 4, 8
    assert [tuple(w.shape)
            for w in att.proj.weights] == [(2, 6, 8), (1, 12, 8), (1, 4, 8),
                                           (1, 8, 8)]
    for f in s:
        assert f.grad is not None and f.grad.abs().sum() > 0
    for f in t:  # teacher features are detached inside
        assert f.grad is None


def test_overfitting_one_batch_lowers_the_loss():
    gen = torch.Generator().manual_seed(5)
    loss = build_loss(TINY_S, TINY_T)
    s = make_features(TINY_S, 4, gen, requires_grad=True)
    t = make_features(TINY_T, 4, gen)
    optim = torch.optim.Adam([*s, *loss.parameters()], lr=0.05)
    values = []
    for _ in range(40):
        optim.zero_grad()
        value = loss(s, t)
        value.backward()
        optim.step()
        values.append(value.item())
    assert values[-1] < 0.5 * values[0]


def test_vectorised_matches_naive_double_loop():
    gen = torch.Generator().manual_seed(6)
    loss = build_loss(TINY_S, TINY_T, loss_weight=3.).double()
    with torch.no_grad():  # non-trivial BN affine parameters
        for name, p in loss.named_parameters():
            if 'bn.' in name or '.1.' in name:
                p.copy_(torch.randn(p.shape, generator=gen).double())
    s = [f.double() for f in make_features(TINY_S, 3, gen)]
    t = [f.double() for f in make_features(TINY_T, 3, gen)]
    expected = naive_afd(loss, s, t)
    actual = loss(s, t)
    assert actual.item() == pytest.approx(expected.item(), abs=1e-6)
    assert actual.item() == pytest.approx(expected.item(), rel=1e-10)


def test_golden_value():
    loss = build_loss(TINY_S, TINY_T, qk_dim=8, loss_weight=1.0, seed=0)
    gen = torch.Generator().manual_seed(7)
    s = make_features(TINY_S, 3, gen)
    t = make_features(TINY_T, 3, gen)
    value = loss(s, t)
    # computed once with this code (torch 2.14.1, CPU, float32) and frozen
    assert value.item() == pytest.approx(0.1447392255, rel=1e-5)
    # the same value from the naive reference (float32)
    assert naive_afd(loss, s, t).item() == pytest.approx(
        value.item(), abs=1e-6)


def test_teacher_maps_larger_than_student_are_upsampled_by_pooling():
    # adaptive pooling also works when the teacher map is the larger one
    loss = build_loss([(4, 2, 2)], [(4, 8, 8), (4, 2, 2)])
    gen = torch.Generator().manual_seed(8)
    value = loss(
        make_features([(4, 2, 2)], 2, gen),
        make_features([(4, 8, 8), (4, 2, 2)], 2, gen))
    assert torch.isfinite(value)


def test_build_errors_and_idempotence():
    loss = AFDLoss(qk_dim=8)
    with pytest.raises(RuntimeError, match='before build_from_shapes'):
        loss([torch.ones(2, 4, 2, 2)], [torch.ones(2, 4, 2, 2)])
    with pytest.raises(ValueError, match='non-empty list'):
        loss.build_from_shapes(torch.Size([1, 4, 2, 2]), [(4, 2, 2)])
    with pytest.raises(ValueError, match='qk_dim'):
        AFDLoss(qk_dim=0)
    loss.build_from_shapes([(1, 4, 2, 2)], [(4, 2, 2)])
    params = list(loss.parameters())
    loss.build_from_shapes([(4, 2, 2)], [torch.Size([3, 4, 2, 2])])  # no-op
    assert list(loss.parameters()) == params
    with pytest.raises(RuntimeError, match='already built'):
        loss.build_from_shapes([(5, 2, 2)], [(4, 2, 2)])
    with pytest.raises(ValueError, match=r's_features\[0\] has shape'):
        loss([torch.ones(2, 5, 2, 2)], [torch.ones(2, 4, 2, 2)])
    with pytest.raises(ValueError, match='built for 1 t_features'):
        loss([torch.ones(2, 4, 2, 2)], [torch.ones(2, 4, 2, 2)] * 2)
    with pytest.raises(ValueError, match='at least 2'):
        loss([torch.ones(1, 4, 2, 2)], [torch.ones(1, 4, 2, 2)])
    loss.eval()  # batch 1 is fine with running statistics
    assert torch.isfinite(
        loss([torch.rand(1, 4, 2, 2)], [torch.rand(1, 4, 2, 2)]))
