"""Embedded digits datasets (cls, seg, det), registered in the task
registries (mmpretrain, mmseg, mmdet)."""
from .digits_cls_dataset import DigitsClsDataset
from .digits_det_dataset import DigitsDetDataset
from .digits_seg_dataset import DigitsSegDataset

__all__ = ['DigitsClsDataset', 'DigitsDetDataset', 'DigitsSegDataset']
