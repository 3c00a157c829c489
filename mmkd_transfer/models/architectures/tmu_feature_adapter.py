"""A TMU-style adapter for CNN feature maps (transferable memory, ours)."""
from typing import Optional, Sequence

import torch
from mmengine.model import BaseModule
from mmrazor.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class TMUFeatureAdapter(BaseModule):
    """Mix memories distilled from M frozen sources into a student's map.

    The TMU cell (Yao et al., ICML 2020; ``TMUCell``) carried to a
    convolutional feature map ``F`` (a student stage's output, N x C x H x W)
    instead of a recurrent memory. Per source ``m`` (``C_m`` channels)::

        D^m = GroupNorm_1(Conv1x1_m(F))        distiller m: C -> C_m
        R^m = Conv1x1'_m(D^m)                  read-back: C_m -> C
        T^m = sigmoid(Gate_m(F))               gate, C channels
        F~^m = T^m . R^m + (1 - T^m) . F
        out = (F + sum_m F~^m) / (1 + M)       memory_mix='mean'
        out = F + sum_m F~^m                   memory_mix='sum' (the paper's)

    ``D^m`` is trained to reproduce source m's feature map (the memory loss,
    ``TMUAdapterMemoryLoss``): it has the source's channels, so nothing on
    the source side is learned and the match cannot collapse to a trivial
    projection. The read-back is the identity where ``C_m == C``. The gates
    are computed from ``F`` (the TMU cell computes them from its input).
    Distillers, read-backs and gates are part of the student and run at
    inference; the sources do not. With no source the adapter is the
    identity (no parameters).

    Each distiller is its own module (``distillers.<m>``), so an MMRazor
    ``ModuleOutputs`` recorder on ``<adapter>.distillers.<m>`` records D^m.

    Args:
        in_channels (int): C, the channels of the adapted map.
        source_channels (Sequence[int]): C_m of each source's map, in the
            order of the distillers. Empty: the identity. Defaults to ().
        memory_mix (str): ``'mean'`` (ours: a convex mix, the map keeps its
            scale) or ``'sum'`` (the TMU paper's form, scales F by up to
            1 + M). Defaults to ``'mean'``.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    MEMORY_MIXES = ('mean', 'sum')

    def __init__(self,
                 in_channels: int,
                 source_channels: Sequence[int] = (),
                 memory_mix: str = 'mean',
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        is_int = isinstance(in_channels,
                            int) and not isinstance(in_channels, bool)
        if not is_int or in_channels < 1:
            raise ValueError(f'in_channels must be an int >= 1 (channels of '
                             f'the adapted map), got {in_channels!r}.')
        source_channels = list(source_channels)
        if not all(
                isinstance(c, int) and not isinstance(c, bool) and c >= 1
                for c in source_channels):
            raise ValueError('source_channels must list one int >= 1 per '
                             f'source, got {source_channels!r}.')
        if memory_mix not in self.MEMORY_MIXES:
            raise ValueError(f'memory_mix must be one of '
                             f'{self.MEMORY_MIXES}, got {memory_mix!r}.')
        self.in_channels = in_channels
        self.source_channels = source_channels
        self.memory_mix = memory_mix
        self.distillers = nn.ModuleList([
            nn.Sequential(
                nn.Conv2d(in_channels, c, 1, bias=False),
                # layer norm over (C, H, W) with a per-channel affine
                nn.GroupNorm(1, c)) for c in source_channels
        ])
        self.read_backs = nn.ModuleList([
            nn.Identity() if c == in_channels else nn.Conv2d(
                c, in_channels, 1) for c in source_channels
        ])
        # one C-channel gate per source, from one convolution
        self.gates = nn.Conv2d(in_channels, in_channels * len(source_channels),
                               1) if source_channels else None

    @property
    def num_sources(self) -> int:
        """M, the number of sources."""
        return len(self.source_channels)

    def forward(self, feature: Tensor) -> Tensor:
        """Adapt one map.

        Args:
            feature (Tensor): (N, C, H, W), C = ``in_channels``.

        Returns:
            Tensor: (N, C, H, W), the mixed map (``feature`` itself when
            there is no source).
        """
        if feature.dim() != 4 or feature.shape[1] != self.in_channels:
            raise ValueError(
                f'TMUFeatureAdapter(in_channels={self.in_channels}) got a '
                f'map of shape {tuple(feature.shape)}: set in_channels to '
                'the channels of the module it follows.')
        if not self.num_sources:
            return feature
        gates = torch.chunk(self.gates(feature), self.num_sources, dim=1)
        out = feature
        for distiller, read_back, gate in zip(self.distillers, self.read_backs,
                                              gates):
            t = torch.sigmoid(gate)
            out = out + t * read_back(distiller(feature)) + (1 - t) * feature
        if self.memory_mix == 'mean':
            out = out / (1 + self.num_sources)
        return out

    def stage_hook(self, module: nn.Module, inputs, output: Tensor) -> Tensor:
        """A forward hook that replaces ``module``'s output by the adapted
        one (installed by ``TMUAdaptedModel``)."""
        if not isinstance(output, Tensor):
            raise TypeError(
                'TMUFeatureAdapter follows a module that returns one map '
                f'(N, C, H, W), but {type(module).__name__} returned a '
                f'{type(output).__name__}: choose a stage such as '
                "'backbone.layer2'.")
        return self(output)

    def extra_repr(self) -> str:
        return (f'in_channels={self.in_channels}, source_channels='
                f'{self.source_channels}, memory_mix={self.memory_mix!r}')


__all__ = ['TMUFeatureAdapter']
