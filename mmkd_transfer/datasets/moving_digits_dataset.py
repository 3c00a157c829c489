"""Moving digits as an mmengine dataset of video clips."""
import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmrazor.registry import DATASETS

from .moving_digits import generate_moving_digits
from .video_clips import check_frame_counts


@DATASETS.register_module()
class MovingDigitsDataset(BaseDataset):
    """k scikit-learn digits bouncing in a canvas (see
    :mod:`.moving_digits`), generated in memory (no files).

    Each item is ``dict(inputs=(T, 1, H, W) uint8 tensor, clip_index)`` with
    ``T = input_frames + pred_frames``; the predictors' data preprocessor
    scales it to [0, 1]. The paper's transfer setting: 1- and 2-digit sets
    for the sources, the 3-digit set for the target.

    Args:
        num_digits (int): digits per clip. Defaults to 1.
        num_clips (int): clips in the set. Defaults to 1000.
        split (str): digits from the ``'train'`` or ``'val'`` split of the
            digits source (no val digit appears in a train clip).
            Defaults to ``'train'``.
        input_frames (int): frames read by the model. Defaults to 10.
        pred_frames (int): frames predicted. Defaults to 10.
        frame_size (int): canvas side. Defaults to 32.
        digit_size (int): digit side. Defaults to 12.
        speed (float): pixels per frame. Defaults to 1.5.
        seed (int): generation seed. Defaults to 0.
        pipeline (Sequence): transforms. Defaults to ``()``.
        **kwargs: other arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 num_digits=1,
                 num_clips=1000,
                 split='train',
                 input_frames=10,
                 pred_frames=10,
                 frame_size=32,
                 digit_size=12,
                 speed=1.5,
                 seed=0,
                 pipeline=(),
                 **kwargs):
        self.num_frames = check_frame_counts(input_frames, pred_frames)
        self.num_digits = num_digits
        self.num_clips = num_clips
        self.split = split
        self.input_frames = input_frames
        self.pred_frames = pred_frames
        self.frame_size = frame_size
        self.digit_size = digit_size
        self.speed = speed
        self.seed = seed
        super().__init__(pipeline=pipeline, **kwargs)

    def load_data_list(self):
        """Generate the clips: one data info per clip."""
        clips = generate_moving_digits(
            self.num_clips,
            self.num_digits,
            self.num_frames,
            frame_size=self.frame_size,
            digit_size=self.digit_size,
            speed=self.speed,
            split=self.split,
            seed=self.seed)
        # one compact array per clip: mmengine pickles every data info, and
        # a view would pickle the whole set with it
        return [
            dict(clip=np.ascontiguousarray(clip), clip_index=i)
            for i, clip in enumerate(clips)
        ]

    def get_data_info(self, idx):
        """The data info of ``idx`` with its frames under ``inputs``."""
        info = super().get_data_info(idx)
        info['inputs'] = torch.from_numpy(info.pop('clip')).unsqueeze(1)
        return info


__all__ = ['MovingDigitsDataset']
