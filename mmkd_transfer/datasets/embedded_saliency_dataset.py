"""Embedded aerial-like saliency clips as an mmengine dataset."""
from mmengine.dataset import BaseDataset
from mmrazor.registry import DATASETS

from .aerial_clips import check_aerial_recipe, generate_aerial_clip
from .digits_source import check_split
from .pack_saliency_inputs import PackSaliencyInputs
from .saliency_maps import check_saliency_map


@DATASETS.register_module()
class EmbeddedSaliencyClipDataset(BaseDataset):
    """Synthetic aerial clips with a known saliency (see
    :mod:`.aerial_clips`), generated at run time (no files, no downloads).

    For SKD (Spatiotemporal Knowledge Distillation for Efficient Estimation
    of Aerial Video Saliency; Li, Fu, Zhao, Ge; IEEE TIP 2020). A camera pans
    over a textured ground with parked vehicles; a few vehicles move on
    their own. The ground truth of frame t (the first frame of the clip) is
    a Gaussian density on the vehicles that move differently from the
    background, so a single frame cannot tell which vehicles are salient
    and the pair (t, t + 1) can.

    Each clip is generated when its item is read, from its index alone (the
    data list holds indices only: mmengine pickles the data list, and
    nothing large travels with it). After the default pipeline
    (:class:`~.pack_saliency_inputs.PackSaliencyInputs`) an item is
    ``dict(inputs=(T, 3, H, W) uint8 BGR, data_samples=SegDataSample)``
    with ``gt_saliency``/``gt_sem_seg`` (1, H, W) float32 in [0, 1] and
    ``gt_fixations`` (1, H, W) uint8.

    Args:
        split (str): ``'train'`` or ``'val'`` (independent clips).
            Defaults to ``'train'``.
        num_clips (int): clips in the set. Defaults to 512.
        clip_len (int): frames per item T (frame t first). Defaults to 2.
        frame_size (int): frame side. Defaults to 64.
        num_objects (int): moving (salient) vehicles. Defaults to 2.
        num_parked (int): parked vehicles (not salient). Defaults to 3.
        object_size (int, optional): vehicle length. Defaults to
            ``max(3, frame_size // 10)``.
        object_speed (float): moving vehicles' speed in pixels per frame.
            Defaults to 2.5.
        camera_speed (float): camera pan in pixels per frame. Defaults to 1.
        sigma (float, optional): Gaussian std in pixels. Defaults to
            ``object_size``.
        num_fixations (int): fixation points per item. Defaults to 16.
        seed (int): generation seed. Defaults to 0.
        pipeline (Sequence, optional): transforms; None packs the item with
            :class:`~.pack_saliency_inputs.PackSaliencyInputs`.
        **kwargs: other arguments of :class:`mmengine.dataset.BaseDataset`.
    """

    METAINFO = dict(classes=('salient', ))

    def __init__(self,
                 split='train',
                 num_clips=512,
                 clip_len=2,
                 frame_size=64,
                 num_objects=2,
                 num_parked=3,
                 object_size=None,
                 object_speed=2.5,
                 camera_speed=1.0,
                 sigma=None,
                 num_fixations=16,
                 seed=0,
                 pipeline=None,
                 **kwargs):
        check_split(split)
        for name, value in (('num_clips', num_clips), ('clip_len', clip_len)):
            is_int = isinstance(value, int) and not isinstance(value, bool)
            if not is_int or value < 1:
                raise ValueError(f'{name} must be an int >= 1, got '
                                 f'{value!r}')
        self.recipe = dict(
            num_frames=clip_len,
            frame_size=frame_size,
            num_objects=num_objects,
            num_parked=num_parked,
            object_size=(max(3, frame_size //
                             10) if object_size is None else object_size),
            object_speed=object_speed,
            camera_speed=camera_speed,
            sigma=sigma,
            num_fixations=num_fixations,
            split=split,
            seed=seed)
        # bad recipes fail here, when the config is built
        check_aerial_recipe(
            frame_size,
            clip_len,
            num_objects,
            num_parked,
            self.recipe['object_size'],
            object_speed,
            camera_speed,
            num_fixations,
        )
        self.split = split
        self.num_clips = num_clips
        self.clip_len = clip_len
        if pipeline is None:
            pipeline = [PackSaliencyInputs()]
        super().__init__(pipeline=pipeline, **kwargs)

    def load_data_list(self):
        """One small data info per clip: its index."""
        return [dict(clip_id=i) for i in range(self.num_clips)]

    def get_data_info(self, idx):
        """The data info of ``idx`` with its generated frames and maps."""
        info = super().get_data_info(idx)
        clip = generate_aerial_clip(info['clip_id'], **self.recipe)
        where = f'{type(self).__name__} clip {info["clip_id"]}'
        size = clip['frames'].shape[1:3]
        info.update(
            frames=clip['frames'],
            gt_saliency=check_saliency_map(clip['saliency'], where),
            gt_fixations=clip['fixations'],
            frame_index=0,
            split=self.split,
            img_shape=size,
            ori_shape=size,
            pad_shape=size)
        return info


__all__ = ['EmbeddedSaliencyClipDataset']
