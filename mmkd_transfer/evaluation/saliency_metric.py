"""The saliency metric: AUC-Judd, shuffled AUC, NSS, CC, SIM and KLD per
predicted map, averaged over the set."""
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmrazor.registry import METRICS

from .saliency_measures import auc_judd, cc, kld, nss, shuffled_auc, sim

#: measures of one map alone, by the fields they compare the prediction to
PER_MAP = OrderedDict(
    auc_judd=(auc_judd, 'fixations'),
    nss=(nss, 'fixations'),
    cc=(cc, 'gt'),
    sim=(sim, 'gt'),
    kld=(kld, 'gt'))
MEASURES = ('auc_judd', 'sauc', 'nss', 'cc', 'sim', 'kld')


def _field(sample, name):
    """``sample.<name>.data`` of a data sample or of its ``to_dict()``."""
    value = sample.get(name) if isinstance(sample, dict) else getattr(
        sample, name, None)
    if value is None:
        return None
    data = value.get('data') if isinstance(value, dict) else getattr(
        value, 'data', value)
    return torch.as_tensor(data).detach().float().cpu()


def _one_map(tensor, name):
    """A (1, H, W) or (H, W) map as (H, W)."""
    if tensor.dim() == 3 and tensor.shape[0] == 1:
        tensor = tensor[0]
    if tensor.dim() != 2:
        raise ValueError(f'{name} must be one map, (1, H, W) or (H, W), got '
                         f'shape {tuple(tensor.shape)}')
    return tensor


def read_prediction(sample):
    """The predicted saliency map of a data sample, (H, W) float tensor.

    ``pred_saliency`` (non-negative) when present, else the sigmoid of a
    one-channel ``seg_logits`` (what an mmseg segmentor with one output
    channel predicts).
    """
    pred = _field(sample, 'pred_saliency')
    if pred is not None:
        pred = _one_map(pred, 'pred_saliency')
        if not torch.isfinite(pred).all() or float(pred.min()) < 0:
            raise ValueError('pred_saliency must be finite and non-negative '
                             '(a density); apply a sigmoid or ReLU in the '
                             'model\'s predict')
        return pred
    logits = _field(sample, 'seg_logits')
    if logits is None:
        raise ValueError('SaliencyMetric: a prediction has neither '
                         'pred_saliency nor seg_logits; predict a (1, H, W) '
                         'saliency map')
    return _one_map(logits, 'seg_logits (one channel)').sigmoid()


def _resize(pred, size):
    """Bilinear resize of an (H, W) map to ``size`` (no-op when equal)."""
    if tuple(pred.shape) == tuple(size):
        return pred
    return F.interpolate(
        pred[None, None],
        size=tuple(size),
        mode='bilinear',
        align_corners=False)[0, 0].clamp_min(0)


@METRICS.register_module()
class SaliencyMetric(BaseMetric):
    """Saliency prediction quality: AUC-Judd, shuffled AUC, NSS, CC, SIM
    and KLD (definitions and our choices in :mod:`.saliency_measures`).

    Reads from each data sample the prediction (:func:`read_prediction`:
    ``pred_saliency``, or the sigmoid of a one-channel ``seg_logits``), the
    ground-truth density ``gt_saliency`` and the binary ``gt_fixations``
    ((1, H, W) each). The prediction is resized bilinearly to the ground
    truth's size. Each measure is computed per map and averaged. The
    shuffled AUC takes as negatives the fixations of every other evaluated
    map (moved onto this map's grid by relative position), so it is
    computed when all results are in; it keeps each resized prediction
    (float32) until then.

    Higher is better for every key but ``kld``.

    Args:
        measures (Sequence[str]): a subset of :data:`MEASURES`.
            Defaults to all six.
        collect_device (str): see :class:`mmengine.evaluator.BaseMetric`.
        prefix (str | None): key prefix. Defaults to ``'saliency'``.
    """

    default_prefix = 'saliency'

    def __init__(self, measures=MEASURES, collect_device='cpu', prefix=None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        unknown = sorted(set(measures) - set(MEASURES))
        if unknown or not measures:
            raise ValueError(f'unknown measures {unknown}; choose from '
                             f'{list(MEASURES)}')
        self.measures = [m for m in MEASURES if m in measures]

    def process(self, data_batch, data_samples):
        """Score each sample's map; keep what the shuffled AUC needs."""
        for sample in data_samples:
            gt = _field(sample, 'gt_saliency')
            fix = _field(sample, 'gt_fixations')
            if gt is None or fix is None:
                raise ValueError('SaliencyMetric needs gt_saliency and '
                                 'gt_fixations in each data sample; use a '
                                 'saliency dataset (PackSaliencyInputs)')
            gt = _one_map(gt, 'gt_saliency').double().numpy()
            fixations = _one_map(fix, 'gt_fixations').numpy() > 0
            if gt.max() <= 0 or gt.min() < 0 or not fixations.any():
                raise ValueError('SaliencyMetric: a ground truth is not a '
                                 'density with fixations (negative, all '
                                 'zero, or no fixation point); check the '
                                 'dataset')
            pred = _resize(read_prediction(sample), gt.shape)
            pred = pred.double().numpy()
            result = {
                name: fn(pred, fixations if kind == 'fixations' else gt)
                for name, (fn, kind) in PER_MAP.items()
                if name in self.measures
            }
            if 'sauc' in self.measures:
                ys, xs = np.nonzero(fixations)
                h, w = fixations.shape
                result['pred'] = pred.astype(np.float32)
                result['fixations'] = fixations
                # pixel centres in [0, 1): where they fall on other grids
                result['points'] = np.stack([(ys + 0.5) / h, (xs + 0.5) / w],
                                            axis=1)
            self.results.append(result)

    @staticmethod
    def _shuffled_aucs(results):
        """Each map's shuffled AUC against all other maps' fixations."""
        counts = [len(r['points']) for r in results]
        points = np.concatenate([r['points'] for r in results])
        owner = np.repeat(np.arange(len(results)), counts)
        values = []
        for i, r in enumerate(results):
            size = np.array(r['pred'].shape)
            other = points[owner != i]
            pixels = np.minimum((other * size).astype(np.int64), size - 1)
            values.append(shuffled_auc(r['pred'], r['fixations'], pixels))
        return values

    def compute_metrics(self, results):
        """Average each measure over the maps."""
        metrics = OrderedDict()
        for name in self.measures:
            if name == 'sauc':
                values = self._shuffled_aucs(results)
            else:
                values = [r[name] for r in results]
            metrics[name] = float(np.mean(values))
        return metrics


__all__ = ['MEASURES', 'SaliencyMetric', 'read_prediction']
