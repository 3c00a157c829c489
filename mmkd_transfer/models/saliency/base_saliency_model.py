"""The three model modes of a saliency model that outputs one channel of
logits: losses against the ground-truth map, ``pred_saliency``, tensors."""
from typing import List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmrazor.registry import MODELS
from torch import Tensor, nn

from ..utils.saliency_maps import resize_map


def stack_gt_saliency(data_samples: Sequence) -> Tensor:
    """The samples' ``gt_saliency`` maps as one (N, 1, H, W) float batch."""
    if not data_samples or not all(
            hasattr(s, 'gt_saliency') for s in data_samples):
        raise ValueError(
            'saliency losses need data samples with a gt_saliency map '
            '(PixelData (1, H, W) in [0, 1]): use a saliency dataset such as '
            'EmbeddedSaliencyClipDataset with its pack transform.')
    return torch.stack([s.gt_saliency.data for s in data_samples]).float()


def _output_size(sample, fallback):
    """Where a prediction is scored: the sample's original image size,
    else its ground truth's, else the model output's."""
    if 'ori_shape' in sample.metainfo:
        return tuple(sample.metainfo['ori_shape'][:2])
    if hasattr(sample, 'gt_saliency'):
        return tuple(sample.gt_saliency.shape)
    return tuple(fallback)


class BaseSaliencyModel(BaseModel):
    """A saliency model: :meth:`extract_logits` gives (N, 1, h, w) logits.

    Modes of :meth:`forward`:

    - ``'tensor'``: the logits (N, 1, h, w) at the model's output size
      (what a distiller records from the head);
    - ``'loss'``: the logits are resized (bilinear) to the ground truth's
      size and each configured loss compares them with ``gt_saliency``,
      so a low-resolution model is trained against the full-resolution map;
    - ``'predict'``: the data samples with ``pred_saliency`` (PixelData
      (1, H, W), the sigmoid map resized to ``ori_shape``), what
      ``SaliencyMetric`` reads.

    Args:
        loss_saliency (dict | list[dict]): loss config(s) called as
            ``loss(logits, gt_map)``; their ``loss_name`` is the key in the
            loss dict. Defaults to ``SKDSaliencyMSELoss`` (MSE of
            sigmoid(logits) to the map).
        data_preprocessor (dict | nn.Module, optional): defaults to a
            ``SaliencyClipDataPreprocessor`` without view.
        init_cfg (dict, optional): mmengine init config.
    """

    def __init__(
            self,
            loss_saliency: Union[dict,
                                 List[dict]] = dict(type='SKDSaliencyMSELoss'),
            data_preprocessor: Optional[Union[dict, nn.Module]] = None,
            init_cfg: Optional[dict] = None):
        if data_preprocessor is None:
            data_preprocessor = dict(type='SaliencyClipDataPreprocessor')
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(
                dict(data_preprocessor, _scope_='mmrazor'))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        configs = (
            loss_saliency if isinstance(loss_saliency,
                                        (list, tuple)) else [loss_saliency])
        if not configs:
            raise ValueError('loss_saliency needs at least one loss, e.g. '
                             "dict(type='SKDSaliencyMSELoss').")
        self.losses = nn.ModuleList(
            MODELS.build(dict(cfg, _scope_='mmrazor')) for cfg in configs)

    def extract_logits(self, inputs: Tensor) -> Tensor:
        """Saliency logits (N, 1, h, w) of a preprocessed batch."""
        raise NotImplementedError

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'tensor':
            return self.extract_logits(inputs)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        raise ValueError(f'mode must be "tensor", "loss" or "predict", got '
                         f'{mode!r}.')

    def loss(self, inputs: Tensor, data_samples: list) -> dict:
        """Each configured loss of the logits against ``gt_saliency``."""
        gt = stack_gt_saliency(data_samples).to(inputs.device)
        logits = resize_map(self.extract_logits(inputs), gt.shape[-2:])
        losses = {}
        for loss in self.losses:
            value = loss(logits, gt)
            name = loss.loss_name
            losses[name] = losses[name] + value if name in losses else value
        return losses

    def predict(self, inputs: Tensor, data_samples: Optional[list] = None):
        """Data samples with ``pred_saliency`` (see the class doc)."""
        maps = torch.sigmoid(self.extract_logits(inputs))
        if data_samples is None:
            from mmseg.structures import SegDataSample
            data_samples = [SegDataSample() for _ in range(len(maps))]
        for i, sample in enumerate(data_samples):
            size = _output_size(sample, maps.shape[-2:])
            sample.pred_saliency = PixelData(
                data=resize_map(maps[i:i + 1], size)[0])
        return data_samples
