"""AVS1K (aerial video saliency) clips read from their folders."""
import os
import os.path as osp

import cv2
import numpy as np
from mmengine.dataset import BaseDataset
from mmrazor.registry import DATASETS

from .pack_saliency_inputs import PackSaliencyInputs
from .saliency_maps import check_saliency_map, peak_fixations, resize_fixations

#: split name -> sub-folder of the AVS1K release
AVS1K_SPLITS = dict(train='trainSet', val='validSet', test='testSet')


def _listdir(path, suffixes):
    return sorted(f for f in os.listdir(path) if f.endswith(suffixes))


@DATASETS.register_module()
class AVS1KDataset(BaseDataset):
    """Clips of AVS1K (Fu et al., "How drones look", 2018; the data set of
    SKD: Li, Fu, Zhao, Ge; IEEE TIP 2020), frames with saliency maps.

    Layout read (the one third-party AVS1K loaders use; the release's own
    documentation is not public, so this is our reading)::

        data_root/trainSet/Frame/<clip>/<clip>_00001.png ...   frames
        data_root/trainSet/Ground/<clip>/<clip>_00001.png ...  saliency maps
        data_root/trainSet/Fixation/<clip>/<clip>_00001.png    (optional)
        data_root/validSet/... and data_root/testSet/...

    A frame's map is the file of ``map_dir`` with the frame's stem (any of
    ``map_suffixes``; ``.npy`` maps are read as float arrays). Where a clip
    has a fixation folder, its binary maps (non-zero = fixation) are the
    fixations; otherwise the fixations are the peaks of the saliency map
    (:func:`~.saliency_maps.peak_fixations`, our choice).

    Each clip gives items of ``clip_len`` consecutive frames every
    ``stride`` frames; the ground truth is that of the first frame (frame
    t). Bad input fails when the dataset is built: a missing folder or map,
    a clip shorter than ``clip_len``, and (``check_maps=True``) a map that is
    not a density (negative, all zero). Maps are checked again when read.

    Args:
        data_root (str): folder holding ``trainSet``, ``validSet`` ...
        split (str): ``'train'``, ``'val'`` or ``'test'``.
            Defaults to ``'train'``.
        clip_len (int): frames per item (frame t first). Defaults to 2.
        stride (int): frames between item starts. Defaults to 1.
        clips (Sequence[str], optional): clip folders to use; None for all.
        frame_size (int | tuple[int, int], optional): resize frames and maps
            to this (H, W) (an int: square); None keeps them.
        frame_dir (str): Defaults to ``'Frame'``.
        map_dir (str): Defaults to ``'Ground'``.
        fixation_dir (str): Defaults to ``'Fixation'``.
        frame_suffixes (tuple[str]): Defaults to ``('.png', '.jpg')``.
        map_suffixes (tuple[str]): Defaults to ``('.png', '.jpg', '.npy')``.
        check_maps (bool): read every ground-truth map once at build time.
            Defaults to True.
        fixation_peak_ratio (float): see :func:`peak_fixations`.
            Defaults to 0.5.
        pipeline (Sequence, optional): transforms; None packs items with
            :class:`~.pack_saliency_inputs.PackSaliencyInputs`.
        **kwargs: other arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    METAINFO = dict(classes=('salient', ))

    def __init__(self,
                 data_root,
                 split='train',
                 clip_len=2,
                 stride=1,
                 clips=None,
                 frame_size=None,
                 frame_dir='Frame',
                 map_dir='Ground',
                 fixation_dir='Fixation',
                 frame_suffixes=('.png', '.jpg'),
                 map_suffixes=('.png', '.jpg', '.npy'),
                 check_maps=True,
                 fixation_peak_ratio=0.5,
                 pipeline=None,
                 **kwargs):
        if split not in AVS1K_SPLITS:
            raise ValueError(f'split must be one of {list(AVS1K_SPLITS)}, '
                             f'got {split!r}')
        for name, value in (('clip_len', clip_len), ('stride', stride)):
            if isinstance(value,
                          bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f'{name} must be an int >= 1, got {value!r}')
        if isinstance(frame_size, int):
            frame_size = (frame_size, frame_size)
        self.split = split
        self.clip_len = clip_len
        self.stride = stride
        self.clips = None if clips is None else list(clips)
        self.frame_size = None if frame_size is None else tuple(frame_size)
        self.frame_dir = frame_dir
        self.map_dir = map_dir
        self.fixation_dir = fixation_dir
        self.frame_suffixes = tuple(frame_suffixes)
        self.map_suffixes = tuple(map_suffixes)
        self.check_maps = check_maps
        self.fixation_peak_ratio = fixation_peak_ratio
        if pipeline is None:
            pipeline = [PackSaliencyInputs()]
        super().__init__(data_root=data_root, pipeline=pipeline, **kwargs)

    def _split_dir(self, kind):
        return osp.join(self.data_root, AVS1K_SPLITS[self.split], kind)

    def _clip_maps(self, clip, frames):
        """Map and fixation paths of each frame of ``clip``."""
        map_dir = osp.join(self._split_dir(self.map_dir), clip)
        if not osp.isdir(map_dir):
            raise FileNotFoundError(f'no saliency maps for clip {clip}: '
                                    f'{map_dir} is missing; check data_root '
                                    f'and map_dir')
        by_stem = {
            osp.splitext(f)[0]: osp.join(map_dir, f)
            for f in _listdir(map_dir, self.map_suffixes)
        }
        fix_dir = osp.join(self._split_dir(self.fixation_dir), clip)
        fix_by_stem = {
            osp.splitext(f)[0]: osp.join(fix_dir, f)
            for f in _listdir(fix_dir, ('.png', '.jpg', '.npy'))
        } if osp.isdir(fix_dir) else {}
        maps, fixations = [], []
        for frame in frames:
            stem = osp.splitext(frame)[0]
            if stem not in by_stem:
                raise FileNotFoundError(
                    f'no saliency map for frame {clip}/{frame} (expected '
                    f'{osp.join(map_dir, stem)}{self.map_suffixes[0]}); add '
                    f'it or drop the frame')
            maps.append(by_stem[stem])
            fixations.append(fix_by_stem.get(stem))
        return maps, fixations

    def load_data_list(self):
        """List the items: (clip, first frame, frame/map/fixation paths)."""
        frame_root = self._split_dir(self.frame_dir)
        if not osp.isdir(frame_root):
            raise FileNotFoundError(
                f'AVS1K frames not found: {frame_root} is missing; set '
                f'data_root to the folder holding {AVS1K_SPLITS[self.split]}')
        clips = self.clips
        if clips is None:
            clips = sorted(
                d for d in os.listdir(frame_root)
                if osp.isdir(osp.join(frame_root, d)))
        data_list = []
        for clip in clips:
            clip_dir = osp.join(frame_root, clip)
            if not osp.isdir(clip_dir):
                raise FileNotFoundError(f'AVS1K clip not found: {clip_dir}')
            frames = _listdir(clip_dir, self.frame_suffixes)
            if len(frames) < self.clip_len:
                raise ValueError(
                    f'AVS1K clip {clip} has {len(frames)} frames, fewer than '
                    f'clip_len={self.clip_len}; lower clip_len or leave the '
                    f'clip out (clips=...)')
            maps, fixations = self._clip_maps(clip, frames)
            for start in range(0,
                               len(frames) - self.clip_len + 1, self.stride):
                if self.check_maps:
                    self._read_map(maps[start])
                data_list.append(
                    dict(
                        clip_id=clip,
                        frame_index=start,
                        frame_paths=[
                            osp.join(clip_dir, f)
                            for f in frames[start:start + self.clip_len]
                        ],
                        map_path=maps[start],
                        fixation_path=fixations[start]))
        if not data_list:
            raise ValueError(f'no AVS1K clips under {frame_root}')
        return data_list

    def _read_frame(self, path):
        frame = cv2.imread(path, cv2.IMREAD_COLOR)
        if frame is None:
            raise OSError(f'cannot read frame image {path}')
        if self.frame_size is not None:
            frame = cv2.resize(
                frame, self.frame_size[::-1], interpolation=cv2.INTER_AREA)
        return frame

    @staticmethod
    def _read_array(path):
        if path.endswith('.npy'):
            return np.load(path, allow_pickle=False)
        array = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if array is None:
            raise OSError(f'cannot read map image {path}')
        if array.ndim == 3:  # a colour-saved map: its channels are equal
            array = array[..., 0]
        return array

    def _read_map(self, path):
        """The checked, max-normalised map of ``path`` at the item size."""
        array = self._read_array(path)
        if array.ndim != 2:
            raise ValueError(f'{path}: a saliency map must be 2-D, got shape '
                             f'{array.shape}')
        saliency = check_saliency_map(array, path)
        if self.frame_size is not None:
            saliency = cv2.resize(
                saliency, self.frame_size[::-1], interpolation=cv2.INTER_AREA)
            saliency = check_saliency_map(saliency, path)
        return saliency

    def get_data_info(self, idx):
        """The data info of ``idx`` with frames, map and fixations read."""
        info = super().get_data_info(idx)
        frames = np.stack([self._read_frame(p) for p in info['frame_paths']])
        saliency = self._read_map(info['map_path'])
        if frames.shape[1:3] != saliency.shape:
            raise ValueError(
                f'{info["map_path"]}: map of shape {saliency.shape} for '
                f'frames of {frames.shape[1:3]}; set frame_size to resize '
                f'both')
        if info['fixation_path'] is not None:
            fixations = (self._read_array(info['fixation_path']) > 0)
            fixations = fixations.astype(np.uint8)
            if fixations.shape != saliency.shape:
                fixations = resize_fixations(fixations, saliency.shape)
        else:
            fixations = peak_fixations(saliency, self.fixation_peak_ratio)
        size = saliency.shape
        info.update(
            frames=frames,
            gt_saliency=saliency,
            gt_fixations=fixations,
            split=self.split,
            img_shape=size,
            ori_shape=size,
            pad_shape=size)
        return info


__all__ = ['AVS1K_SPLITS', 'AVS1KDataset']
