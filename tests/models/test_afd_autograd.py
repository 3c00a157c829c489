"""The hand-written backwards of AFD's value terms against autograd.

mmkd_transfer/models/losses/afd_autograd.py computes the AT values with fewer
kernels; here its values and gradients are checked against a plain-autograd
formulation and with ``gradcheck`` (float64), on layouts where maps of one
size are not next to each other and student maps are smaller than teacher
maps (pooling up).
"""
import pytest
import torch
import torch.nn.functional as F

from mmkd_transfer.models.losses.afd_autograd import (StudentMapStatistics,
                                                      student_map_statistics,
                                                      value_distance_loss)
from mmkd_transfer.models.losses.afd_loss import afd_feature_loss
from mmkd_transfer.models.utils import flat_pooling
from mmkd_transfer.models.utils.grouping import group_by_size

# sizes interleave on both sides; one student map is smaller than every
# teacher map but one, and 6x6 -> 4x4 pools with overlapping windows
S_SHAPES = [(3, 8, 8), (2, 4, 4), (3, 8, 8), (4, 2, 2), (2, 6, 6)]
T_SHAPES = [(5, 4, 4), (3, 8, 8), (5, 4, 4), (6, 2, 2)]


def features(shapes, batch=3, seed=0, dtype=torch.float64, grad=False):
    gen = torch.Generator().manual_seed(seed)
    return [
        torch.randn(batch, *s, generator=gen,
                    dtype=dtype).relu().requires_grad_(grad) for s in shapes
    ]


def reference_feature_loss(s_features, t_features, alpha):
    """L_AFD written with plain autograd ops, one pair at a time."""
    total = 0
    for i, t in enumerate(t_features):
        size = t.shape[-2:]
        v_t = F.normalize(t.pow(2).mean(1).flatten(1), dim=1)
        for j, s in enumerate(s_features):
            energy = s.pow(2).mean(1, keepdim=True)
            v_s = F.normalize(
                F.adaptive_avg_pool2d(energy, size).flatten(1), dim=1)
            dist = (v_s - v_t).pow(2).mean(1)
            total = total + (alpha[:, i, j] * dist).mean()
    return total


def test_statistics_match_plain_ops_and_gradcheck():
    feats = features(S_SHAPES, grad=True)
    gaps, energies = student_map_statistics(feats)
    for f, gap in zip(feats, gaps):
        torch.testing.assert_close(gap, f.mean((2, 3)))
    groups = group_by_size(feats)
    assert list(groups.values()) == [[0, 2], [1], [3], [4]]
    for members, energy in zip(groups.values(), energies):
        # Σ_c F²: the paper's 1/C cancels in the normalisation that follows
        expected = torch.stack(
            [feats[j].pow(2).sum(1).flatten(1) for j in members], dim=1)
        torch.testing.assert_close(energy, expected)
    assert torch.autograd.gradcheck(
        lambda *f: StudentMapStatistics.apply(group_by_size(f), *f),
        tuple(feats))


@pytest.mark.parametrize('max_entries', [0, 4096])
def test_feature_loss_matches_autograd_reference(monkeypatch, max_entries):
    monkeypatch.setattr(flat_pooling, 'MATMUL_POOL_MAX_ENTRIES', max_entries)
    s = features(S_SHAPES, seed=1, grad=True)
    t = features(T_SHAPES, seed=2)
    alpha = torch.rand(
        3,
        len(T_SHAPES),
        len(S_SHAPES),
        dtype=torch.float64,
        requires_grad=True)
    expected = reference_feature_loss(s, t, alpha)
    got = afd_feature_loss(s, t, alpha)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=0)
    grads_ref = torch.autograd.grad(expected, [alpha, *s])
    grads = torch.autograd.grad(got, [alpha, *s])
    for g_ref, g in zip(grads_ref, grads):
        torch.testing.assert_close(g, g_ref, rtol=1e-10, atol=1e-14)


def test_value_distance_loss_gradcheck():
    s = features(S_SHAPES, seed=3)
    t = features(T_SHAPES, seed=4)
    _, energies = student_map_statistics(s)
    energies = [e.detach().requires_grad_() for e in energies]
    alpha = torch.rand(
        3,
        len(T_SHAPES),
        len(S_SHAPES),
        dtype=torch.float64,
        requires_grad=True)
    groups = group_by_size(s)
    assert torch.autograd.gradcheck(
        lambda a, *e: value_distance_loss(a, e, groups, t), (alpha, *energies))


def test_dead_student_map_counts_as_distance_one():
    # an all-zero energy map normalises to 0, so ||0 - v_t||^2 = 1 (as
    # F.normalize does), with finite gradients
    s = [torch.zeros(2, 3, 4, 4, requires_grad=True)]
    t = features([(3, 4, 4)], batch=2, seed=5, dtype=torch.float32)
    alpha = torch.ones(2, 1, 1)
    value = afd_feature_loss(s, t, alpha)
    assert value.item() == pytest.approx(1 / 16)
    value.backward()
    assert torch.isfinite(s[0].grad).all()


def test_runs_under_the_profiler_with_shapes():
    # torch.profiler(record_shapes=True) records every argument of an
    # autograd Function and refuses dicts with tuple keys
    from torch.profiler import ProfilerActivity, profile
    s = features(S_SHAPES, seed=6, grad=True)
    t = features(T_SHAPES, seed=7)
    alpha = torch.rand(3, len(T_SHAPES), len(S_SHAPES), dtype=torch.float64)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True):
        afd_feature_loss(s, t, alpha).backward()
    assert all(f.grad is not None for f in s)


def test_channels_last_and_strided_maps_give_the_same_loss():
    # recorded maps need not be contiguous (channels_last models, slices)
    s = features(S_SHAPES, seed=8, grad=True)
    t = features(T_SHAPES, seed=9)
    alpha = torch.rand(3, len(T_SHAPES), len(S_SHAPES), dtype=torch.float64)
    expected = afd_feature_loss(s, t, alpha)
    grads = torch.autograd.grad(expected, s)
    s_cl = [
        f.detach().to(memory_format=torch.channels_last).requires_grad_()
        for f in s
    ]
    t_strided = [torch.cat([f, f], dim=1)[:, :f.size(1)] for f in t]
    got = afd_feature_loss(s_cl, t_strided, alpha)
    torch.testing.assert_close(got, expected)
    for g_ref, g in zip(grads, torch.autograd.grad(got, s_cl)):
        torch.testing.assert_close(g, g_ref)


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16])
def test_half_precision_maps_do_not_overflow(dtype):
    # Σ_c F² of 64 channels at 40 is 102,400: beyond float16's 65,504
    s = [torch.full((2, 64, 4, 4), 40.0, dtype=dtype, requires_grad=True)]
    t = [torch.full((2, 64, 4, 4), 40.0, dtype=dtype)]
    t[0][:, :, 0, 0] = 0.
    alpha = torch.ones(2, 1, 1)
    value = afd_feature_loss(s, t, alpha)
    assert value.dtype == torch.float32 and torch.isfinite(value)
    expected = afd_feature_loss([s[0].detach().float()], [t[0].float()], alpha)
    torch.testing.assert_close(value, expected)
    value.backward()
    assert s[0].grad.dtype == dtype and torch.isfinite(s[0].grad).all()


def test_afd_loss_under_cpu_autocast():
    from mmkd_transfer.models.losses.afd_loss import AFDLoss
    torch.manual_seed(0)
    shapes_s, shapes_t = [(8, 8, 8), (16, 4, 4)], [(32, 8, 8), (64, 4, 4)]
    loss = AFDLoss(qk_dim=8)
    loss.build_from_shapes(shapes_s, shapes_t)
    s = features(shapes_s, batch=4, seed=10, dtype=torch.float32, grad=True)
    t = features(shapes_t, batch=4, seed=11, dtype=torch.float32)
    expected = loss(s, t)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        value = loss(s, t)
    # the meta-network runs in bfloat16, the value terms in float32
    assert value.item() == pytest.approx(expected.item(), rel=2e-2)
    grads = torch.autograd.grad(value, s)
    assert all(g.dtype == torch.float32 and torch.isfinite(g).all()
               for g in grads)
