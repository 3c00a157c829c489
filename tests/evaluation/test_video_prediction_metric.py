"""Per-frame video metrics (MSE, MAE, PSNR, SSIM) against hand-computed
values and SSIM's known properties; the mmengine metric's aggregation."""
import math

import numpy as np
import pytest
import torch
from mmrazor.registry import METRICS

from mmkd_transfer.evaluation import (VideoPredictionMetric, frame_mae,
                                      frame_mse, frame_psnr, frame_ssim)
from mmkd_transfer.evaluation.frame_metrics import gaussian_window

C1, C2 = 0.01**2, 0.03**2


def test_mse_and_mae_are_sums_over_the_frame():
    pred = torch.zeros(2, 1, 4, 4)
    target = torch.zeros(2, 1, 4, 4)
    target[0, 0, :2, :] = 0.5  # 8 pixels off by 0.5
    target[1, 0, 0, 0] = 1.0  # 1 pixel off by 1
    torch.testing.assert_close(
        frame_mse(pred, target), torch.tensor([8 * 0.25, 1.0]))
    torch.testing.assert_close(
        frame_mae(pred, target), torch.tensor([8 * 0.5, 1.0]))


def test_psnr_of_a_known_error():
    pred = torch.full((1, 3, 5, 5), 0.5)
    target = pred + 0.1  # mean squared error 0.01 -> 20 dB
    assert frame_psnr(pred, target).item() == pytest.approx(20.0, abs=1e-4)
    assert math.isinf(frame_psnr(pred, pred).item())


def test_gaussian_window():
    win = gaussian_window()
    assert win.shape == (11, 11)
    assert win.sum().item() == pytest.approx(1.0)
    # separable Gaussian: ratio of centre to a neighbour is exp(1 / 2s^2)
    assert (win[5, 5] / win[5, 6]).item() == pytest.approx(
        math.exp(1 / (2 * 1.5**2)))


def test_ssim_of_constant_frames_is_the_luminance_term():
    a, b = 0.2, 0.7
    x = torch.full((1, 16, 16), a, dtype=torch.float64)
    y = torch.full((1, 16, 16), b, dtype=torch.float64)
    expected = (2 * a * b + C1) / (a * a + b * b + C1)
    assert frame_ssim(x, y).item() == pytest.approx(expected, rel=1e-9)


def test_ssim_on_one_window_by_hand():
    rng = np.random.RandomState(0)
    x = rng.rand(11, 11)
    y = np.clip(x + 0.2 * rng.randn(11, 11), 0, 1)
    w = gaussian_window().numpy()
    mx, my = (w * x).sum(), (w * y).sum()
    vx = (w * (x - mx)**2).sum()
    vy = (w * (y - my)**2).sum()
    cxy = (w * (x - mx) * (y - my)).sum()
    expected = ((2 * mx * my + C1) * (2 * cxy + C2) / ((mx**2 + my**2 + C1) *
                                                       (vx + vy + C2)))
    got = frame_ssim(torch.tensor(x)[None], torch.tensor(y)[None]).item()
    assert got == pytest.approx(expected, rel=1e-9)
    assert 0 < got < 1


def test_ssim_properties():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(3, 2, 1, 20, 20, generator=g)
    y = (x + 0.3 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    s = frame_ssim(x, y)
    assert s.shape == (3, 2)
    torch.testing.assert_close(
        frame_ssim(x, x), torch.ones(3, 2, dtype=torch.float64))
    torch.testing.assert_close(frame_ssim(y, x), s)
    assert (s <= 1).all() and (s < 1).all()
    # more noise, lower SSIM
    z = (x + 0.6 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    assert (frame_ssim(x, z) < s).all()


def test_ssim_refuses_small_frames():
    with pytest.raises(ValueError, match='at least 11x11'):
        frame_ssim(torch.zeros(1, 8, 8), torch.zeros(1, 8, 8))


def test_metric_per_step_and_average():
    metric = METRICS.build(dict(type='VideoPredictionMetric'))
    assert isinstance(metric, VideoPredictionMetric)
    # two clips, two predicted steps, 12x12 frames
    gt = torch.zeros(2, 1, 12, 12)
    pred_a = gt.clone()
    pred_a[1, 0, 0, :4] = 0.5  # step 2: MSE 4 * 0.25 = 1.0
    pred_b = gt.clone()
    pred_b[0, 0, 0, :2] = 1.0  # step 1: MSE 2
    metric.process({}, [
        dict(pred_frames=pred_a, gt_frames=gt),
        dict(pred_frames=pred_b, gt_frames=gt)
    ])
    out = metric.evaluate(2)
    assert out['video/mse/step_1'] == pytest.approx(1.0)  # (0 + 2) / 2
    assert out['video/mse/step_2'] == pytest.approx(0.5)  # (1 + 0) / 2
    assert out['video/mse'] == pytest.approx(0.75)
    assert out['video/mae/step_1'] == pytest.approx(1.0)  # (0 + 2) / 2
    assert out['video/mae'] == pytest.approx((0 + 2 + 2 + 0) / 4)
    assert {'video/psnr', 'video/ssim', 'video/ssim/step_2'} <= set(out)


def test_metric_subset_without_steps():
    metric = VideoPredictionMetric(measures=['mse', 'psnr'], per_step=False)
    gt = torch.full((3, 1, 4, 4), 0.5)
    metric.process({}, [dict(pred_frames=gt + 0.1, gt_frames=gt)])
    out = metric.evaluate(1)
    assert set(out) == {'video/mse', 'video/psnr'}
    assert out['video/mse'] == pytest.approx(16 * 0.01, rel=1e-5)
    assert out['video/psnr'] == pytest.approx(20.0, abs=1e-3)


def test_metric_refuses_unknown_measures():
    with pytest.raises(ValueError, match='unknown measures'):
        VideoPredictionMetric(measures=['lpips'])


def test_metric_is_registered_in_mmrazor_and_exported():
    import mmkd_transfer
    assert METRICS.get('VideoPredictionMetric') is \
        mmkd_transfer.evaluation.VideoPredictionMetric
    assert 'VideoPredictionMetric' in mmkd_transfer.evaluation.__all__
