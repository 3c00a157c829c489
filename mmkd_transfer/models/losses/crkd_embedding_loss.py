"""Base of CRKD's batch-level terms (pair-wise constraint, MMD²): the
weight, the pooling of maps and the embeddings both terms compare."""
from typing import Tuple

from torch import Tensor, nn


def batch_embeddings(feature: Tensor, pool_maps: bool = False) -> Tensor:
    """(N, D) rows of a batch of features for the batch-level CRKD terms.

    Vectors (N, D) are returned as they are. Maps (N, C, H, W) are
    global-average-pooled to (N, C) when ``pool_maps`` (dense students and
    teachers: one embedding per image whatever its resolution), else
    flattened to (N, C·H·W) (the maps must then have one size on both
    sides).
    """
    if pool_maps and feature.dim() == 4:
        return feature.mean(dim=(2, 3))
    return feature.flatten(1)


class CRKDEmbeddingLoss(nn.Module):
    """A weighted loss between the student's and the teacher's batch
    embeddings (not registered: the pair-wise and MMD losses build on it).

    Args:
        loss_weight (float): weight; 0 switches the term off.
        pool_maps (bool): global-average-pool maps (N, C, H, W) to (N, C)
            before comparing them.
    """

    def __init__(self, loss_weight: float, pool_maps: bool) -> None:
        super().__init__()
        if loss_weight < 0:
            raise ValueError(f'loss_weight must be >= 0, got {loss_weight!r}.')
        self.loss_weight = float(loss_weight)
        self.pool_maps = pool_maps

    def embeddings(self, s_feature: Tensor,
                   t_feature: Tensor) -> Tuple[Tensor, Tensor]:
        """(student, teacher) embeddings; no gradient reaches the teacher."""
        return (batch_embeddings(s_feature, self.pool_maps),
                batch_embeddings(t_feature.detach(), self.pool_maps))


__all__ = ['CRKDEmbeddingLoss', 'batch_embeddings']
