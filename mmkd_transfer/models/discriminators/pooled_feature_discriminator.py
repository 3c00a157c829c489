"""MLP discriminator on pooled features."""
from typing import Optional

from mmrazor.registry import MODELS
from torch import Tensor, nn

from .base_discriminator import BaseFeatureDiscriminator


@MODELS.register_module()
class PooledFeatureDiscriminator(BaseFeatureDiscriminator):
    """An MLP that scores embeddings (N, C) as teacher (1) or student (0).

    Maps (N, C, H, W) are global-average-pooled to (N, C) first. Layers:
    ``num_layers - 1`` times Linear + LeakyReLU(0.2), then Linear(·, 1). No
    normalisation layer, so a sample's score does not depend on the rest of
    the batch (the discriminator sees the teacher and student batches in
    separate calls). Used by CRKD's adversarial term; the architecture is
    ours (the paper's is not public).

    Args:
        in_channels (int, optional): C; None sizes it at build time
            (:meth:`build_from_shapes`). Defaults to None.
        hidden_channels (int): width of the hidden layers. Defaults to 256.
        num_layers (int): number of Linear layers, >= 1. Defaults to 3.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> discriminator = dict(type='PooledFeatureDiscriminator',
        ...                      hidden_channels=256)
    """

    input_dims = (2, 4)

    def __init__(self,
                 in_channels: Optional[int] = None,
                 hidden_channels: int = 256,
                 num_layers: int = 3,
                 init_cfg: Optional[dict] = None) -> None:
        if num_layers < 1 or hidden_channels < 1:
            raise ValueError(
                'PooledFeatureDiscriminator: num_layers and hidden_channels '
                f'must be >= 1, got {num_layers} and {hidden_channels}.')
        self.hidden_channels = hidden_channels
        self.num_layers = num_layers
        super().__init__(in_channels, init_cfg)
        if not self.is_built:
            self.register_module('layers', None)

    def _build(self, in_channels: int) -> None:
        layers, width = [], in_channels
        for _ in range(self.num_layers - 1):
            layers += [
                nn.Linear(width, self.hidden_channels),
                nn.LeakyReLU(0.2)
            ]
            width = self.hidden_channels
        layers.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, feature: Tensor) -> Tensor:
        """Logits (N,) for features (N, C) or maps (N, C, H, W)."""
        self.check_input(feature)
        if feature.dim() == 4:
            feature = feature.mean(dim=(2, 3))
        return self.layers(feature).squeeze(1)
