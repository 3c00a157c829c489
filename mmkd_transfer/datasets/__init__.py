"""Embedded digits datasets (cls, seg, det), registered in the task
registries (mmpretrain, mmseg, mmdet), and video-clip datasets (moving
digits, Moving MNIST, frame folders) in MMRazor's."""
from .digits_cls_dataset import DigitsClsDataset
from .digits_det_dataset import DigitsDetDataset
from .digits_seg_dataset import DigitsSegDataset
from .frame_folder_dataset import FrameFolderDataset
from .moving_digits_dataset import MovingDigitsDataset
from .moving_mnist_dataset import MovingMNISTDataset

__all__ = [
    'DigitsClsDataset', 'DigitsDetDataset', 'DigitsSegDataset',
    'FrameFolderDataset', 'MovingDigitsDataset', 'MovingMNISTDataset'
]
