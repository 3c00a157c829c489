"""Pack a saliency clip into ``inputs`` and an mmseg ``SegDataSample``."""
import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import PixelData
from mmrazor.registry import TRANSFORMS
from mmseg.structures import SegDataSample

#: data-info keys copied into the data sample's metainfo when present
META_KEYS = ('img_shape', 'ori_shape', 'pad_shape', 'clip_id', 'frame_index',
             'frame_paths', 'split')


@TRANSFORMS.register_module()
class PackSaliencyInputs(BaseTransform):
    """Turn a saliency data info into ``dict(inputs, data_samples)``.

    Reads ``frames`` ((T, H, W, 3) uint8, frame t first), ``gt_saliency``
    ((H, W) float32 in [0, 1]) and ``gt_fixations`` ((H, W) binary) and
    returns:

    - ``inputs``: (T, 3, H, W) uint8 tensor;
    - ``data_samples``: a :class:`mmseg.structures.SegDataSample` with
      ``gt_saliency`` and ``gt_sem_seg`` (the same (1, H, W) float32 map, so
      mmseg decode heads with one output channel can train on it) and
      ``gt_fixations`` ((1, H, W) uint8), and the metainfo of
      :data:`META_KEYS` found in the info.

    Args:
        meta_keys (Sequence[str]): info keys put into the metainfo.
            Defaults to :data:`META_KEYS`.
    """

    def __init__(self, meta_keys=META_KEYS):
        self.meta_keys = tuple(meta_keys)

    def transform(self, results):
        frames = np.ascontiguousarray(
            np.asarray(results['frames']).transpose(0, 3, 1, 2))
        saliency = torch.from_numpy(
            np.asarray(results['gt_saliency'], dtype=np.float32)[None].copy())
        fixations = torch.from_numpy(
            np.asarray(results['gt_fixations'], dtype=np.uint8)[None].copy())
        sample = SegDataSample()
        sample.gt_saliency = PixelData(data=saliency)
        sample.gt_sem_seg = PixelData(data=saliency)
        sample.gt_fixations = PixelData(data=fixations)
        sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(inputs=torch.from_numpy(frames), data_samples=sample)

    def __repr__(self):
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'


__all__ = ['META_KEYS', 'PackSaliencyInputs']
