"""Per-frame quality measures of predicted video frames in [0, 1].

All functions take ``pred`` and ``target`` of shape (..., C, H, W) and
return one value per frame, shape (...). MSE and MAE are *sums* over the
pixels of a frame (the convention of the PredRNN/TMU papers for Moving
MNIST), PSNR and SSIM use a data range of 1.
"""
import torch
import torch.nn.functional as F

#: SSIM's constants (Wang et al., 2004): C1 = (K1 L)^2, C2 = (K2 L)^2, L = 1
SSIM_K1, SSIM_K2 = 0.01, 0.03
SSIM_WINDOW, SSIM_SIGMA = 11, 1.5


def _check(pred, target):
    if pred.shape != target.shape or pred.dim() < 3:
        raise ValueError(f'pred and target must have the same shape '
                         f'(..., C, H, W), got {tuple(pred.shape)} and '
                         f'{tuple(target.shape)}')


def frame_mse(pred, target):
    """Squared error summed over each frame's pixels (and channels)."""
    _check(pred, target)
    return (pred - target).pow(2).flatten(-3).sum(-1)


def frame_mae(pred, target):
    """Absolute error summed over each frame's pixels (and channels)."""
    _check(pred, target)
    return (pred - target).abs().flatten(-3).sum(-1)


def frame_psnr(pred, target):
    """Peak signal-to-noise ratio in dB for values in [0, 1]:
    ``10 log10(1 / mean squared error)``; ``inf`` for identical frames."""
    _check(pred, target)
    mse = (pred - target).pow(2).flatten(-3).mean(-1)
    return 10 * torch.log10(1.0 / mse)


def gaussian_window(size=SSIM_WINDOW, sigma=SSIM_SIGMA):
    """A (size, size) Gaussian window summing to 1, float64."""
    x = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    g = torch.exp(-x.pow(2) / (2 * sigma**2))
    g = g / g.sum()
    return g[:, None] * g[None, :]


def frame_ssim(pred, target, window_size=SSIM_WINDOW, sigma=SSIM_SIGMA):
    """Structural similarity (Wang et al., 2004) per frame.

    Local statistics use a Gaussian window (11 x 11, sigma 1.5) over the
    positions where it fits entirely in the frame (no padding); the SSIM
    map is averaged over those positions and the channels. Computed in
    float64.

    Args:
        pred (torch.Tensor): (..., C, H, W) in [0, 1].
        target (torch.Tensor): same shape.
        window_size (int): window side. Defaults to 11.
        sigma (float): window standard deviation. Defaults to 1.5.

    Returns:
        torch.Tensor: (...) float64, at most 1 (1 for identical frames).
    """
    _check(pred, target)
    *lead, c, h, w = pred.shape
    if h < window_size or w < window_size:
        raise ValueError(f'SSIM needs frames of at least {window_size}x'
                         f'{window_size} pixels, got {h}x{w}')
    x = pred.detach().to(torch.float64).reshape(-1, 1, h, w)
    y = target.detach().to(torch.float64).reshape(-1, 1, h, w)
    win = gaussian_window(window_size, sigma).to(x.device)[None, None]

    def blur(z):
        return F.conv2d(z, win)

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    c1, c2 = SSIM_K1**2, SSIM_K2**2
    ssim_map = ((2 * mu_x * mu_y + c1) *
                (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) *
                                   (var_x + var_y + c2))
    per_channel = ssim_map.flatten(1).mean(1)
    return per_channel.reshape(*lead, c).mean(-1)


__all__ = [
    'frame_mae', 'frame_mse', 'frame_psnr', 'frame_ssim', 'gaussian_window'
]
