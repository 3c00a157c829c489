"""Video clips from folders of frame images (the KTH layout)."""
import os
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmrazor.registry import DATASETS

from .video_clips import check_clip_length, check_frame_counts


@DATASETS.register_module()
class FrameFolderDataset(BaseDataset):
    """Clips cut from sequences stored as one folder of frames each, as the
    KTH actions data is usually distributed after frame extraction
    (``data_root/person01_boxing_d1/image_0001.png`` ...).

    Frames of a folder are sorted by file name and read as grayscale; each
    folder gives clips of ``input_frames + pred_frames`` consecutive frames
    every ``stride`` frames. Each item is ``dict(inputs=(T, 1, H, W) uint8
    tensor, folder, start)``.

    Args:
        data_root (str): folder holding one sub-folder per sequence.
        folders (Sequence[str] | None): the sub-folders to use (e.g. the
            persons of a split); None for every sub-folder, sorted.
            Defaults to None.
        input_frames (int): frames read by the model. Defaults to 10.
        pred_frames (int): frames predicted. Defaults to 10.
        stride (int | None): frames between clip starts; None for the clip
            length (no overlap). Defaults to None.
        frame_size (int | None): resize frames to this square side
            (area interpolation); None keeps them. Defaults to None.
        suffix (str): frame file suffix. Defaults to ``'.png'``.
        pipeline (Sequence): transforms. Defaults to ``()``.
        **kwargs: other arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 data_root,
                 folders=None,
                 input_frames=10,
                 pred_frames=10,
                 stride=None,
                 frame_size=None,
                 suffix='.png',
                 pipeline=(),
                 **kwargs):
        self.num_frames = check_frame_counts(input_frames, pred_frames)
        self.folders = folders
        self.input_frames = input_frames
        self.pred_frames = pred_frames
        self.stride = self.num_frames if stride is None else stride
        if self.stride < 1:
            raise ValueError(f'stride must be >= 1, got {stride}')
        self.frame_size = frame_size
        self.suffix = suffix
        super().__init__(data_root=data_root, pipeline=pipeline, **kwargs)

    def load_data_list(self):
        """List the clips: (folder, first frame, frame paths)."""
        if not osp.isdir(self.data_root):
            raise FileNotFoundError(f'frame folder root not found: '
                                    f'{self.data_root}; set data_root')
        folders = self.folders
        if folders is None:
            folders = sorted(
                d for d in os.listdir(self.data_root)
                if osp.isdir(osp.join(self.data_root, d)))
        data_list = []
        for folder in folders:
            path = osp.join(self.data_root, folder)
            if not osp.isdir(path):
                raise FileNotFoundError(f'sequence folder not found: {path}')
            frames = sorted(
                f for f in os.listdir(path) if f.endswith(self.suffix))
            check_clip_length(
                len(frames), self.input_frames, self.pred_frames, path)
            for start in range(0,
                               len(frames) - self.num_frames + 1, self.stride):
                paths = [
                    osp.join(path, f)
                    for f in frames[start:start + self.num_frames]
                ]
                data_list.append(
                    dict(folder=folder, start=start, frame_paths=paths))
        if not data_list:
            raise ValueError(f'no sequence folders under {self.data_root}')
        return data_list

    def _read(self, path):
        frame = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
        if frame is None:
            raise OSError(f'cannot read frame image {path}')
        if self.frame_size is not None:
            frame = cv2.resize(
                frame, (self.frame_size, self.frame_size),
                interpolation=cv2.INTER_AREA)
        return frame

    def get_data_info(self, idx):
        """The data info of ``idx`` with its frames under ``inputs``."""
        info = super().get_data_info(idx)
        frames = np.stack([self._read(p) for p in info['frame_paths']])
        info['inputs'] = torch.from_numpy(frames).unsqueeze(1)
        return info


__all__ = ['FrameFolderDataset']
