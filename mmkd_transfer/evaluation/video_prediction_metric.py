"""The video-prediction metric: MSE, MAE, PSNR and SSIM per predicted
step and averaged."""
from collections import OrderedDict

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmrazor.registry import METRICS

from .frame_metrics import frame_mae, frame_mse, frame_psnr, frame_ssim

MEASURES = OrderedDict(
    mse=frame_mse, mae=frame_mae, psnr=frame_psnr, ssim=frame_ssim)


@METRICS.register_module()
class VideoPredictionMetric(BaseMetric):
    """Per-frame quality of predicted frames, per step and averaged.

    Reads the ``pred_frames`` and ``gt_frames`` ((P, C, H, W), values in
    [0, 1]) of each prediction (what the predictors' ``'predict'`` mode
    returns). Reports, averaged over clips: ``mse``, ``mae`` (sums over a
    frame's pixels), ``psnr`` (dB) and ``ssim``, each averaged over the P
    steps, and per step as ``mse/step_1`` ... ``ssim/step_P`` when
    ``per_step`` is True.

    Frames are scored as float values; the TMU/PredRNN releases score
    frames quantised to uint8 and take SSIM with scikit-image's defaults
    (7 x 7 uniform window), so their PSNR/SSIM differ slightly from these.

    Args:
        measures (Sequence[str]): a subset of ``('mse', 'mae', 'psnr',
            'ssim')``. Defaults to all four.
        per_step (bool): also report each predicted step. Defaults to True.
        collect_device (str): see :class:`mmengine.evaluator.BaseMetric`.
        prefix (str | None): key prefix. Defaults to ``'video'``.
    """

    default_prefix = 'video'

    def __init__(self,
                 measures=tuple(MEASURES),
                 per_step=True,
                 collect_device='cpu',
                 prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        unknown = set(measures) - set(MEASURES)
        if unknown or not measures:
            raise ValueError(f'unknown measures {sorted(unknown)}; choose '
                             f'from {list(MEASURES)}')
        self.measures = [m for m in MEASURES if m in measures]
        self.per_step = per_step

    def process(self, data_batch, data_samples):
        """Store each clip's per-step values: ``{measure: (P,) array}``."""
        for sample in data_samples:
            pred = torch.as_tensor(sample['pred_frames']).float().cpu()
            gt = torch.as_tensor(sample['gt_frames']).float().cpu()
            self.results.append({
                name: MEASURES[name](pred, gt).double().numpy()
                for name in self.measures
            })

    def compute_metrics(self, results):
        """Average over clips (per step) and over steps."""
        metrics = OrderedDict()
        for name in self.measures:
            per_step = np.stack([r[name] for r in results]).mean(0)
            metrics[name] = float(per_step.mean())
            if self.per_step:
                for step, value in enumerate(per_step, 1):
                    metrics[f'{name}/step_{step}'] = float(value)
        return metrics


__all__ = ['VideoPredictionMetric']
