"""The standard Moving MNIST file as an mmengine dataset."""
import os.path as osp

import numpy as np
import torch
from mmengine.dataset import BaseDataset
from mmrazor.registry import DATASETS

from .video_clips import check_clip_length, check_frame_counts

#: the layout of ``mnist_test_seq.npy`` (Srivastava et al., 2015)
EXPECTED_LAYOUT = '(T, N, H, W) uint8, e.g. 20 x 10000 x 64 x 64'


def load_moving_mnist(path):
    """Open a Moving MNIST array (memory-mapped) and check its layout.

    Args:
        path (str): the ``.npy`` file.

    Returns:
        np.ndarray: (T, N, H, W) uint8, read-only memory map.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Moving MNIST file not found: {path}; set '
                                f'data_root/ann_file to mnist_test_seq.npy')
    array = np.load(path, mmap_mode='r')
    if array.ndim != 4 or array.dtype != np.uint8:
        raise ValueError(f'{path} holds a {array.dtype} array of shape '
                         f'{array.shape}; expected the Moving MNIST layout '
                         f'{EXPECTED_LAYOUT}')
    return array


@DATASETS.register_module()
class MovingMNISTDataset(BaseDataset):
    """Clips of the Moving MNIST file (``mnist_test_seq.npy``, T x N x 64 x
    64 uint8; frames in the first axis, sequences in the second).

    Each item is ``dict(inputs=(T, 1, H, W) uint8 tensor, clip_index)``
    with the first ``input_frames + pred_frames`` frames of sequence
    ``clip_index``; frames are read from the memory-mapped file on demand.

    Args:
        ann_file (str): the ``.npy`` file, relative to ``data_root``.
            Defaults to ``'mnist_test_seq.npy'``.
        data_root (str): folder of the file. Defaults to ``''``.
        input_frames (int): frames read by the model. Defaults to 10.
        pred_frames (int): frames predicted. Defaults to 10.
        clip_range (tuple[int, int] | None): ``(start, stop)`` of the
            sequences to use (e.g. a train/test split); None for all.
            Defaults to None.
        pipeline (Sequence): transforms. Defaults to ``()``.
        **kwargs: other arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    def __init__(self,
                 ann_file='mnist_test_seq.npy',
                 data_root='',
                 input_frames=10,
                 pred_frames=10,
                 clip_range=None,
                 pipeline=(),
                 **kwargs):
        self.num_frames = check_frame_counts(input_frames, pred_frames)
        self.input_frames = input_frames
        self.pred_frames = pred_frames
        self.clip_range = clip_range
        self._array = None
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            pipeline=pipeline,
            **kwargs)

    def _frames(self):
        # opened lazily, once per process (dataloader workers included)
        if self._array is None:
            self._array = load_moving_mnist(self.ann_file)
        return self._array

    def load_data_list(self):
        """Check the file and list one data info per sequence."""
        array = self._frames()
        check_clip_length(array.shape[0], self.input_frames, self.pred_frames,
                          self.ann_file)
        start, stop = (0, array.shape[1]) if self.clip_range is None \
            else self.clip_range
        if not 0 <= start < stop <= array.shape[1]:
            raise ValueError(f'clip_range {self.clip_range} is outside the '
                             f'{array.shape[1]} sequences of '
                             f'{self.ann_file}')
        return [dict(clip_index=i) for i in range(start, stop)]

    def get_data_info(self, idx):
        """The data info of ``idx`` with its frames under ``inputs``."""
        info = super().get_data_info(idx)
        frames = self._frames()[:self.num_frames, info['clip_index']]
        info['inputs'] = torch.from_numpy(np.array(frames)).unsqueeze(1)
        return info


__all__ = ['MovingMNISTDataset', 'load_moving_mnist']
