"""Embedded digits datasets (cls, seg, det), registered in the task
registries (mmpretrain, mmseg, mmdet), and video-clip datasets (moving
digits, Moving MNIST, frame folders) and saliency clip datasets (embedded
aerial clips, AVS1K) in MMRazor's."""
from .avs1k_dataset import AVS1KDataset
from .digits_cls_dataset import DigitsClsDataset
from .digits_det_dataset import DigitsDetDataset
from .digits_seg_dataset import DigitsSegDataset
from .embedded_saliency_dataset import EmbeddedSaliencyClipDataset
from .frame_folder_dataset import FrameFolderDataset
from .moving_digits_dataset import MovingDigitsDataset
from .moving_mnist_dataset import MovingMNISTDataset
from .pack_saliency_inputs import PackSaliencyInputs

__all__ = [
    'AVS1KDataset', 'DigitsClsDataset', 'DigitsDetDataset', 'DigitsSegDataset',
    'EmbeddedSaliencyClipDataset', 'FrameFolderDataset', 'MovingDigitsDataset',
    'MovingMNISTDataset', 'PackSaliencyInputs'
]
