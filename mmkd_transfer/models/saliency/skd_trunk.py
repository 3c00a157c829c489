"""The common build of SKD's student trunks: a conv stem and a 3x3 branch.

The spatial trunk's branch reads the stem's features of one frame, the
temporal trunk's the features of frame t and their difference with frame
t+1 (twice the stem's width); only ``forward`` tells them apart.
"""
from mmengine.model import BaseModule

from .skd_conv_stem import SKDConvStem, conv_bn_relu


class SKDTrunk(BaseModule):
    """:class:`SKDConvStem` (``self.stem``) and a conv-BN-ReLU branch
    (``self.branch``) reading ``branch_inputs`` stem feature maps stacked on
    the channels.

    Args:
        in_channels (int): channels of a frame. Defaults to 3.
        stem_channels (tuple[int]): widths of the stem. Defaults to
            (16, 16, 32, 64).
        out_channels (int): width of the branch. Defaults to 128.
        init_cfg (dict, optional): mmengine init config.
    """

    #: how many stem feature maps the branch reads, stacked on the channels
    branch_inputs = 1

    def __init__(self,
                 in_channels: int = 3,
                 stem_channels=(16, 16, 32, 64),
                 out_channels: int = 128,
                 init_cfg=None):
        super().__init__(init_cfg)
        self.stem = SKDConvStem(in_channels, stem_channels)
        self.branch = conv_bn_relu(self.branch_inputs * self.stem.out_channels,
                                   out_channels)
        self.out_channels = out_channels
