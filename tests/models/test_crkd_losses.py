"""CRKD's loss terms (Feng, Lai, Xie; IEEE TIP 2021): invariants, golden
values, float64 naive references, gradients and switches."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmrazor.models.losses import KLDivergence
from mmrazor.registry import MODELS

import mmkd_transfer  # noqa: F401
from mmkd_transfer.models.losses import (CRKDAdversarialLoss, CRKDMMDLoss,
                                         CRKDPairwiseLoss,
                                         CRKDResolutionAwareLoss)
from mmkd_transfer.models.losses.crkd_adversarial_loss import (
    discriminator_bce, generator_bce)
from mmkd_transfer.models.losses.crkd_mmd_loss import (gaussian_mmd2,
                                                       median_squared_distance)
from mmkd_transfer.models.losses.crkd_pairwise_loss import relation_pair_loss


@pytest.fixture(autouse=True)
def _mmrazor_scope():
    """Build bare type names from mmrazor's registry even when an earlier
    test's Runner left its task scope (e.g. mmpretrain) as the default."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmrazor'):
        yield


def randn(*shape, seed=0, dtype=torch.float64):
    return torch.randn(
        *shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


# ---------------------------------------------------------------- references
def naive_kernel(a, b, sigmas):
    d2 = sum((float(u) - float(v))**2 for u, v in zip(a, b))
    return sum(math.exp(-d2 / (2 * s * s)) for s in sigmas) / len(sigmas)


def naive_mmd2(x, y, sigmas, unbiased):
    n, m = len(x), len(y)
    if not unbiased:
        kxx = sum(naive_kernel(a, b, sigmas) for a in x for b in x) / n**2
        kyy = sum(naive_kernel(a, b, sigmas) for a in y for b in y) / m**2
        kxy = sum(naive_kernel(a, b, sigmas) for a in x for b in y) / (n * m)
        return kxx + kyy - 2 * kxy
    total = 0.
    for i in range(n):
        for j in range(n):
            if i != j:
                total += (
                    naive_kernel(x[i], x[j], sigmas) +
                    naive_kernel(y[i], y[j], sigmas) -
                    naive_kernel(x[i], y[j], sigmas) -
                    naive_kernel(x[j], y[i], sigmas))
    return total / (n * (n - 1))


def naive_relation(s, t, normalize):
    n = len(s)

    def dists(z):
        return [[math.dist(z[i].tolist(), z[j].tolist()) for j in range(n)]
                for i in range(n)]

    ds, dt = dists(s), dists(t)
    if normalize:
        ms = sum(map(sum, ds)) / (n * (n - 1))
        mt = sum(map(sum, dt)) / (n * (n - 1))
        ds = [[v / ms for v in row] for row in ds]
        dt = [[v / mt for v in row] for row in dt]
    return sum((ds[i][j] - dt[i][j])**2 for i in range(n)
               for j in range(n) if i != j) / (
                   n * (n - 1))


# ---------------------------------------------------------------------- MMD
@pytest.mark.parametrize('seed', range(5))
@pytest.mark.parametrize('shift', [0., 0.3, 3.])
def test_biased_mmd_is_never_negative(seed, shift):
    x, y = randn(7, 5, seed=seed), randn(7, 5, seed=seed + 100) + shift
    loss = CRKDMMDLoss().double()
    assert loss(y, x).item() >= -1e-12
    assert gaussian_mmd2(x, y, torch.tensor([0.1, 1., 10.],
                                            dtype=x.dtype)) >= -1e-12


@pytest.mark.parametrize('unbiased', [False, True])
@pytest.mark.parametrize('median_scale', [False, True])
def test_mmd_is_zero_for_identical_sets(unbiased, median_scale):
    x = randn(6, 4, seed=1)
    loss = CRKDMMDLoss(unbiased=unbiased, median_scale=median_scale)
    assert loss(x.clone(), x).item() == pytest.approx(0., abs=1e-12)


@pytest.mark.parametrize('n', [1, 2, 5, 128])
def test_median_off_diagonal_equals_the_masked_median(n):
    from mmkd_transfer.models.losses.crkd_mmd_loss import median_off_diagonal
    sq = torch.rand(n, n, generator=torch.Generator().manual_seed(n)) + 0.1
    masked = sq[~torch.eye(n, dtype=torch.bool)]
    expected = masked.median() if masked.numel() else torch.tensor(1.)
    assert torch.equal(median_off_diagonal(sq), expected)


def test_mmd_closed_form_two_points():
    # x = {0}, y = {1}, σ = 1: k(x,x) = k(y,y) = 1, k(x,y) = exp(-1/2)
    x, y = torch.zeros(1, 1, dtype=torch.float64), torch.ones(1, 1).double()
    value = gaussian_mmd2(x, y, torch.tensor([1.], dtype=torch.float64))
    assert value.item() == pytest.approx(2 - 2 * math.exp(-0.5), abs=1e-15)
    assert value.item() == pytest.approx(0.786938680574733, abs=1e-12)


@pytest.mark.parametrize('unbiased', [False, True])
def test_mmd_matches_naive_float64_reference(unbiased):
    x, y = randn(5, 3, seed=2), randn(5, 3, seed=3) * 1.5 + 0.2
    sigmas = [0.5, 1., 2.]
    ours = gaussian_mmd2(x, y, torch.tensor(sigmas, dtype=x.dtype), unbiased)
    assert ours.item() == pytest.approx(
        naive_mmd2(x.tolist(), y.tolist(), sigmas, unbiased), abs=1e-13)


def test_mmd_loss_median_scale_matches_reference_and_is_scale_free():
    s, t = randn(6, 4, seed=4), randn(6, 4, seed=5) + 0.5
    loss = CRKDMMDLoss(sigmas=(0.5, 1., 2.), loss_weight=2.).double()
    # median over distinct pairs of the pooled 12 samples, by hand
    z = torch.cat([t, s])
    d2 = sorted(((z[i] - z[j])**2).sum().item() for i in range(12)
                for j in range(12) if i != j)
    median = d2[(len(d2) - 1) // 2]  # torch.median: the lower middle value
    assert median_squared_distance(t, s).item() == pytest.approx(median)
    sigmas = [m * math.sqrt(median) for m in (0.5, 1., 2.)]
    expected = 2. * naive_mmd2(t.tolist(), s.tolist(), sigmas, False)
    assert loss(s, t).item() == pytest.approx(expected, abs=1e-13)
    # with bandwidths that follow the data, the units do not matter
    assert loss(10 * s, 10 * t).item() == pytest.approx(expected, abs=1e-12)


def test_unbiased_mmd_can_be_negative_biased_cannot():
    # same distribution, few samples: the U-statistic scatters around 0
    values = [
        gaussian_mmd2(
            randn(4, 2, seed=k), randn(4, 2, seed=k + 50),
            torch.tensor([1.], dtype=torch.float64), True) for k in range(20)
    ]
    assert min(values) < 0
    biased = [
        gaussian_mmd2(
            randn(4, 2, seed=k), randn(4, 2, seed=k + 50),
            torch.tensor([1.], dtype=torch.float64)) for k in range(20)
    ]
    assert min(biased) > 0


def test_mmd_gradient_reaches_student_only_and_descends():
    t = randn(8, 4, seed=6).float() + 2.
    s = randn(8, 4, seed=7).float().requires_grad_()
    t.requires_grad_()
    loss = CRKDMMDLoss()
    value = loss(s, t)
    value.backward()
    assert t.grad is None  # teacher side detached
    assert torch.isfinite(s.grad).all() and s.grad.abs().sum() > 0
    with torch.no_grad():
        moved = s - 0.5 * s.grad
    assert loss(moved, t) < value


def test_mmd_width_mismatch_names_the_connector():
    with pytest.raises(ValueError, match='ResizeProjectConnector'):
        CRKDMMDLoss()(torch.randn(4, 3), torch.randn(4, 5))


# ----------------------------------------------------------------- pairwise
@pytest.mark.parametrize('mode', ['relation', 'instance'])
@pytest.mark.parametrize('shape', [(6, 5), (6, 3, 2, 2)])
def test_pair_loss_is_zero_for_equal_features(mode, shape):
    z = randn(*shape, seed=8).float()
    assert CRKDPairwiseLoss(mode=mode)(z.clone(), z).item() == pytest.approx(
        0., abs=1e-6)


def test_relation_pair_loss_golden_and_naive_reference():
    # points 0, 1, 2 and 0, 2, 4 on a line: d_s = 2 d_t, so without
    # normalisation the loss is mean over ordered pairs of d_t² = 2
    t = torch.tensor([[0.], [1.], [2.]], dtype=torch.float64)
    assert relation_pair_loss(2 * t, t, normalize=False).item() == \
        pytest.approx(2.0, abs=1e-15)
    assert relation_pair_loss(2 * t, t, normalize=True).item() == \
        pytest.approx(0.0, abs=1e-15)
    s, t = randn(5, 3, seed=9), randn(5, 7, seed=10)  # widths differ
    for normalize in (False, True):
        assert relation_pair_loss(s, t, normalize).item() == pytest.approx(
            naive_relation(s, t, normalize), abs=1e-12)


def test_relation_pair_loss_ignores_rotations_and_scale():
    s, t = randn(6, 4, seed=11), randn(6, 4, seed=12)
    rotation, _ = torch.linalg.qr(randn(4, 4, seed=13))
    loss = CRKDPairwiseLoss(mode='relation', loss_weight=3.).double()
    value = loss(s, t)
    assert loss(s, 5 * t @ rotation + 1.).item() == pytest.approx(
        value.item(), abs=1e-12)


def test_instance_pair_loss_golden():
    s = torch.tensor([[1., 2.], [0., 0.]])
    t = torch.tensor([[0., 0.], [3., 4.]])
    # (1 + 4 + 9 + 16) / 2 samples, times the weight
    assert CRKDPairwiseLoss(
        mode='instance', loss_weight=0.5)(s, t).item() == pytest.approx(7.5)


def test_pair_loss_gradient_is_finite_with_duplicate_samples():
    s = torch.tensor([[1., 2.], [1., 2.], [0., 1.]], requires_grad=True)
    t = torch.tensor([[0., 0.], [1., 0.], [3., 4.]])
    CRKDPairwiseLoss()(s, t).backward()
    assert torch.isfinite(s.grad).all() and s.grad.abs().sum() > 0


def test_pair_loss_bad_input():
    with pytest.raises(ValueError, match='relation'):
        CRKDPairwiseLoss(mode='relational')
    with pytest.raises(ValueError, match='connector'):
        CRKDPairwiseLoss(mode='instance')(torch.randn(3, 2), torch.randn(3, 4))


# ---------------------------------------------------------------------- RAD
def test_rad_equals_mmrazor_kl_divergence_on_logits():
    s, t = randn(8, 10, seed=14).float(), randn(8, 10, seed=15).float() * 3
    ours = CRKDResolutionAwareLoss(tau=4.)(s, t)
    theirs = KLDivergence(tau=4., reduction='batchmean')(s, t)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-5)
    assert CRKDResolutionAwareLoss()(t.clone(), t).item() == pytest.approx(
        0., abs=1e-6)


def test_rad_dense_student_is_resized_to_teacher_then_per_pixel_kl():
    s, t = randn(2, 3, 4, 4, seed=16), randn(2, 3, 8, 8, seed=17)
    up = F.interpolate(s, size=(8, 8), mode='bilinear', align_corners=False)
    tau = 2.
    p_t = F.softmax(t / tau, 1)
    expected = tau**2 * (p_t * (F.log_softmax(t / tau, 1) -
                                F.log_softmax(up / tau, 1))).sum(1).mean()
    loss = CRKDResolutionAwareLoss(tau=tau, loss_weight=0.5).double()
    assert loss(s, t).item() == pytest.approx(0.5 * expected.item(), abs=1e-12)


def test_rad_feature_term():
    s, t = randn(4, 6, seed=18).float(), randn(4, 6, seed=19).float()
    logits = randn(4, 3, seed=20).float()
    loss = CRKDResolutionAwareLoss(feature_weight=0.1, loss_weight=2.)
    expected = 2. * 0.1 * ((s - t)**2).sum(1).mean()
    assert loss(logits, logits, s, t).item() == pytest.approx(
        expected.item(), rel=1e-5)
    with pytest.raises(ValueError, match='feature_weight'):
        loss(logits, logits)


# --------------------------------------------------------------- adversarial
def test_adversarial_bce_golden():
    zeros = torch.zeros(5)
    assert discriminator_bce(zeros,
                             zeros).item() == pytest.approx(2 * math.log(2))
    assert generator_bce(zeros).item() == pytest.approx(math.log(2))
    loss = CRKDAdversarialLoss(loss_weight=0.25)
    assert loss(zeros).item() == pytest.approx(0.25 * math.log(2))
    # a confident, correct discriminator has a small loss
    assert loss.discriminator_loss(
        torch.full((3, ), 10.), torch.full((3, ), -10.)) < 1e-4


# ---------------------------------------------------- switches and registry
@pytest.mark.parametrize('cfg', [
    dict(type='CRKDResolutionAwareLoss', feature_weight=1.),
    dict(type='CRKDPairwiseLoss'),
    dict(type='CRKDMMDLoss'),
])
def test_loss_weight_zero_switches_off_and_keeps_graph(cfg):
    loss = MODELS.build(dict(cfg, loss_weight=0.))
    s = torch.randn(4, 5, requires_grad=True)
    value = loss(s, torch.randn(4, 5))
    assert value.item() == 0.
    value.backward()
    assert (s.grad == 0).all()


def test_losses_build_from_registry_with_defaults():
    for name in ('CRKDResolutionAwareLoss', 'CRKDPairwiseLoss', 'CRKDMMDLoss',
                 'CRKDAdversarialLoss'):
        loss = MODELS.build(dict(type=name))
        assert loss.loss_weight == 1.0
        assert 'loss_weight=1.0' in repr(loss)


@pytest.mark.parametrize('name', ['pair', 'mmd'])
def test_pool_maps_compares_pooled_embeddings_of_maps_of_any_size(name):
    # an LR student map (4x4) and an HR teacher map (8x8): with pool_maps
    # the loss is the loss of their global-average-pooled embeddings
    s_map, t_map = randn(5, 3, 4, 4, seed=20), randn(5, 3, 8, 8, seed=21)
    cls = CRKDPairwiseLoss if name == 'pair' else CRKDMMDLoss
    pooled = cls(loss_weight=2.).double()(s_map.mean((2, 3)), t_map.mean(
        (2, 3)))
    assert cls(
        loss_weight=2.,
        pool_maps=True).double()(s_map, t_map).item() == pytest.approx(
            pooled.item(), abs=1e-12)
    assert pooled.item() > 0
    # an HR teacher map upsampled from the student's: equal pooled rows
    same = s_map.repeat_interleave(2, 2).repeat_interleave(2, 3)
    assert cls(pool_maps=True).double()(s_map, same).item() == \
        pytest.approx(0., abs=1e-9)


def test_rad_feature_only_with_logit_weight_zero():
    # a detector: FPN maps only, the LR student's resized to the teacher's
    s, t = randn(2, 4, 2, 2, seed=22), randn(2, 4, 4, 4, seed=23)
    up = F.interpolate(s, size=(4, 4), mode='bilinear', align_corners=False)
    loss = CRKDResolutionAwareLoss(
        logit_weight=0., feature_weight=0.5, loss_weight=2.).double()
    expected = 2. * 0.5 * ((up - t)**2).flatten(1).sum(1).mean()
    assert loss(
        s_feature=s, t_feature=t).item() == pytest.approx(
            expected.item(), abs=1e-12)
    with pytest.raises(ValueError, match='logit_weight'):
        CRKDResolutionAwareLoss()(s_feature=s, t_feature=t)
    with pytest.raises(ValueError, match='loss_weight=0'):
        CRKDResolutionAwareLoss(logit_weight=0.)
