"""SKD's spatiotemporal fusion head: both trunks' features -> one map."""
from typing import Sequence

from mmengine.model import BaseModule
from mmrazor.registry import MODELS
from torch import Tensor, cat

from .skd_conv_stem import conv_bn_relu
from .skd_deconv_head import SKDDeconvHead


@MODELS.register_module()
class SKDFusionHead(BaseModule):
    """Concatenate the spatial and temporal features, mix them with a 1x1
    conv (+ BN + ReLU), decode with an :class:`SKDDeconvHead`.

    The only trained part of SKD's stage 2 (the trunks are transferred and
    frozen). The paper encodes the two students into one network; this
    concatenate-and-mix form is ours.

    Args:
        in_channels (Sequence[int]): channels of each input, e.g.
            (128, 128). Defaults to (128, 128).
        channels (int): width after mixing. Defaults to 128.
        deconv_channels (Sequence[int]): widths of the decoder. Defaults
            to (64, 16).
        init_cfg (dict, optional): mmengine init config.

    Shapes: a list of (N, C_i, h, w) -> (N, 1, 4h, 4w) by default.
    """

    def __init__(self,
                 in_channels: Sequence[int] = (128, 128),
                 channels: int = 128,
                 deconv_channels: Sequence[int] = (64, 16),
                 init_cfg=None):
        super().__init__(init_cfg)
        self.in_channels = tuple(in_channels)
        self.mix = conv_bn_relu(sum(self.in_channels), channels, 1)
        self.decoder = SKDDeconvHead(channels, deconv_channels)

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        if len(feats) != len(self.in_channels):
            raise ValueError(f'SKDFusionHead expects {len(self.in_channels)}'
                             f' feature maps, got {len(feats)}.')
        return self.decoder(self.mix(cat(list(feats), dim=1)))
