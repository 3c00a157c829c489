"""Saliency ground truth: checks and builders shared by the saliency sets.

A ground-truth saliency map is a density (where observers look): finite,
non-negative, not all zero. Datasets keep it max-normalised to [0, 1]; the
fixations are a binary map of the points looked at.
"""
import numpy as np


def check_saliency_map(saliency, where):
    """Refuse a ground-truth map that is not a density (one-line error).

    Args:
        saliency (np.ndarray): the map, any shape.
        where (str): the map's origin for the message (a file, a clip).

    Returns:
        np.ndarray: ``saliency`` as float32, max-normalised to [0, 1].
    """
    saliency = np.asarray(saliency, dtype=np.float32)
    if not np.isfinite(saliency).all():
        raise ValueError(f'{where}: the ground-truth saliency map has NaN or '
                         f'infinite values; it must be a density: fix or '
                         f'regenerate the map')
    low = float(saliency.min()) if saliency.size else 0.0
    if low < 0:
        raise ValueError(f'{where}: the ground-truth saliency map has '
                         f'negative values (min {low:.4g}); it must be a '
                         f'density: fix the map or clip it at 0')
    high = float(saliency.max()) if saliency.size else 0.0
    if high <= 0:
        raise ValueError(f'{where}: the ground-truth saliency map is all '
                         f'zero (no density); drop this frame or give it a '
                         f'map with fixations')
    return saliency / high


def gaussian_density(shape, centres, sigma):
    """Max-normalised sum of isotropic Gaussians.

    Args:
        shape (tuple[int, int]): (H, W).
        centres (np.ndarray): (K, 2) centres (y, x) in pixels, K >= 1.
        sigma (float): standard deviation in pixels.

    Returns:
        np.ndarray: (H, W) float32 in [0, 1], 1 at its peak.
    """
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    if len(centres) == 0:
        raise ValueError('gaussian_density needs at least one centre')
    ys = np.arange(shape[0], dtype=np.float64)[:, None]
    xs = np.arange(shape[1], dtype=np.float64)[None, :]
    density = np.zeros(shape, dtype=np.float64)
    for cy, cx in centres:
        density += np.exp(-((ys - cy)**2 + (xs - cx)**2) / (2.0 * sigma**2))
    return (density / density.max()).astype(np.float32)


def peak_fixations(saliency, min_ratio=0.5):
    """Fixation points read off a density: its local maxima (3 x 3) that
    reach ``min_ratio`` of the global maximum.

    For data that ships only blurred maps (no fixation points), the peaks
    stand in for the fixations the map was blurred from.

    Args:
        saliency (np.ndarray): (H, W) non-negative map.
        min_ratio (float): keep peaks >= ``min_ratio * max``.
            Defaults to 0.5.

    Returns:
        np.ndarray: (H, W) uint8, 1 at a fixation.
    """
    saliency = np.asarray(saliency, dtype=np.float32)
    padded = np.pad(saliency, 1, mode='constant', constant_values=-np.inf)
    h, w = saliency.shape
    neighbours = np.stack(
        [padded[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)])
    high_enough = saliency >= min_ratio * saliency.max()
    peaks = (saliency >= neighbours.max(0)) & high_enough & (saliency > 0)
    return peaks.astype(np.uint8)


def resize_fixations(fixations, size):
    """Move binary fixation points onto a grid of another size.

    Args:
        fixations (np.ndarray): (H, W) binary map.
        size (tuple[int, int]): target (H', W').

    Returns:
        np.ndarray: (H', W') uint8; a point (y, x) lands on
        ``(floor(y * H' / H), floor(x * W' / W))`` (points may merge).
    """
    h, w = fixations.shape
    out = np.zeros(size, dtype=np.uint8)
    ys, xs = np.nonzero(fixations)
    out[ys * size[0] // h, xs * size[1] // w] = 1
    return out


__all__ = [
    'check_saliency_map', 'gaussian_density', 'peak_fixations',
    'resize_fixations'
]
