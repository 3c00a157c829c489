"""Data preprocessor for saliency clips: stack, normalise, optionally view."""
from typing import Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor
from mmrazor.registry import MODELS

from mmkd_transfer.views import ViewError, build_view


@MODELS.register_module()
class SaliencyClipDataPreprocessor(BaseDataPreprocessor):
    """Turn a list of (T, C, H, W) uint8 clips into one normalised batch.

    Output: ``inputs`` (N, T, C, H, W) float32, ``(x - mean) / std`` per
    channel, frame t first as the dataset gives it. Data samples that lack
    them get ``img_shape``, ``ori_shape``, ``pad_shape`` and
    ``batch_input_shape`` (the clip's (H, W)), which mmseg segmentors read
    in ``predict``.

    With ``view`` the batch is also passed through a view
    (:mod:`mmkd_transfer.views`): a model trained alone on clips, e.g. an
    mmseg teacher on frame t (``FrameView``) or a student at low resolution
    (``ComposeView`` of a ``FrameView`` and a ``ResolutionView``), sees what
    it would see inside ``MultiTeacherDistill``. In a distillation config
    the algorithm's preprocessor has no view: each model has its own.

    Args:
        mean (Sequence[float]): per-channel mean, on the 0-255 scale.
            Defaults to ImageNet's.
        std (Sequence[float]): per-channel std, on the 0-255 scale.
            Defaults to ImageNet's.
        view (dict, optional): a view config applied after normalising.
            Defaults to None.
        non_blocking (bool): as in ``BaseDataPreprocessor``.
    """

    def __init__(self,
                 mean: Sequence[float] = (123.675, 116.28, 103.53),
                 std: Sequence[float] = (58.395, 57.12, 57.375),
                 view: Optional[dict] = None,
                 non_blocking: bool = False):
        super().__init__(non_blocking)
        if len(mean) != len(std) or not all(s > 0 for s in std):
            raise ValueError('mean and std need one value per channel, std '
                             f'> 0; got mean={mean!r}, std={std!r}.')
        self.register_buffer('mean',
                             torch.tensor(mean).view(1, 1, -1, 1, 1), False)
        self.register_buffer('std',
                             torch.tensor(std).view(1, 1, -1, 1, 1), False)
        self.view = build_view(view)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Return ``dict(inputs, data_samples)`` (see the class doc)."""
        data = self.cast_data(data)
        clips = data['inputs']
        if isinstance(clips, (list, tuple)):
            clips = torch.stack(list(clips))
        if clips.dim() != 5:
            raise ValueError(
                f'expected a batch of clips (N, T, C, H, W), got shape '
                f'{tuple(clips.shape)}: the dataset must give each sample '
                'as a (T, C, H, W) clip under "inputs".')
        if clips.shape[2] != self.mean.shape[2]:
            raise ValueError(
                f'clips have {clips.shape[2]} channels but mean/std have '
                f'{self.mean.shape[2]}: set one value per channel.')
        clips = (clips.float() - self.mean) / self.std
        samples = data.get('data_samples')
        if samples:
            hw = tuple(clips.shape[-2:])
            for sample in samples:
                missing = {
                    k: hw
                    for k in ('img_shape', 'ori_shape', 'pad_shape',
                              'batch_input_shape') if k not in sample.metainfo
                }
                if missing:
                    sample.set_metainfo(missing)
        if self.view is not None:
            try:
                clips, samples = self.view(clips, samples)
            except ViewError as err:
                # the view's message names the fix; add where it failed
                raise ViewError(
                    f'{err} (in SaliencyClipDataPreprocessor, on clips of '
                    f'{clips.shape[1]} frames)') from None
        return dict(inputs=clips, data_samples=samples)
