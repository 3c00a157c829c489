"""Memory loss of the TMU feature adapter: a distiller vs its source."""
from typing import Optional, Sequence

import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import Tensor, nn


def align_to(t_feature: Tensor, size: Sequence[int]) -> Tensor:
    """Resize a source map to ``size`` (H, W), with no parameters.

    Area averaging when it shrinks on both axes (8x8 -> 4x4 averages 2x2
    blocks), bilinear otherwise; unchanged when the size already agrees.

    Args:
        t_feature (Tensor): (N, C, H_t, W_t).
        size (Sequence[int]): the target (H, W).

    Returns:
        Tensor: (N, C, H, W).
    """
    size = tuple(int(s) for s in size)
    if tuple(t_feature.shape[2:]) == size:
        return t_feature
    if all(t >= s for t, s in zip(t_feature.shape[2:], size)):
        return F.adaptive_avg_pool2d(t_feature, size)
    return F.interpolate(
        t_feature, size=size, mode='bilinear', align_corners=False)


def layer_normalise(feature: Tensor, eps: float = 1e-5) -> Tensor:
    """Zero mean, unit variance per sample over (C, H, W); no affine."""
    return F.group_norm(feature, 1, eps=eps)


@MODELS.register_module()
class TMUAdapterMemoryLoss(nn.Module):
    """L_mem of one source for ``TMUFeatureAdapter``: MSE(D^m, A(S^m)).

    ``D^m`` (N, C_m, H, W) is the adapter's distiller output for source m
    (layer-normalised, see the adapter); ``S^m`` (N, C_m, H_m, W_m) is the
    source's recorded map. A aligns the source map to the student's spatial
    size (:func:`align_to`) and, with ``normalize_target``, layer-normalises
    it (ours: sources trained on other data have feature scales of their
    own, and D^m is normalised too). The source is frozen: no gradient
    reaches it. The mean squared error over all values, times
    ``loss_weight`` (lambda_mem).

    Args:
        loss_weight (float): lambda_mem, >= 0. Defaults to 1.0.
        normalize_target (bool): layer-normalise the aligned source map.
            Defaults to True.
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 normalize_target: bool = True):
        super().__init__()
        if isinstance(loss_weight,
                      bool) or not isinstance(loss_weight,
                                              (int, float)) or loss_weight < 0:
            raise ValueError('loss_weight (lambda_mem) must be a number >= 0, '
                             f'got {loss_weight!r}.')
        self.loss_weight = float(loss_weight)
        self.normalize_target = normalize_target
        self.shapes: Optional[tuple] = None

    def build_from_shapes(self, s_feature: Sequence[int],
                          t_feature: Sequence[int]) -> None:
        """Check, at build time (``ShapeInferringDistiller``'s dry run),
        that the distiller can reproduce the source map: both 4-d, the same
        channels. No parameters are created."""
        s_shape, t_shape = tuple(s_feature), tuple(t_feature)
        if len(s_shape) != 4 or len(t_shape) != 4:
            raise ValueError(
                'TMUAdapterMemoryLoss compares (N, C, H, W) maps; got '
                f'distiller {s_shape} and source {t_shape}: record a '
                "distiller ('tmu_adapter.distillers.<m>') and a source "
                'stage.')
        if s_shape[1] != t_shape[1]:
            raise ValueError(
                f'TMUAdapterMemoryLoss: the distiller gives {s_shape} but '
                f'the source map is {t_shape}: set that source\'s entry of '
                f'the adapter\'s source_channels to {t_shape[1]}.')
        self.shapes = (s_shape[1:], t_shape[1:])

    def forward(self, s_feature: Tensor, t_feature: Tensor) -> Tensor:
        """The weighted MSE.

        Args:
            s_feature (Tensor): D^m, (N, C_m, H, W).
            t_feature (Tensor): S^m, (N, C_m, H_m, W_m).

        Returns:
            Tensor: the scalar loss.
        """
        if s_feature.shape[1] != t_feature.shape[1]:
            raise ValueError(
                f'TMUAdapterMemoryLoss: distiller {tuple(s_feature.shape)} '
                f'vs source {tuple(t_feature.shape)}: the adapter\'s '
                f'source_channels entry must be {t_feature.shape[1]}.')
        target = align_to(t_feature.detach(), s_feature.shape[2:])
        if self.normalize_target:
            target = layer_normalise(target)
        return self.loss_weight * F.mse_loss(s_feature, target)


__all__ = ['TMUAdapterMemoryLoss', 'align_to', 'layer_normalise']
