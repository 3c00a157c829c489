"""The ``tmu-transfer`` benchmark entry: registered, measures every
variant, and its report states the ratios."""
import json
import math

import pytest

from mmkd_transfer.apis.benchmark import registry
from mmkd_transfer.apis.benchmark.methods import tmu_transfer


def test_entry_is_registered_with_its_options():
    entry = registry._ENTRIES['tmu-transfer']
    assert entry.run is tmu_transfer.benchmark_tmu_transfer
    assert {'batch_size', 'hidden', 'num_sources', 'config'} <= \
        set(entry.options())


def test_entry_measures_the_cells_and_the_step():
    report = tmu_transfer.benchmark_tmu_transfer(
        iters=1, warmup=0, batch_size=1, hidden=8, device='cpu')
    json.dumps(report)  # what --json writes
    cell = report['cell']
    assert set(cell['times']) == {
        'plain cell fwd+bwd', 'plain cell fwd', 'tmu cell fwd+bwd',
        'tmu cell fwd'
    }
    # 16 input + 8 hidden channels, 5x5 gates: 4 maps plain, 4 + M for TMU,
    # plus M 1x1 distillers (8x8) with their normalisation (2 x 8)
    plain = cell['params']['plain']
    assert plain == 24 * 32 * 25 + 2 * 32
    assert cell['params']['tmu'] == 24 * 48 * 25 + 2 * 48 + 2 * (64 + 16)
    step = report['step']
    assert step['sources'] == ['src_1d', 'src_2d']
    assert step['clip_shape'] == (20, 1, 32, 32)
    assert 'transfer step (sources + target + L_mem)' in step['times']
    for summary in report['ratios'].values():
        assert summary['median'] > 0 and math.isfinite(summary['median'])
    text = tmu_transfer.format_tmu_transfer_report(report)
    assert '| TMU / plain cell (fwd+bwd) |' in text
    assert '| transfer step / (M source fwds + target step) |' in text


def test_entry_refuses_a_config_that_is_not_a_transfer(tmp_path):
    config = tmp_path / 'plain.py'
    config.write_text("model = dict(type='ConvLSTMPredictor')\n")
    with pytest.raises(ValueError, match='needs a TMUTransferDistill'):
        tmu_transfer._measure_step(1, 0, 1, str(config), 'cpu', 0)
