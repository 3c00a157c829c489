"""TMU's memory distillation loss (Yao et al., ICML 2020)."""
from typing import List, Sequence, Union

import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import Tensor, nn

Memories = Union[Tensor, Sequence[Tensor]]


def _as_list(memories: Memories, what: str) -> List[Tensor]:
    items = [memories] if isinstance(memories, Tensor) else list(memories)
    for item in items:
        if not isinstance(item, Tensor) or item.dim() != 5:
            got = tuple(item.shape) if isinstance(item, Tensor) else \
                type(item).__name__
            raise ValueError(
                f'TMUMemoryLoss: {what} must be (T, N, C, H, W) memories of '
                f'every step, got {got}: map the StepMemories recorder with '
                'record_idx=None in loss_forward_mappings.')
    return items


@MODELS.register_module()
class TMUMemoryLoss(nn.Module):
    """Distilled memories against the sources' memories, over steps and
    sources, in the form of the authors' release::

        L_mem = loss_weight * sum_m sum_t MSE(D^m_t, C^m_t) / (N * (T + 1))

    ``D^m_t`` is the memory the target's TMU cell distils for source ``m``
    at step ``t`` (its distiller's output), ``C^m_t`` the memory of source
    ``m``'s first cell at the same step on the same input; MSE is the mean
    over (N, C, H, W); T steps are recorded (a clip of ``T + 1`` frames,
    the release's ``total_length``) and N is the batch size. The release
    divides by ``N * total_length`` although the MSE is already a mean over
    the batch; we keep its form, so a ``loss_weight`` carries over from it
    (and scales with 1 / N). The sources' memories get no gradient.

    ``loss_weight`` is λ_mem. The release computes L_mem but never adds it
    to the objective: ``loss_weight=0`` reproduces that (the value is not
    optimised; the unweighted L_mem is still in :attr:`last_unweighted`,
    which ``TMUTransferDistill`` logs). The paper trains with it (λ_mem >
    0), so the default is 1.0.

    Args:
        loss_weight (float): λ_mem >= 0. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        if isinstance(loss_weight, bool) or \
                not isinstance(loss_weight, (int, float)) or \
                not loss_weight >= 0:
            raise ValueError(
                f'TMUMemoryLoss: loss_weight (lambda_mem) must be a number '
                f'>= 0, got {loss_weight!r}: use 0 to only log the memory '
                'loss (as the release does) or a positive weight to train '
                'with it.')
        self.loss_weight = float(loss_weight)
        self.last_unweighted = None

    def forward(self, distilled: Memories,
                source_memories: Memories) -> Tensor:
        """The weighted memory loss.

        Args:
            distilled (Tensor | list[Tensor]): the target's distilled
                memories, one (T, N, C, H, W) tensor per source.
            source_memories (Tensor | list[Tensor]): the sources' memories,
                one (T, N, C, H, W) tensor per source, in the same order.

        Returns:
            Tensor: scalar ``loss_weight * L_mem`` (a constant zero when
            ``loss_weight`` is 0, so nothing is optimised).
        """
        students = _as_list(distilled, 'distilled')
        sources = _as_list(source_memories, 'source_memories')
        if len(students) != len(sources):
            raise ValueError(
                f'TMUMemoryLoss: {len(students)} distilled memories for '
                f'{len(sources)} sources: the target needs one distiller per '
                'source (num_sources), recorded in the same order.')
        total = students[0].new_zeros(())
        for m, (d, c) in enumerate(zip(students, sources)):
            if d.shape != c.shape:
                raise ValueError(
                    f'TMUMemoryLoss: source {m} has memories of shape '
                    f'{tuple(c.shape)} (T, N, C, H, W) but the target '
                    f'distils {tuple(d.shape)}: give the sources the '
                    "target's first-cell hidden channels, patch size and "
                    'frame counts.')
            steps = d.shape[0]
            per_step = F.mse_loss(
                d.flatten(1), c.detach().flatten(1), reduction='none').mean(1)
            total = total + per_step.sum() / (d.shape[1] * (steps + 1))
        self.last_unweighted = total.detach()
        if self.loss_weight == 0:  # a zero, even if the memories overflow
            return total.new_zeros(())
        return self.loss_weight * total


__all__ = ['TMUMemoryLoss']
