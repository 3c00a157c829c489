"""CRKD's maximum mean discrepancy term (L_MMD): multi-bandwidth Gaussian
MMD² between the teacher's and the student's embeddings of a batch.

Feng, Lai, Xie, *Resolution-aware Knowledge Distillation for Efficient
Inference*, IEEE TIP 30, 2021, name MMD as the third term of their CRKD
loss. No code is public: the kernel, the bandwidths and the estimator are
ours. With k(x, y) = mean_σ exp(−||x − y||² / (2σ²)) over a set of
bandwidths σ and two batches X = {x_i}, Y = {y_j} of n samples each:

- biased (V-statistic): mean_ij k(x_i, x_j) + mean_ij k(y_i, y_j)
  − 2 mean_ij k(x_i, y_j). It is the squared RKHS distance between the two
  empirical mean embeddings, so it is never negative and is 0 when the two
  sets are equal.
- unbiased (U-statistic, Gretton et al. 2012, equal sizes): mean over i≠j of
  k(x_i, x_j) + k(y_i, y_j) − k(x_i, y_j) − k(x_j, y_i). Its expectation
  is the population MMD², but a batch value can be negative; it is 0 when
  the two sets are equal and paired in the same order.
"""
from typing import Sequence

import torch
from mmrazor.registry import MODELS
from torch import Tensor

from .crkd_embedding_loss import CRKDEmbeddingLoss


def squared_distances(x: Tensor, y: Tensor) -> Tensor:
    """||x_i − y_j||² for x (N, D), y (M, D) -> (N, M).

    Expanded as ||x||² + ||y||² − 2 x·y: one matrix product (the direct
    difference builds an (N, M, D) tensor, measured about 25x slower for
    N = 64, D = 256), clamped at 0 against round-off. Equal inputs give
    equal outputs, so the biased MMD² of a set with itself is exactly 0.
    """
    sq = x.pow(2).sum(1, keepdim=True) + y.pow(2).sum(1) - 2 * x @ y.t()
    return sq.clamp(min=0)


def multi_bandwidth_kernel(sq_dist: Tensor, sigmas: Tensor) -> Tensor:
    """mean_σ exp(−d² / (2σ²)) for squared distances (..., ) and
    bandwidths σ (B,) -> (...)."""
    # −1/(2σ²) on the B bandwidths, then one multiply over the matrix
    # (rather than a divide and a negation)
    return torch.exp(sq_dist.unsqueeze(-1) * (-0.5 / sigmas.pow(2))).mean(-1)


def mmd2_from_joint_distances(sq_dist: Tensor,
                              n_x: int,
                              sigmas: Tensor,
                              unbiased: bool = False) -> Tensor:
    """MMD² from the squared distances within z = x ∪ y.

    One distance matrix (one matrix product) serves the three kernel
    blocks x–x, y–y and x–y, and the median heuristic
    (:func:`median_off_diagonal`); the kernel is evaluated on those blocks
    only (the y–x block is the transpose of x–y).

    Args:
        sq_dist (Tensor): ||z_i − z_j||² for z = cat([x, y]), (N + M, N + M).
        n_x (int): N, the number of rows of x.
        sigmas (Tensor): bandwidths σ, (B,), all > 0.
        unbiased (bool): the U-statistic instead of the V-statistic.

    Returns:
        Tensor: scalar.
    """
    k_xx = multi_bandwidth_kernel(sq_dist[:n_x, :n_x], sigmas)
    k_yy = multi_bandwidth_kernel(sq_dist[n_x:, n_x:], sigmas)
    k_xy = multi_bandwidth_kernel(sq_dist[:n_x, n_x:], sigmas)
    if not unbiased:
        return k_xx.mean() + k_yy.mean() - 2 * k_xy.mean()
    n = n_x
    if len(sq_dist) - n_x != n or n < 2:
        raise ValueError('the unbiased MMD² needs two sets of the same size '
                         f'n >= 2, got {n_x} and {len(sq_dist) - n_x}.')
    # h(i, j) = k(x_i, x_j) + k(y_i, y_j) - k(x_i, y_j) - k(x_j, y_i)
    h = k_xx + k_yy - k_xy - k_xy.t()
    off_diagonal = h.sum() - h.diagonal().sum()
    return off_diagonal / (n * (n - 1))


def gaussian_mmd2(x: Tensor,
                  y: Tensor,
                  sigmas: Tensor,
                  unbiased: bool = False) -> Tensor:
    """MMD² between the sets x (N, D) and y (M, D) with the multi-bandwidth
    Gaussian kernel (module docstring: biased ≥ 0; unbiased needs N = M).

    Args:
        x (Tensor): first set, (N, D).
        y (Tensor): second set, (M, D).
        sigmas (Tensor): bandwidths σ, (B,), all > 0.
        unbiased (bool): the U-statistic instead of the V-statistic.

    Returns:
        Tensor: scalar.
    """
    z = torch.cat([x, y])
    return mmd2_from_joint_distances(
        squared_distances(z, z), len(x), sigmas, unbiased)


def median_off_diagonal(sq_dist: Tensor) -> Tensor:
    """Median of the off-diagonal entries of a square matrix of squared
    distances (the median heuristic's scale), detached; 1 when they are
    all 0 (or there are none)."""
    sq_dist = sq_dist.detach()
    n = len(sq_dist)
    # the off-diagonal entries without a boolean mask (measured 3x faster):
    # the flattened matrix without its first entry is n - 1 rows of n + 1,
    # each n off-diagonal entries followed by one diagonal entry
    off = sq_dist.flatten()[1:].view(n - 1, n + 1)[:, :-1] if n > 1 \
        else sq_dist.new_zeros(0)
    median = off.median() if off.numel() else sq_dist.new_tensor(1.)
    return median if median > 0 else median.new_tensor(1.)


def median_squared_distance(x: Tensor, y: Tensor) -> Tensor:
    """Median of the squared distances between distinct samples of x ∪ y
    (the median heuristic's scale), detached; 1 when all samples are
    equal."""
    z = torch.cat([x, y]).detach()
    return median_off_diagonal(squared_distances(z, z))


@MODELS.register_module()
class CRKDMMDLoss(CRKDEmbeddingLoss):
    """CRKD's multi-bandwidth Gaussian MMD² between teacher and student
    embeddings.

    Feng, Lai, Xie, *Resolution-aware Knowledge Distillation for Efficient
    Inference*, IEEE TIP 30, 2021; kernel, bandwidths and estimator are ours
    (see :mod:`.crkd_mmd_loss`)::

        L_MMD = loss_weight · MMD²_k({z_t^i}, {z_s^i})
        k(x, y) = mean_σ exp(−||x − y||² / (2σ²))

    With ``median_scale`` (ours, the median heuristic), the bandwidths are
    multipliers of the data's scale: σ² = m² · median_{a≠b} ||a − b||² over
    the pooled batch (detached), so one config suits any embedding width.
    Without it, ``sigmas`` are absolute. Maps (N, C, H, W) are flattened, or
    average-pooled to (N, C) with ``pool_maps``. The teacher side is
    detached.

    Args:
        sigmas (Sequence[float]): bandwidths (or multipliers m of the
            median scale). Defaults to (0.25, 0.5, 1.0, 2.0, 4.0).
        median_scale (bool): scale the bandwidths by the median distance.
            Defaults to True.
        unbiased (bool): the U-statistic (can be negative) instead of the
            biased V-statistic (never negative). Defaults to False.
        loss_weight (float): weight; 0 switches the term off. Defaults to
            1.0.
        pool_maps (bool): global-average-pool maps (N, C, H, W) to (N, C)
            first (dense models). Defaults to False.

    Examples:
        >>> loss_mmd = dict(type='CRKDMMDLoss', sigmas=(0.5, 1., 2.))
        >>> # loss_forward_mappings: s_feature (through a connector to the
        >>> # teacher's width) and t_feature, pooled (N, D)
    """

    def __init__(self,
                 sigmas: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 4.0),
                 median_scale: bool = True,
                 unbiased: bool = False,
                 loss_weight: float = 1.0,
                 pool_maps: bool = False) -> None:
        super().__init__(loss_weight, pool_maps)
        sigmas = [float(s) for s in sigmas]
        if not sigmas or min(sigmas) <= 0:
            raise ValueError('CRKDMMDLoss: sigmas must be a non-empty list '
                             f'of positive bandwidths, got {sigmas!r}.')
        self.register_buffer('sigmas', torch.tensor(sigmas), persistent=False)
        self.median_scale = median_scale
        self.unbiased = unbiased

    def forward(self, s_feature: Tensor, t_feature: Tensor) -> Tensor:
        """Compute the weighted MMD².

        Args:
            s_feature (Tensor): student embeddings, (N, D) or (N, C, H, W),
                already of the teacher's width.
            t_feature (Tensor): teacher embeddings, same shape.

        Returns:
            Tensor: scalar.
        """
        if self.loss_weight == 0:
            return s_feature.sum() * 0.
        s_embed, t_embed = self.embeddings(s_feature, t_feature)
        if s_embed.shape[1:] != t_embed.shape[1:]:
            raise ValueError(
                'CRKDMMDLoss compares embeddings of one width, got '
                f'{tuple(s_embed.shape)} and {tuple(t_embed.shape)}: project '
                'the student with a connector '
                "(type='ResizeProjectConnector').")
        sigmas = self.sigmas.to(s_embed.dtype)
        # one distance matrix over teacher ∪ student serves the median
        # and every kernel block
        z = torch.cat([t_embed, s_embed])
        sq_dist = squared_distances(z, z)
        if self.median_scale:
            sigmas = sigmas * median_off_diagonal(sq_dist).sqrt()
        return self.loss_weight * mmd2_from_joint_distances(
            sq_dist, len(t_embed), sigmas, self.unbiased)

    def extra_repr(self) -> str:
        return (f'sigmas={self.sigmas.tolist()}, '
                f'median_scale={self.median_scale}, '
                f'unbiased={self.unbiased}, loss_weight={self.loss_weight}, '
                f'pool_maps={self.pool_maps}')


__all__ = [
    'CRKDMMDLoss', 'gaussian_mmd2', 'mmd2_from_joint_distances',
    'multi_bandwidth_kernel', 'median_off_diagonal', 'median_squared_distance',
    'squared_distances'
]
