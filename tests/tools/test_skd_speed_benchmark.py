"""The ``skd-speed`` benchmark entry times every SKD model on its view's
input and reports FPS per batch size."""
from mmkd_transfer.apis.benchmark import methods  # noqa: F401
from mmkd_transfer.apis.benchmark.registry import (benchmark_entries,
                                                   run_benchmark)


def test_skd_speed_entry_reports_fps_of_every_model():
    entry = benchmark_entries()['skd-speed']
    report = run_benchmark(
        'skd-speed', iters=1, warmup=0, batch_sizes='1,2', fused_sizes='')
    assert report['entry'] == 'skd-speed' and report['threads'] == 1
    shapes = {k: v['input_shape'] for k, v in report['models'].items()}
    assert shapes == {
        'spatial teacher (FCN, frame t, HR)': (3, 64, 64),
        'temporal teacher (FCN, t and t+1, HR)': (6, 64, 64),
        'spatial student (LR)': (3, 32, 32),
        'temporal student (LR)': (2, 3, 32, 32),
        'spatiotemporal model (LR)': (2, 3, 32, 32),
    }
    for row in report['models'].values():
        assert set(row['fps']) == {'1', '2'}
        assert all(v > 0 for v in row['fps'].values())
    text = entry.format_report(report)
    assert '| spatial student (LR) | 3x32x32 | 247,649 |' in text
    assert '1,490.5' in text
