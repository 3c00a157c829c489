"""The six saliency measures users expect (AUC-Judd, shuffled AUC, NSS, CC,
SIM, KLD) on one predicted map.

Definitions follow the MIT saliency benchmark (Bylinskii, Judd, Oliva,
Torralba, Durand, "What do different evaluation metrics tell us about
saliency models?", TPAMI 2019); where its reference code makes a random or
coarse choice we make a deterministic one, said at each function. All maps
are (H, W) arrays of the same size, computed in float64; the prediction is
non-negative, the ground truth a density (not all zero), the fixations a
binary map with at least one point.
"""
import numpy as np

#: epsilon of KLD (float64 machine epsilon, as the benchmark's code uses)
KLD_EPS = float(np.finfo(np.float64).eps)


def _standardise(x):
    """(x - mean) / std (population std); zeros for a constant map."""
    std = x.std()
    return np.zeros_like(x) if std == 0 else (x - x.mean()) / std


def _as_distribution(x):
    """``x`` scaled to sum 1; uniform when it sums to 0."""
    total = x.sum()
    return np.full_like(x, 1.0 / x.size) if total == 0 else x / total


def roc_auc(positives, negatives):
    """Exact area under the ROC curve: the chance that a random positive
    scores above a random negative, ties counting one half (Mann-Whitney).

    Args:
        positives (np.ndarray): (P,) scores, P >= 1.
        negatives (np.ndarray): (N,) scores, N >= 1.

    Returns:
        float: AUC in [0, 1].
    """
    negatives = np.sort(np.asarray(negatives, dtype=np.float64))
    positives = np.asarray(positives, dtype=np.float64)
    below = np.searchsorted(negatives, positives, side='left')
    not_above = np.searchsorted(negatives, positives, side='right')
    wins = below + 0.5 * (not_above - below)
    return float(wins.sum() / (len(positives) * len(negatives)))


def auc_judd(pred, fixations):
    """AUC-Judd: ROC area with thresholds at the fixated pixels' values.

    For each distinct value s of the prediction at a fixation (descending),
    the true-positive rate is the share of fixations with prediction >= s
    and the false-positive rate the share of the other pixels with
    prediction >= s; the curve from (0, 0) through these points to (1, 1)
    is integrated by the trapezoid rule. Ties count as above the threshold
    (the benchmark's code instead adds a tiny random jitter to the map).

    Args:
        pred (np.ndarray): (H, W) prediction.
        fixations (np.ndarray): (H, W) binary fixation map.

    Returns:
        float: in [0, 1]; 0.5 for a constant prediction.
    """
    pred = np.asarray(pred, dtype=np.float64).ravel()
    fixated = np.asarray(fixations).ravel() > 0
    at_fix, elsewhere = pred[fixated], np.sort(pred[~fixated])
    thresholds = np.unique(at_fix)[::-1]
    tpr = [0.0] + [(at_fix >= s).mean() for s in thresholds] + [1.0]
    if len(elsewhere):
        above = len(elsewhere) - np.searchsorted(
            elsewhere, thresholds, side='left')
        fpr = [0.0] + list(above / len(elsewhere)) + [1.0]
    else:  # every pixel fixated: no negatives
        fpr = [0.0] * (len(thresholds) + 1) + [1.0]
    tpr, fpr = np.array(tpr), np.array(fpr)
    return float((np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2).sum())


def shuffled_auc(pred, fixations, other_fixations):
    """Shuffled AUC: the prediction at this map's fixations against its
    values at the fixations of other maps (which share their centre bias).

    Computed exactly over all the other fixations (:func:`roc_auc`); the
    benchmark's code instead averages 100 random draws of as many negatives
    as fixations, with thresholds every 0.1.

    Args:
        pred (np.ndarray): (H, W) prediction.
        fixations (np.ndarray): (H, W) binary fixation map.
        other_fixations (np.ndarray): (N, 2) int (y, x) pixels of the other
            maps' fixations on this grid (a pixel may appear several times).

    Returns:
        float: in [0, 1]; 0.5 when the prediction is no better than a centre
        bias learned from the other maps.
    """
    pred = np.asarray(pred, dtype=np.float64)
    other = np.asarray(other_fixations, dtype=np.int64).reshape(-1, 2)
    if len(other) == 0:
        raise ValueError('shuffled AUC needs the fixations of other samples; '
                         'evaluate at least 2 samples or drop sauc')
    positives = pred[np.asarray(fixations) > 0]
    return roc_auc(positives, pred[other[:, 0], other[:, 1]])


def nss(pred, fixations):
    """Normalized Scanpath Saliency: the mean of the standardised prediction
    ((p - mean) / std, population std) at the fixations; 0 for a constant
    prediction."""
    z = _standardise(np.asarray(pred, dtype=np.float64))
    return float(z[np.asarray(fixations) > 0].mean())


def cc(pred, gt):
    """Pearson's linear correlation coefficient between prediction and
    ground-truth density; 0 when either map is constant."""
    a = np.asarray(pred, dtype=np.float64) - np.mean(pred)
    b = np.asarray(gt, dtype=np.float64) - np.mean(gt)
    denom = np.sqrt((a * a).sum() * (b * b).sum())
    return 0.0 if denom == 0 else float((a * b).sum() / denom)


def _range_then_sum(x):
    """Rescale to [0, 1] by min and max, then to sum 1 (SIM's
    normalisation); uniform for a constant map."""
    x = np.asarray(x, dtype=np.float64)
    span = x.max() - x.min()
    return _as_distribution(
        np.zeros_like(x) if span == 0 else (x - x.min()) / span)


def sim(pred, gt):
    """Similarity (histogram intersection): both maps rescaled to [0, 1] by
    min and max, then to sum 1; the sum of their pixel-wise minimum. In
    [0, 1], 1 for identical distributions."""
    return float(np.minimum(_range_then_sum(pred), _range_then_sum(gt)).sum())


def kld(pred, gt, eps=KLD_EPS):
    """Kullback-Leibler divergence KL(G || P) of the ground truth G from the
    prediction P, both scaled to sum 1 (no min subtraction):
    ``sum G * ln(eps + G / (P + eps))``, natural log, ``eps`` =
    float64 machine epsilon (as the benchmark's code). 0 for identical maps;
    lower is better."""
    p = np.asarray(pred, dtype=np.float64)
    g = np.asarray(gt, dtype=np.float64)
    p = p / (p.sum() + eps)
    g = g / (g.sum() + eps)
    return float((g * np.log(eps + g / (p + eps))).sum())


__all__ = [
    'KLD_EPS', 'auc_judd', 'cc', 'kld', 'nss', 'roc_auc', 'shuffled_auc', 'sim'
]
