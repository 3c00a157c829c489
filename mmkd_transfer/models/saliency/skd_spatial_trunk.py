"""The spatial student's trunk: conv stem + spatial branch on frame t."""
from mmengine.model import BaseModule
from mmrazor.registry import MODELS
from torch import Tensor

from .skd_conv_stem import SKDConvStem, conv_bn_relu


@MODELS.register_module()
class SKDSpatialTrunk(BaseModule):
    """Features of one frame: :class:`SKDConvStem` then a 3x3 conv branch
    (64 -> 128), as in SKD's spatial student (branch width from UVA-Net).

    Everything of the spatial student but its head: stage 2 transfers it
    into ``SKDSpatioTemporalModel.spatial_trunk``.

    Args:
        in_channels (int): channels of a frame. Defaults to 3.
        stem_channels (tuple[int]): widths of the stem. Defaults to
            (16, 16, 32, 64).
        out_channels (int): width of the branch. Defaults to 128.
        init_cfg (dict, optional): mmengine init config.

    Shapes: (N, C, H, W) -> (N, out_channels, H // 4, W // 4).
    """

    def __init__(self,
                 in_channels: int = 3,
                 stem_channels=(16, 16, 32, 64),
                 out_channels: int = 128,
                 init_cfg=None):
        super().__init__(init_cfg)
        self.stem = SKDConvStem(in_channels, stem_channels)
        self.branch = conv_bn_relu(self.stem.out_channels, out_channels)
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4:
            raise ValueError(
                f'SKDSpatialTrunk reads one frame (N, C, H, W), got shape '
                f'{tuple(x.shape)}: give the model frame t, e.g. with '
                "dict(type='FrameView', frames=0).")
        return self.branch(self.stem(x))
