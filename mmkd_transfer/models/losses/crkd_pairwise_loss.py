"""CRKD's pair-wise constraint (L_pair), in relation and instance form.

Feng, Lai, Xie, *Resolution-aware Knowledge Distillation for Efficient
Inference*, IEEE TIP 30, 2021. The paper names a pair-wise constraint as one
of the three terms of its CRKD loss; no code is public, so both forms and
their normalisation are ours:

- relation form: the student reproduces the teacher's distances between
  the samples of a batch, ``mean_{i≠j} (d(z_s^i, z_s^j) − d(z_t^i,
  z_t^j))²``; student and teacher widths may differ;
- instance form: each student embedding matches its teacher embedding,
  ``mean_i ||z_s^i − z_t^i||²`` (widths must agree: use a connector).
"""
import torch
from mmrazor.registry import MODELS
from torch import Tensor

from .crkd_embedding_loss import CRKDEmbeddingLoss, batch_embeddings

# sqrt is not differentiable at 0 (two equal samples); clamp below it
_MIN_SQUARED_DISTANCE = 1e-12


def pairwise_distances(z: Tensor) -> Tensor:
    """Euclidean distances between the rows of z (N, D) -> (N, N); the
    diagonal is exactly 0 and every entry has a finite gradient.

    Squared distances come from ||a||² + ||b||² − 2 a·b, one matrix product
    (the direct difference builds an (N, N, D) tensor); round-off below the
    clamp is harmless, distances that small carry no gradient anyway.
    """
    norms = z.pow(2).sum(1)
    squared = norms.unsqueeze(1) + norms - 2 * z @ z.t()
    dist = squared.clamp(min=_MIN_SQUARED_DISTANCE).sqrt()
    return dist * (1 - torch.eye(len(z), dtype=z.dtype, device=z.device))


def relation_pair_loss(s_embed: Tensor,
                       t_embed: Tensor,
                       normalize: bool = True) -> Tensor:
    """mean over ordered pairs i≠j of (d_s(i, j) − d_t(i, j))².

    Args:
        s_embed (Tensor): student embeddings, (N, D_s); N >= 2.
        t_embed (Tensor): teacher embeddings, (N, D_t).
        normalize (bool): divide each distance matrix by its mean
            off-diagonal distance first (as RKD, Park et al. 2019, does), so
            embeddings of different scale or width compare. Ours.

    Returns:
        Tensor: scalar.
    """
    n = len(s_embed)
    d_s, d_t = pairwise_distances(s_embed), pairwise_distances(t_embed)
    if normalize:
        pairs = n * (n - 1)
        d_s = d_s / (d_s.sum() / pairs).clamp(min=_MIN_SQUARED_DISTANCE)
        d_t = d_t / (d_t.sum() / pairs).clamp(min=_MIN_SQUARED_DISTANCE)
    # diagonals are 0 on both sides, so the sum is over i≠j only
    return (d_s - d_t).pow(2).sum() / (n * (n - 1))


def instance_pair_loss(s_embed: Tensor, t_embed: Tensor) -> Tensor:
    """mean_i ||z_s^i − z_t^i||², for (N, D) embeddings of the same width."""
    return (s_embed - t_embed).pow(2).sum(1).mean()


@MODELS.register_module()
class CRKDPairwiseLoss(CRKDEmbeddingLoss):
    """CRKD's pair-wise constraint between student and teacher embeddings.

    Feng, Lai, Xie, *Resolution-aware Knowledge Distillation for Efficient
    Inference*, IEEE TIP 30, 2021. Forms and normalisation are ours::

        relation: loss_weight · mean_{i≠j} (d_s(i, j) − d_t(i, j))²
        instance: loss_weight · mean_i ||z_s^i − z_t^i||²

    with Euclidean d, each distance matrix divided by its mean when
    ``normalize``. Maps (N, C, H, W) are flattened to (N, C·H·W), or
    average-pooled to (N, C) with ``pool_maps``. The teacher side is
    detached. The loss is 0 when the embeddings are equal.

    Args:
        mode (str): ``'relation'`` (over the batch; widths may differ) or
            ``'instance'`` (per sample; same width). Defaults to
            ``'relation'``.
        normalize (bool): relation form only; see
            :func:`relation_pair_loss`. Defaults to True.
        loss_weight (float): weight; 0 switches the term off. Defaults to
            1.0.

    Examples:
        >>> loss_pair = dict(type='CRKDPairwiseLoss', mode='relation')
        >>> # loss_forward_mappings: s_feature / t_feature, pooled (N, D)
    """

    MODES = ('relation', 'instance')

    def __init__(self,
                 mode: str = 'relation',
                 normalize: bool = True,
                 loss_weight: float = 1.0,
                 pool_maps: bool = False) -> None:
        super().__init__(loss_weight, pool_maps)
        if mode not in self.MODES:
            raise ValueError(
                f'CRKDPairwiseLoss: mode must be one of {self.MODES}, got '
                f'{mode!r}.')
        self.mode = mode
        self.normalize = normalize

    def forward(self, s_feature: Tensor, t_feature: Tensor) -> Tensor:
        """Compute the weighted pair-wise loss.

        Args:
            s_feature (Tensor): student embeddings, (N, D_s) or (N, C, H, W).
            t_feature (Tensor): teacher embeddings, (N, D_t) or (N, C, H, W).

        Returns:
            Tensor: scalar.
        """
        if self.loss_weight == 0:
            return s_feature.sum() * 0.
        s_embed, t_embed = self.embeddings(s_feature, t_feature)
        if len(s_embed) != len(t_embed):
            raise ValueError(
                'CRKDPairwiseLoss: student and teacher batches differ, '
                f'{len(s_embed)} vs {len(t_embed)}.')
        if self.mode == 'instance':
            if s_embed.shape != t_embed.shape:
                raise ValueError(
                    'CRKDPairwiseLoss(mode=instance) needs embeddings of one '
                    f'width, got {tuple(s_embed.shape)} and '
                    f'{tuple(t_embed.shape)}: add a connector (e.g. '
                    "type='ResizeProjectConnector') or use mode='relation'.")
            return self.loss_weight * instance_pair_loss(s_embed, t_embed)
        if len(s_embed) < 2:
            raise ValueError('CRKDPairwiseLoss(mode=relation) needs a batch '
                             'of at least 2.')
        return self.loss_weight * relation_pair_loss(s_embed, t_embed,
                                                     self.normalize)

    def extra_repr(self) -> str:
        return (f'mode={self.mode!r}, normalize={self.normalize}, '
                f'loss_weight={self.loss_weight}, pool_maps={self.pool_maps}')


__all__ = [
    'CRKDPairwiseLoss', 'batch_embeddings', 'pairwise_distances',
    'relation_pair_loss', 'instance_pair_loss'
]
