"""Embedded digits classification dataset for mmpretrain."""
import numpy as np
from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS

from mmkd_transfer.structures import UNLABELLED

from .digits_source import (CLASSES, check_img_size, check_split, load_split,
                            select_labelled, to_bgr)


@DATASETS.register_module()
class DigitsClsDataset(BaseDataset):
    """scikit-learn's 8x8 digits as an in-memory mmpretrain dataset.

    Images come from the fixed train/val split of
    :mod:`mmkd_transfer.datasets.digits_source`, resized to ``img_size`` and
    given as HxWx3 uint8 BGR arrays under ``img``, so the pipeline must not
    load files (no ``LoadImageFromFile``). For the few-label transfer setting
    only ``num_labelled`` class-balanced training samples keep their label;
    the others have ``gt_label == UNLABELLED`` (-1): they carry no task loss
    but still take part in distillation.

    Args:
        split (str): ``'train'`` (1,400 images) or ``'val'`` (397).
            Defaults to ``'train'``.
        img_size (int): side length of the returned images. Defaults to 8
            (the native size); larger is bilinear, smaller is area-averaged.
        num_labelled (None | int | float): labelled training samples: None
            for all, an int count or a float fraction in (0, 1]. Only used
            for ``split='train'``; val is always fully labelled.
            Defaults to None.
        label_seed (int): seed of the labelled subset. Defaults to 0.
        pipeline (Sequence): transforms. Defaults to ``()``.
        test_mode (bool): passed to the parent. Defaults to False.
        data_root (str): unused (no files); kept for the config interface.
            Defaults to ``''``.
        ann_file (str): unused (no files). Defaults to ``''``.
        **kwargs: other arguments of :class:`mmpretrain.datasets.BaseDataset`.
    """

    METAINFO = {'classes': CLASSES}

    def __init__(self,
                 split='train',
                 img_size=8,
                 num_labelled=None,
                 label_seed=0,
                 pipeline=(),
                 test_mode=False,
                 data_root='',
                 ann_file='',
                 **kwargs):
        check_split(split)
        self.split = split
        self.img_size = check_img_size(img_size)
        self.num_labelled = num_labelled
        self.label_seed = label_seed
        if split == 'train':
            # fail at build time, not at the first (lazy) full_init
            self.labelled_indices = select_labelled(
                load_split('train')[1], num_labelled, label_seed)
        else:
            self.labelled_indices = None
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            pipeline=pipeline,
            test_mode=test_mode,
            **kwargs)

    def load_data_list(self):
        """Build the data infos from the in-memory digits (no file reads)."""
        raw, labels = load_split(self.split)
        images = to_bgr(raw, self.img_size)
        gt = labels.copy()
        if self.labelled_indices is not None:
            is_labelled = np.zeros(len(gt), dtype=bool)
            is_labelled[self.labelled_indices] = True
            gt[~is_labelled] = UNLABELLED
        shape = (self.img_size, self.img_size)
        return [
            dict(
                img=images[i],
                gt_label=int(gt[i]),
                img_shape=shape,
                ori_shape=shape,
                sample_idx=i) for i in range(len(gt))
        ]

    def extra_repr(self):
        """Shown in ``repr(dataset)`` after the parent's lines."""
        return [
            f'Split: \t{self.split}',
            f'Image size: \t{self.img_size}',
            f'Labelled: \t{self.num_labelled!r} (seed {self.label_seed})',
        ]
