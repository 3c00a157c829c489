"""The conv stack shared by SKD's students (and siamese in the temporal
one): 16-16-32-64 channels, two stride-2 max pools."""
from typing import Sequence

from mmengine.model import BaseModule
from mmrazor.registry import MODELS
from torch import Tensor, nn


def conv_bn_relu(in_channels: int,
                 out_channels: int,
                 kernel_size: int = 3) -> nn.Sequential:
    """Conv (no bias) + BatchNorm + ReLU, 'same' padding."""
    return nn.Sequential(
        nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            padding=kernel_size // 2,
            bias=False), nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


@MODELS.register_module()
class SKDConvStem(BaseModule):
    """conv-conv-pool-conv-pool-conv, output stride 4.

    Li, Fu, Zhao, Ge, *Spatiotemporal Knowledge Distillation for Efficient
    Estimation of Aerial Video Saliency*, IEEE TIP 29, 2020: the students
    are tiny networks on low-resolution frames. The paper gives no layer
    table that we could check; the 16-16-32-64 channels and the two pools
    follow the same group's UVA-Net release (ours: 3x3 kernels, BN).

    Args:
        in_channels (int): channels of one frame. Defaults to 3.
        channels (Sequence[int]): four conv widths. Defaults to
            (16, 16, 32, 64).
        init_cfg (dict, optional): mmengine init config.

    Shapes: (N, in_channels, H, W) -> (N, channels[-1], H // 4, W // 4).
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: Sequence[int] = (16, 16, 32, 64),
                 init_cfg=None):
        super().__init__(init_cfg)
        if len(channels) != 4:
            raise ValueError(f'channels must have 4 widths (conv, conv, '
                             f'pool, conv, pool, conv), got {channels!r}.')
        c1, c2, c3, c4 = channels
        self.layers = nn.Sequential(
            conv_bn_relu(in_channels, c1), conv_bn_relu(c1, c2),
            nn.MaxPool2d(2), conv_bn_relu(c2, c3), nn.MaxPool2d(2),
            conv_bn_relu(c3, c4))
        self.in_channels = in_channels
        self.out_channels = c4

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)
