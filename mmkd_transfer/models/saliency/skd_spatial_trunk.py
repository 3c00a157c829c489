"""The spatial student's trunk: conv stem + spatial branch on frame t."""
from mmrazor.registry import MODELS
from torch import Tensor

from .skd_trunk import SKDTrunk


@MODELS.register_module()
class SKDSpatialTrunk(SKDTrunk):
    """Features of one frame: :class:`SKDConvStem` then a 3x3 conv branch
    (64 -> 128), as in SKD's spatial student (branch width from UVA-Net).

    Everything of the spatial student but its head: stage 2 transfers it
    into ``SKDSpatioTemporalModel.spatial_trunk``.

    Args: as :class:`SKDTrunk` (in_channels, stem_channels,
    out_channels, init_cfg).

    Shapes: (N, C, H, W) -> (N, out_channels, H // 4, W // 4).
    """

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 4:
            raise ValueError(
                f'SKDSpatialTrunk reads one frame (N, C, H, W), got shape '
                f'{tuple(x.shape)}: give the model frame t, e.g. with '
                "dict(type='FrameView', frames=0).")
        return self.branch(self.stem(x))
