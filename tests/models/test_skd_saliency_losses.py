"""SKD's density-map losses (MSE, KL, 1 - CC) against hand-computed values
and float64 references; invariants; clear errors."""
import math

import pytest
import torch
from mmrazor.registry import MODELS


def build(type, **kw):
    return MODELS.build(dict(type=type, _scope_='mmrazor', **kw))


def test_mse_golden_value_and_target_resize():
    loss = build('SKDSaliencyMSELoss', pred_activation='none')
    pred = torch.tensor([[[[0.0, 1.0], [0.5, 0.25]]]])
    target = torch.full((1, 1, 2, 2), 0.5)
    # ((0.5)^2 + 0.5^2 + 0 + 0.25^2) / 4
    assert float(loss(pred, target)) == pytest.approx(0.140625)
    # a constant 4x4 target resized to 2x2 stays constant
    assert float(loss(pred, torch.full((1, 1, 4, 4), 0.5))) == \
        pytest.approx(0.140625)


def test_mse_on_logits_against_a_teacher_is_rho_weighted():
    torch.manual_seed(0)
    s, t = torch.randn(2, 1, 8, 8), torch.randn(2, 1, 4, 4)
    loss = build(
        'SKDSaliencyMSELoss', target_activation='sigmoid', loss_weight=2.0)
    up = torch.nn.functional.interpolate(
        torch.sigmoid(t), size=(8, 8), mode='bilinear', align_corners=False)
    expected = 2.0 * (torch.sigmoid(s) - up).pow(2).mean()
    torch.testing.assert_close(loss(s, t), expected)


def _kl64(p, q, eps=1e-7):
    p = p.double().clamp(min=0) + eps
    q = q.double().clamp(min=0) + eps
    p = p / p.sum((1, 2, 3), keepdim=True)
    q = q / q.sum((1, 2, 3), keepdim=True)
    return (q * (q / p).log()).sum((1, 2, 3)).mean()


def test_kl_matches_a_float64_reference_and_is_zero_for_equal_maps():
    torch.manual_seed(0)
    pred, target = torch.rand(3, 1, 6, 6), torch.rand(3, 1, 6, 6)
    loss = build('SKDSaliencyKLLoss', pred_activation='none')
    assert float(loss(pred, target)) == pytest.approx(
        float(_kl64(pred, target)), rel=1e-5)
    assert float(loss(target, target)) == pytest.approx(0.0, abs=1e-6)
    # KL is scale-free: a map and twice that map are the same distribution
    assert float(loss(2 * target, target)) == pytest.approx(0.0, abs=1e-6)
    assert float(loss(pred, target)) > 0


def test_kl_golden_value_two_pixels():
    loss = build('SKDSaliencyKLLoss', pred_activation='none', eps=1e-12)
    pred = torch.tensor([[[[1.0, 1.0]]]])  # (1/2, 1/2)
    target = torch.tensor([[[[3.0, 1.0]]]])  # (3/4, 1/4)
    expected = 0.75 * math.log(1.5) + 0.25 * math.log(0.5)
    assert float(loss(pred, target)) == pytest.approx(expected, rel=1e-5)


def test_cc_loss_is_zero_for_affine_copies_and_two_for_negated_maps():
    torch.manual_seed(0)
    target = torch.rand(2, 1, 5, 5)
    loss = build('SKDSaliencyCCLoss', pred_activation='none')
    assert float(loss(3 * target + 1, target)) == pytest.approx(0, abs=1e-5)
    assert float(loss(-target, target)) == pytest.approx(2, abs=1e-5)
    # hand-computed: x = (0, 1, 2), y = (0, 2, 1) -> CC = 0.5
    x = torch.tensor([[[[0., 1., 2.]]]])
    y = torch.tensor([[[[0., 2., 1.]]]])
    assert float(loss(x, y)) == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize(
    'name', ['SKDSaliencyMSELoss', 'SKDSaliencyKLLoss', 'SKDSaliencyCCLoss'])
def test_losses_give_gradients_to_the_prediction(name):
    torch.manual_seed(0)
    pred = torch.randn(2, 1, 8, 8, requires_grad=True)
    build(name)(pred, torch.rand(2, 1, 16, 16)).backward()
    assert pred.grad is not None and float(pred.grad.abs().sum()) > 0


def test_bad_arguments_and_shapes_are_one_line_errors():
    with pytest.raises(ValueError, match='sigmoid'):
        build('SKDSaliencyMSELoss', pred_activation='softmax')
    with pytest.raises(ValueError, match=r'\(N, 1, H, W\)'):
        build('SKDSaliencyMSELoss')(torch.zeros(2, 2, 4, 4),
                                    torch.zeros(2, 1, 4, 4))
    with pytest.raises(ValueError, match='eps'):
        build('SKDSaliencyKLLoss', eps=0)
