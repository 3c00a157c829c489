"""Saliency measures (AUC-Judd, sAUC, NSS, CC, SIM, KLD) against values
computed by hand on 2 x 2 maps, invariances, and SaliencyMetric on mmseg
data samples."""
import math

import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmrazor.registry import METRICS
from mmseg.structures import SegDataSample

from mmkd_transfer.evaluation.saliency_measures import (auc_judd, cc, kld, nss,
                                                        roc_auc, shuffled_auc,
                                                        sim)

# The hand-worked example: prediction, ground truth, fixations (2 x 2).
PRED = np.array([[1., 2.], [3., 4.]])
GT = np.array([[0., 1.], [0., 1.]])
FIX = np.array([[0, 1], [0, 1]], np.uint8)  # at values 2 and 4


def test_auc_judd_by_hand():
    # thresholds 4, 2 (values at the fixations); negatives are {1, 3}:
    # s=4: TPR 1/2, FPR 0/2; s=2: TPR 1, FPR 1/2. Curve (0,0) (0,.5)
    # (.5,1) (1,1): area 0 + .5 * (.5 + 1) / 2 + .5 * 1 = 0.875
    assert auc_judd(PRED, FIX) == pytest.approx(0.875, abs=1e-12)
    # a constant map ranks nothing: 0.5; the fixation map itself: 1
    assert auc_judd(np.ones((2, 2)), FIX) == pytest.approx(0.5)
    assert auc_judd(FIX.astype(float), FIX) == pytest.approx(1.0)


def _naive_auc_judd(pred, fix):
    """The curve point by point, with Python loops."""
    pred, fix = pred.ravel().tolist(), fix.ravel().tolist()
    pos = [p for p, f in zip(pred, fix) if f]
    neg = [p for p, f in zip(pred, fix) if not f]
    points = [(0.0, 0.0)]
    for s in sorted(set(pos), reverse=True):
        points.append((sum(n >= s for n in neg) / len(neg),
                       sum(p >= s for p in pos) / len(pos)))
    points.append((1.0, 1.0))
    return sum((x1 - x0) * (y0 + y1) / 2
               for (x0, y0), (x1, y1) in zip(points, points[1:]))


def test_auc_judd_matches_a_naive_loop_with_ties():
    rng = np.random.RandomState(0)
    for _ in range(5):
        pred = rng.randint(0, 6, size=(7, 9)).astype(float)  # many ties
        fix = (rng.rand(7, 9) < 0.2).astype(np.uint8)
        fix[3, 3] = 1
        assert auc_judd(pred, fix) == pytest.approx(
            _naive_auc_judd(pred, fix), abs=1e-12)


def test_roc_auc_is_the_pairwise_win_rate():
    rng = np.random.RandomState(1)
    pos, neg = rng.randint(0, 5, 13), rng.randint(0, 5, 17)
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    assert roc_auc(pos, neg) == pytest.approx(wins / (13 * 17))


def test_shuffled_auc_by_hand():
    # positives {2, 4}; negatives: PRED at other maps' fixations (1,0) and
    # (0,1) = {3, 2}. Pairs 2v3: 0, 2v2: 1/2, 4v3: 1, 4v2: 1 -> 2.5 / 4
    assert shuffled_auc(PRED, FIX, [[1, 0], [0, 1]]) == pytest.approx(0.625)
    with pytest.raises(ValueError, match='at least 2 samples'):
        shuffled_auc(PRED, FIX, np.zeros((0, 2)))


def test_nss_cc_sim_kld_by_hand():
    # PRED mean 2.5, population std sqrt(1.25); at fixations (2 and 4):
    # (-0.5 + 1.5) / 2 / sqrt(1.25) = 1 / sqrt(5)
    assert nss(PRED, FIX) == pytest.approx(1 / math.sqrt(5), abs=1e-12)
    # centred (-1.5, -.5, .5, 1.5) . (-.5, .5, -.5, .5) = 1; norms 5 and 1
    assert cc(PRED, GT) == pytest.approx(1 / math.sqrt(5), abs=1e-12)
    # range-normalised then summed to 1: (0, 1/6, 1/3, 1/2) and
    # (0, 1/2, 0, 1/2); sum of minima = 1/6 + 1/2 = 2/3
    assert sim(PRED, GT) == pytest.approx(2 / 3, abs=1e-12)
    # G = (0, .5, 0, .5), P = (.1, .2, .3, .4):
    # .5 ln(.5/.2) + .5 ln(.5/.4)
    expected = 0.5 * math.log(2.5) + 0.5 * math.log(1.25)
    assert kld(PRED, GT) == pytest.approx(expected, abs=1e-9)


def test_invariances():
    rng = np.random.RandomState(2)
    x = rng.rand(9, 11)
    fix = (rng.rand(9, 11) < 0.3).astype(np.uint8)
    assert cc(x, x) == pytest.approx(1.0)
    assert sim(x, x) == pytest.approx(1.0)
    assert kld(x, x) == pytest.approx(0.0, abs=1e-12)
    assert cc(x, 1 - x) == pytest.approx(-1.0)
    # CC, NSS, AUC and SIM ignore positive affine changes of the prediction
    y = 3 * x + 2
    assert cc(y, x) == pytest.approx(1.0)
    assert nss(y, fix) == pytest.approx(nss(x, fix))
    assert auc_judd(y, fix) == pytest.approx(auc_judd(x, fix))
    assert sim(y, x) == pytest.approx(1.0)
    # constant maps: no information
    flat = np.ones((9, 11))
    assert nss(flat, fix) == 0.0 and cc(flat, x) == 0.0
    assert 0 <= sim(x, 1 - x) < 1 and kld(1 - x, x) > 0


# ------------------------------------------------------------- the metric
def _sample(pred=None, logits=None, gt=GT, fix=FIX):
    sample = SegDataSample()
    sample.gt_saliency = PixelData(data=torch.tensor(gt)[None].float())
    sample.gt_fixations = PixelData(data=torch.tensor(fix)[None])
    if pred is not None:
        sample.pred_saliency = PixelData(data=torch.tensor(pred)[None].float())
    if logits is not None:
        sample.seg_logits = PixelData(data=torch.tensor(logits)[None].float())
    return sample


def _evaluate(samples, **kwargs):
    metric = METRICS.build(dict(type='SaliencyMetric', **kwargs))
    metric.dataset_meta = {}
    # the evaluator hands the metric dicts, as mmengine's Evaluator does
    metric.process({}, [s.to_dict() for s in samples])
    return metric.evaluate(len(samples))


def test_metric_averages_the_hand_values():
    other = np.array([[4., 3.], [2., 1.]])
    other_fix = np.array([[0, 1], [1, 0]], np.uint8)
    out = _evaluate([_sample(PRED), _sample(other, fix=other_fix)])
    assert set(out) == {
        f'saliency/{k}'
        for k in ('auc_judd', 'sauc', 'nss', 'cc', 'sim', 'kld')
    }
    # second map: positives {3, 2}, negatives {4, 1}: s=3: TPR .5, FPR .5;
    # s=2: TPR 1, FPR .5; area .125 + 0 + .5 = .625
    assert out['saliency/auc_judd'] == pytest.approx((0.875 + 0.625) / 2)
    # sAUC: map 1 positives {2,4} vs its values at map 2's fixations
    # (0,1),(1,0) = {2,3}: .625; map 2 positives {3,2} vs its values at
    # map 1's fixations (0,1),(1,1) = {3,1}: 2v3 0, 2v1 1, 3v3 .5, 3v1 1
    assert out['saliency/sauc'] == pytest.approx((0.625 + 0.625) / 2)
    assert out['saliency/nss'] == pytest.approx(
        (nss(PRED, FIX) + nss(other, other_fix)) / 2)
    assert out['saliency/kld'] == pytest.approx(
        (kld(PRED, GT) + kld(other, GT)) / 2)


def test_shuffled_auc_moves_fixations_between_grid_sizes():
    """A fixation at (2, 0) of a 4 x 4 map falls on (1, 0) of a 2 x 2 one."""
    big_fix = np.zeros((4, 4), np.uint8)
    big_fix[2, 0] = big_fix[0, 3] = 1  # -> (1, 0) and (0, 1) on 2 x 2
    big = _sample(np.ones((4, 4)), gt=np.ones((4, 4)), fix=big_fix)
    out = _evaluate([_sample(PRED), big], measures=('sauc', ))
    # map 1 as in test_shuffled_auc_by_hand: .625; map 2 is flat: .5
    assert out['saliency/sauc'] == pytest.approx((0.625 + 0.5) / 2)


def test_metric_reads_seg_logits_and_resizes_predictions():
    probs = np.array([[0.1, 0.2], [0.3, 0.4]])
    logits = np.log(probs / (1 - probs))
    big = probs.repeat(2, 0).repeat(2, 1)  # 4 x 4, bilinear-exact blocks
    ref = _evaluate([_sample(probs), _sample(probs[::-1].copy())])
    from_logits = _evaluate(
        [_sample(logits=logits),
         _sample(logits=logits[::-1].copy())])
    resized = _evaluate([_sample(big), _sample(big[::-1].copy())])
    for key, value in ref.items():
        assert from_logits[key] == pytest.approx(value, abs=1e-6)
        assert resized[key] == pytest.approx(value, abs=1e-6)


def test_metric_bad_input():
    with pytest.raises(ValueError, match='unknown measures'):
        METRICS.build(dict(type='SaliencyMetric', measures=('auc', )))
    with pytest.raises(ValueError, match='non-negative'):
        _evaluate([_sample(-PRED), _sample(PRED)])
    with pytest.raises(ValueError, match='neither pred_saliency nor'):
        _evaluate([_sample(), _sample(PRED)])
    with pytest.raises(ValueError, match='not a density'):
        _evaluate([_sample(PRED, gt=np.zeros((2, 2))), _sample(PRED)])
    # one map alone has no other fixations for sAUC, but the rest works
    out = _evaluate([_sample(PRED)], measures=('cc', 'kld'))
    assert out == pytest.approx({
        'saliency/cc': 1 / math.sqrt(5),
        'saliency/kld': kld(PRED, GT)
    })
