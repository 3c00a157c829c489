"""The temporal student's trunk: a siamese stem on frames t and t+1 and a
branch on the frame-difference of their features."""
from mmrazor.registry import MODELS
from torch import Tensor, cat

from .skd_trunk import SKDTrunk


def check_frame_pair(x: Tensor, model: str) -> Tensor:
    """(N, T >= 2, C, H, W) clips, else a one-line error naming the fix."""
    if x.dim() != 5:
        raise ValueError(
            f'{model} reads clips (N, T, C, H, W) with frames t and t+1 '
            f'first, got shape {tuple(x.shape)}: give it the pair, e.g. '
            "with dict(type='FrameView', frames=(0, 1)).")
    if x.shape[1] < 2:
        raise ValueError(
            f'{model} needs frames t and t+1, but the clips have '
            f'{x.shape[1]} frame: set clip_len >= 2 in the dataset.')
    return x


@MODELS.register_module()
class SKDTemporalTrunk(SKDTrunk):
    """Motion features of the pair (t, t+1), without optical flow.

    One :class:`SKDConvStem` (shared weights: siamese) turns both frames
    into F_t and F_{t+1}; the branch, a 3x3 conv (2*64 -> 128), reads
    [F_t, F_{t+1} - F_t]. SKD's temporal student sees frame t and the
    feature difference with frame t+1 (as in the same group's UVA-Net);
    concatenating F_t with the difference is our choice.

    Everything of the temporal student but its head: stage 2 transfers it
    into ``SKDSpatioTemporalModel.temporal_trunk``.

    Args: as :class:`SKDTrunk` (in_channels, stem_channels,
    out_channels, init_cfg).

    Shapes: (N, T >= 2, C, H, W), frames 0 and 1 used ->
    (N, out_channels, H // 4, W // 4).
    """

    branch_inputs = 2  # F_t and F_{t+1} - F_t

    def forward(self, x: Tensor) -> Tensor:
        x = check_frame_pair(x, type(self).__name__)
        n = x.shape[0]
        # one stem call on the 2N frames (the siamese weights, one launch):
        # frames t of the batch first, then frames t+1
        pair = x[:, :2].transpose(0, 1).reshape(2 * n, *x.shape[2:])
        feats = self.stem(pair)
        f_t, f_next = feats[:n], feats[n:]
        return self.branch(cat([f_t, f_next - f_t], dim=1))
