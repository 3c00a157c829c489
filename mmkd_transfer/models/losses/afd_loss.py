"""AFD loss: attention-weighted matching of every teacher/student layer pair.

Implements *Show, Attend and Distill: Knowledge Distillation via
Attention-based Feature Matching* (Mingi Ji, Byeongho Heo, Sungrae Park;
AAAI 2021; arXiv 2102.02973). Reference code:
github.com/clovaai/attention-feature-distillation (``distill/AFD.py``).

The value/distance math is in :mod:`.afd_autograd` (with hand-written
backwards, for speed), the attention in :mod:`.afd_attention`;
:class:`AFDLoss` wires them together (equation names from docs/methods/afd.md).
"""
from typing import List, Optional, Sequence

import torch
from mmrazor.registry import MODELS
from torch import Tensor, nn

from ..utils.grouping import Size2d
from .afd_attention import AFDAttention
from .afd_autograd import (group_by_size, student_map_statistics,
                           value_distance_loss)


def afd_feature_loss(s_features: Sequence[Tensor],
                     t_features: Sequence[Tensor], alpha: Tensor) -> Tensor:
    """L_AFD = Σ_i mean_b Σ_j α_{b,i,j} ||v_s^{j→i} − v_t^i||² / (H_i W_i).

    Vectorised over layer pairs (:class:`~.afd_autograd.ValueDistanceLoss`):
    maps of one spatial size are handled as one tensor; each student energy
    map is computed once and pooled once per distinct teacher size.

    Args:
        s_features (list[Tensor]): S maps, each (N, C_j, H_j, W_j).
        t_features (list[Tensor]): T maps, each (N, C_i, H_i, W_i).
        alpha (Tensor): attention α, shape (N, T, S).

    Returns:
        Tensor: scalar loss (no loss weight applied).
    """
    s_groups = group_by_size(s_features)
    _, energies = student_map_statistics(s_features, s_groups)
    return value_distance_loss(alpha, energies, s_groups, t_features)


def afd_loss_upper_bound(t_sizes: Sequence[Size2d]) -> float:
    """Σ_i 2/(H_i W_i): L_AFD never exceeds this (values are non-negative
    unit vectors, so each squared distance is at most 2)."""
    return sum(2.0 / (h * w) for h, w in t_sizes)


@MODELS.register_module()
class AFDLoss(nn.Module):
    """AFD: attention-based feature distillation loss with its meta-network.

    *Show, Attend and Distill: Knowledge Distillation via Attention-based
    Feature Matching* (Ji, Heo, Park; AAAI 2021; arXiv 2102.02973); reference
    code github.com/clovaai/attention-feature-distillation.

    Every teacher layer i is matched to every student layer j; the
    meta-network's attention α_{b,i,j} (softmax over j) weights each pair::

        L = loss_weight · Σ_i mean_b Σ_j α_{b,i,j}
                          · ||v_s^{j→i} − v_t^i||² / (H_i W_i)

    with AT-style values v (square, channel mean, adaptive-avg-pool the
    student to the teacher's size, flatten, L2-normalise). Gradients flow
    into α, so the meta-network is trained by this loss in the student's
    optimizer.

    The meta-network's sizes are not typed by hand: call
    :meth:`build_from_shapes` once before the optimizer is built (the
    :class:`~mmkd_transfer.models.distillers.ShapeInferringDistiller` does
    that from a dry forward in ``init_from_dry_run``). Spatial sizes are read
    from the features at every call, so only channel counts and layer counts
    are fixed by the build.

    Note:
        Differences from the reference code, none of which changes the
        value or the gradients in training (checked in float64 on the
        WRN-40-2 -> WRN-16-2 shapes): the Linear layers before BN1d have no
        bias (BN removes it); teacher features are detached here rather than
        relying on the caller's ``no_grad``; maps are grouped by spatial size
        (the code groups by full shape) so students are pooled once per size;
        per-layer Linear/BN1d are batched (:class:`~.afd_attention.
        AFDAttention`); the value terms have hand-written backwards
        (:mod:`.afd_autograd`; float64 agreement with autograd is tested).
        In eval mode the meta-network uses BN running statistics, and
        training needs batches of at least 2.

    Args:
        qk_dim (int): d, the size of queries and keys. Defaults to 128.
        loss_weight (float): β. Defaults to 200.0 (paper, CIFAR-100; a
            third-party ImageNet R34→R18 port used 50).

    Examples:
        >>> # in a distiller config; both records are lists of maps
        >>> distill_losses = dict(
        ...     loss_afd=dict(type='AFDLoss', qk_dim=128, loss_weight=200.))
        >>> student_recorders = dict(blocks=dict(
        ...     type='ModuleListOutputs', source=['backbone.layer*.*']))
        >>> teacher_recorders = dict(blocks=dict(
        ...     type='ModuleListOutputs', source=['backbone.layer*.*']))
        >>> loss_forward_mappings = dict(loss_afd=dict(
        ...     s_features=dict(recorder='blocks', from_student=True),
        ...     t_features=dict(recorder='blocks', from_student=False)))
    """

    def __init__(self, qk_dim: int = 128, loss_weight: float = 200.0) -> None:
        super().__init__()
        if not isinstance(qk_dim, int) or qk_dim < 1:
            raise ValueError(f'qk_dim must be a positive int, got {qk_dim!r}.')
        self.qk_dim = qk_dim
        self.loss_weight = float(loss_weight)
        self.register_module('attention', None)
        # α of the last training call, (N, T, S), detached; for visualisation.
        self.last_attention: Optional[Tensor] = None

    @property
    def is_built(self) -> bool:
        return self.attention is not None

    @staticmethod
    def _channels(shapes: Sequence[Sequence[int]], side: str) -> List[int]:
        if isinstance(shapes, torch.Size) or not isinstance(
                shapes, (list, tuple)) or len(shapes) == 0:
            raise ValueError(
                f'AFDLoss.build_from_shapes: {side} must be a non-empty list '
                'of feature shapes ((C, H, W) or (N, C, H, W)), one per '
                'layer; '
                f'got {shapes!r}. Record the layers with a ModuleListOutputs '
                'recorder.')
        channels = []
        for idx, shape in enumerate(shapes):
            if not isinstance(shape,
                              (list, tuple)) or len(shape) not in (3, 4):
                raise ValueError(
                    f'AFDLoss.build_from_shapes: {side}[{idx}] must be a '
                    f'(C, H, W) or (N, C, H, W) shape, got {shape!r}.')
            channels.append(int(shape[-3]))
        return channels

    def build_from_shapes(self, s_features: Sequence[Sequence[int]],
                          t_features: Sequence[Sequence[int]]) -> None:
        """Build the meta-network for the given feature shapes.

        Called once, before the optimizer is built. The arguments carry the
        *shapes* of what :meth:`forward` will receive, under the same names
        (the distiller's generic contract). Calling it again with the same
        channel lists is a no-op; with other ones it raises.

        Args:
            s_features (list): S student shapes, (C, H, W) or (N, C, H, W).
            t_features (list): T teacher shapes, (C, H, W) or (N, C, H, W).
        """
        s_channels = self._channels(s_features, 's_features')
        t_channels = self._channels(t_features, 't_features')
        if self.is_built:
            if (s_channels, t_channels) != (self.attention.s_channels,
                                            self.attention.t_channels):
                raise RuntimeError(
                    'AFDLoss is already built for student channels '
                    f'{self.attention.s_channels} and teacher channels '
                    f'{self.attention.t_channels}; refusing to rebuild for '
                    f'{s_channels} / {t_channels} (the optimizer may already '
                    'hold the old parameters).')
            return
        self.attention = AFDAttention(s_channels, t_channels, self.qk_dim)

    def _check_inputs(self, s_features: List[Tensor],
                      t_features: List[Tensor]) -> None:
        if not self.is_built:
            raise RuntimeError(
                'AFDLoss.forward called before build_from_shapes(): build the '
                'meta-network before the optimizer, e.g. with '
                'ShapeInferringDistiller.init_from_dry_run(student, teacher, '
                'inputs).')
        for side, feats, channels in (('s_features', s_features,
                                       self.attention.s_channels),
                                      ('t_features', t_features,
                                       self.attention.t_channels)):
            if not isinstance(feats, (list, tuple)):
                raise TypeError(
                    f'AFDLoss: {side} must be a list of (N, C, H, W) tensors '
                    f'(use a ModuleListOutputs recorder), got {type(feats)}.')
            if len(feats) != len(channels):
                raise ValueError(
                    f'AFDLoss: built for {len(channels)} {side} layers, got '
                    f'{len(feats)}.')
            for idx, (f, c) in enumerate(zip(feats, channels)):
                if f.dim() != 4 or f.size(1) != c:
                    raise ValueError(
                        f'AFDLoss: {side}[{idx}] has shape '
                        f'{tuple(f.shape)}, built for (N, {c}, H, W).')
        batch = s_features[0].size(0)
        if any(f.size(0) != batch for f in [*s_features, *t_features]):
            raise ValueError(
                'AFDLoss: all features need the same batch size, got '
                f'{[f.size(0) for f in s_features]} (student) and '
                f'{[f.size(0) for f in t_features]} (teacher).')
        if self.training and batch < 2:
            raise ValueError(
                'AFDLoss needs a batch of at least 2 in training mode (its '
                'meta-network uses BatchNorm1d).')

    def forward(self, s_features: List[Tensor],
                t_features: List[Tensor]) -> Tensor:
        """Compute the weighted AFD loss.

        Args:
            s_features (list[Tensor]): S student maps, each (N, C_j, H_j, W_j).
            t_features (list[Tensor]): T teacher maps, each (N, C_i, H_i, W_i);
                detached here.

        Returns:
            Tensor: scalar, ``loss_weight · L_AFD``.
        """
        self._check_inputs(s_features, t_features)
        t_features = [f.detach() for f in t_features]
        # GAP (for the keys) and AT energy (for the values) of every
        # student map in one autograd node
        s_groups = group_by_size(s_features)
        s_pooled, s_energies = student_map_statistics(s_features, s_groups)
        alpha = self.attention(s_pooled, t_features)
        self.last_attention = alpha.detach()
        return self.loss_weight * value_distance_loss(alpha, s_energies,
                                                      s_groups, t_features)

    def extra_repr(self) -> str:
        return f'qk_dim={self.qk_dim}, loss_weight={self.loss_weight}'


__all__ = ['AFDLoss', 'afd_feature_loss', 'afd_loss_upper_bound']
