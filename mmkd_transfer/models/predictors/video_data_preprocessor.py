"""Data preprocessor of the video predictors: a batch of clips as one
(N, T, C, H, W) float tensor in [0, 1]."""
import torch
from mmengine.model import BaseDataPreprocessor
from mmrazor.registry import MODELS


@MODELS.register_module()
class VideoPredictionDataPreprocessor(BaseDataPreprocessor):
    """Stack clips, move them to the model's device, scale to [0, 1].

    Accepts ``data['inputs']`` as a list of (T, C, H, W) tensors (what
    ``pseudo_collate`` gives) or one (N, T, C, H, W) tensor; uint8 clips are
    divided by 255, float clips must already lie in [0, 1].
    """

    def forward(self, data, training=False):
        """Return ``dict(inputs=(N, T, C, H, W) float32, data_samples)``."""
        data = self.cast_data(data)
        clips = data['inputs']
        if isinstance(clips, (list, tuple)):
            clips = torch.stack(list(clips))
        if clips.dim() != 5:
            raise ValueError(f'expected clips (N, T, C, H, W), got '
                             f'{tuple(clips.shape)}; datasets must give '
                             f'(T, C, H, W) clips under "inputs"')
        if clips.dtype == torch.uint8:
            clips = clips.float() / 255.0
        else:
            clips = clips.float()
            if clips.numel() and (clips.min() < 0 or clips.max() > 1):
                raise ValueError('float clips must lie in [0, 1]; give '
                                 'uint8 clips or scale them first')
        return dict(inputs=clips, data_samples=data.get('data_samples'))


__all__ = ['VideoPredictionDataPreprocessor']
