"""SKD's tiny deconvolution head: features -> one-channel saliency logits
at the input resolution."""
from typing import Sequence

from mmengine.model import BaseModule
from mmrazor.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class SKDDeconvHead(BaseModule):
    """Stride-2 transposed convs (4x4, each + BN + ReLU), then a 1x1 conv
    to one channel of logits (a saliency map after a sigmoid).

    One transposed conv per entry of ``channels``; the default two undo
    the stem's two pools. Widths are ours (the paper says "light").

    Args:
        in_channels (int): channels of the trunk's features. Defaults to
            128.
        channels (Sequence[int]): widths of the transposed convs. Defaults
            to (64, 16).
        init_cfg (dict, optional): mmengine init config.

    Shapes: (N, in_channels, h, w) -> (N, 1, h * 2^k, w * 2^k), k =
    ``len(channels)``.
    """

    def __init__(self,
                 in_channels: int = 128,
                 channels: Sequence[int] = (64, 16),
                 init_cfg=None):
        super().__init__(init_cfg)
        layers = []
        prev = in_channels
        for width in channels:
            layers += [
                nn.ConvTranspose2d(
                    prev, width, 4, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(width),
                nn.ReLU(inplace=True)
            ]
            prev = width
        layers.append(nn.Conv2d(prev, 1, 1))
        self.layers = nn.Sequential(*layers)
        self.in_channels = in_channels

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)
