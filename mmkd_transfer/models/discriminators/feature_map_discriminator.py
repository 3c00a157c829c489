"""Small convolutional discriminator on feature maps."""
from typing import Optional

from mmrazor.registry import MODELS
from torch import Tensor, nn

from .base_discriminator import BaseFeatureDiscriminator


@MODELS.register_module()
class FeatureMapDiscriminator(BaseFeatureDiscriminator):
    """A small conv net that scores maps (N, C, H, W) as teacher (1) or
    student (0).

    Layers: ``num_convs`` times Conv3x3 + LeakyReLU(0.2), the first at
    stride 1 and the others at stride 2; global average pooling; Linear(·,
    1). Any map size works, 1×1 included. No normalisation layer (scores do
    not depend on the batch). Used by CRKD's adversarial term when it is
    applied to maps (an LR student's map resized to the teacher's size);
    the architecture is ours.

    Args:
        in_channels (int, optional): C; None sizes it at build time
            (:meth:`build_from_shapes`). Defaults to None.
        hidden_channels (int): channels of the convolutions. Defaults to
            128.
        num_convs (int): number of convolutions, >= 1. Defaults to 2.
        init_cfg (dict, optional): mmengine init config. Defaults to None.

    Examples:
        >>> discriminator = dict(type='FeatureMapDiscriminator',
        ...                      hidden_channels=64)
    """

    input_dims = (4, )

    def __init__(self,
                 in_channels: Optional[int] = None,
                 hidden_channels: int = 128,
                 num_convs: int = 2,
                 init_cfg: Optional[dict] = None) -> None:
        if num_convs < 1 or hidden_channels < 1:
            raise ValueError(
                'FeatureMapDiscriminator: num_convs and hidden_channels must '
                f'be >= 1, got {num_convs} and {hidden_channels}.')
        self.hidden_channels = hidden_channels
        self.num_convs = num_convs
        super().__init__(in_channels, init_cfg)
        if not self.is_built:
            self.register_module('convs', None)
            self.register_module('fc', None)

    def _build(self, in_channels: int) -> None:
        layers, width = [], in_channels
        for idx in range(self.num_convs):
            layers += [
                nn.Conv2d(
                    width,
                    self.hidden_channels,
                    3,
                    stride=1 if idx == 0 else 2,
                    padding=1),
                nn.LeakyReLU(0.2)
            ]
            width = self.hidden_channels
        self.convs = nn.Sequential(*layers)
        self.fc = nn.Linear(width, 1)

    def forward(self, feature: Tensor) -> Tensor:
        """Logits (N,) for maps (N, C, H, W)."""
        self.check_input(feature)
        return self.fc(self.convs(feature).mean(dim=(2, 3))).squeeze(1)
