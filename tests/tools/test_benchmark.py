"""tools/benchmark.py: structure and exact counts, never times.

Times on a shared CPU are noise; these tests only check what does not
depend on them: the variants alternate, every report row is there, ratios
are positive and finite, parameter counts are sums of ``numel``, memory
peaks equal the bytes a known function allocates.
"""
import importlib.util
import json
import math
import types

import pytest
import torch
from conftest import REPO, config_path
from mmengine.config import Config

from mmkd_transfer.apis import benchmark as bench
from mmkd_transfer.models.losses.afd_loss import AFDLoss

KD = config_path('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py')
AFD = config_path('afd', 'afd_r18w32_r18w8_1xb64_digits-cls-50l.py')
VARIANTS = ['student_step', 'teacher_forward', 'distill_step']
RATIOS = [
    'distill_step / (teacher_forward + student_step)',
    'distill_step / student_step'
]


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """One torch thread: two OpenMP threads on 2 cores shared with other
    jobs wait on each other (a step measured ~10x slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _tool():
    spec = importlib.util.spec_from_file_location('benchmark_tool',
                                                  f'{REPO}/tools/benchmark.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _numel(module):
    return sum(p.numel() for p in module.parameters())


def _assert_summary(summary, n, positive=True):
    assert summary['n'] == n
    for key in ('median', 'p25', 'p75'):
        assert math.isfinite(summary[key])
        assert summary[key] > 0 if positive else summary[key] >= 0
    assert summary['p25'] <= summary['median'] <= summary['p75']


def test_variants_alternate_in_rotated_order():
    calls = []
    variants = {name: (lambda n=name: calls.append(n)) for name in 'abc'}
    times = bench.interleaved_timings(variants, iters=3, warmup=1)
    # warm-up a,b,c; then b,c,a / c,a,b / a,b,c
    assert ''.join(calls) == 'abc' 'bca' 'cab' 'abc'
    assert {k: len(v) for k, v in times.items()} == dict(a=3, b=3, c=3)


def test_summaries_and_per_repeat_ratios():
    assert bench.summarize([4, 1, 3, 2]) == dict(median=2.5, p25=1.75,
                                                 p75=3.25, n=4)
    times = dict(d=[3.0, 8.0], t=[1.0, 1.0], s=[2.0, 3.0])
    assert bench.per_repeat_ratios(times, 'd', ['t', 's']) == [1.0, 2.0]
    with pytest.raises(ValueError, match='iters must be >= 1'):
        bench.interleaved_timings(dict(a=lambda: None), iters=0, warmup=0)


def test_model_view_uses_the_algorithms_views():
    halve = types.SimpleNamespace(
        student_batch=lambda x, s: (x[..., ::2, ::2], s),
        teacher_view=lambda name, x, s: (x * 2 if name == 't2' else x, s))
    x = torch.ones(1, 3, 8, 8)
    assert bench.model_view(halve, 'student', x)[0].shape == (1, 3, 4, 4)
    assert bench.model_view(halve, 't2', x)[0].sum() == 2 * x.sum()
    assert bench.model_view(halve, 't1', x)[0] is x
    # MMRazor's algorithms have no views: every model sees the batch
    assert bench.model_view(object(), 'student', x, ['s']) == (x, ['s'])


def test_cpu_peak_memory_counts_tensor_bytes():
    def two_live_maps():
        x = torch.ones(1000, 1000)
        y = x * 2  # x and y alive together: 2 x 4,000,000 bytes
        del x
        return y + 1  # y and the result: again 8,000,000

    peak, what = bench.peak_memory(two_live_maps, torch.device('cpu'))
    if peak is None:
        pytest.skip('this torch has no profiler memory events')
    # plus a few bytes for the wrapped Python scalars
    assert 8_000_000 <= peak < 8_000_000 + 1024
    assert 'tensor bytes' in what


def test_kd_config_report(tmp_path):
    cfg = Config.fromfile(KD)
    _, algorithm, optim_wrapper, data = bench.build_from_config(
        cfg, batch_size=4, work_dir=str(tmp_path))
    # the config names a teacher checkpoint that does not exist here: the
    # benchmark drops it (an untrained teacher costs the same) without
    # touching the caller's config
    assert cfg.model.teachers.teacher.ckpt.endswith('epoch_30.pth')
    report = bench.measure_distillation(algorithm, optim_wrapper, data,
                                        iters=2, warmup=1)

    assert list(report['times']) == VARIANTS
    for summary in report['times'].values():
        _assert_summary(summary, 2)
    assert list(report['ratios']) == RATIOS
    for summary in report['ratios'].values():
        _assert_summary(summary, 2)
    assert report['batch_size'] == 4
    assert report['input_shape'] == (3, 8, 8)
    for name in VARIANTS:
        assert report['peak_memory'][name] is None or \
            report['peak_memory'][name] > 0

    models = report['models']
    assert list(models) == ['teacher', 'student']
    assert models['teacher']['input_shape'] == (3, 8, 8)
    assert models['student']['input_shape'] == (3, 8, 8)
    assert models['teacher']['params'] == _numel(algorithm.teacher)
    assert models['student']['params'] == _numel(algorithm.student)
    # the embedded pair: ResNet-18 (CIFAR stem) width 32 and width 8
    assert models['teacher']['params'] == 2_797_610
    assert models['student']['params'] == 176_402
    assert models['teacher']['flops'] > models['student']['flops'] > 0
    for row in models.values():
        _assert_summary(row['latency_b1'], 2)
    # MMRazor's KLDivergence adds nothing
    assert report['extra_params'] == []

    text = bench.format_distillation_report(report)
    for row in VARIANTS + RATIOS + ['teacher', 'student', '(none)']:
        assert f'| {row} |' in text
    json.dumps(report)  # --json writes it


def test_afd_extra_parameters_are_the_meta_network(tmp_path):
    cfg = Config.fromfile(AFD)
    _, algorithm, optim_wrapper, _ = bench.build_from_config(
        cfg, batch_size=4, work_dir=str(tmp_path))
    loss_afd = algorithm.distiller.distill_losses.loss_afd
    rows = bench.extra_parameter_groups(algorithm, optim_wrapper)
    assert rows == [
        dict(module='distiller.distill_losses.loss_afd',
             params=_numel(loss_afd), trainable=_numel(loss_afd),
             in_optimizer=_numel(loss_afd))
    ]
    assert rows[0]['params'] > 0


def test_afd_loss_mode_through_the_cli(tmp_path):
    out = tmp_path / 'afd.json'
    report = _tool().main(['--afd-loss', '--batch-size', '2', '--iters', '2',
                           '--warmup', '0', '--json', str(out)])
    assert json.loads(out.read_text())['afd_params'] == report['afd_params']
    afd = AFDLoss(qk_dim=128)
    afd.build_from_shapes(s_features=bench.WRN16_2_SHAPES,
                          t_features=bench.WRN40_2_SHAPES)
    assert report['afd_params'] == _numel(afd)
    assert list(report['times']) == ['afd_loss', 'at_loss']
    for summary in report['times'].values():
        _assert_summary(summary, 2)
    _assert_summary(report['ratios']['afd_loss / at_loss'], 2)
    assert (len(report['s_shapes']), len(report['t_shapes'])) == (6, 18)
    text = bench.format_afd_report(report)
    for row in ('afd_loss', 'at_loss', 'afd_loss / at_loss'):
        assert f'| {row} |' in text


def test_config_mode_through_the_cli(capsys):
    report = _tool().main([
        KD, '--batch-size', '2', '--iters', '1', '--warmup', '0',
        '--no-memory', '--cfg-options',
        'model.distiller.distill_losses.loss_kl.tau=2'
    ])
    assert report['config'] == KD and report['batch_size'] == 2
    assert report['peak_memory'] == {}
    out = capsys.readouterr().out
    # (after the log line that the untrained teacher has no checkpoint)
    assert f'## {KD} (MultiTeacherDistill)' in out.splitlines()
    assert '| distill_step / student_step |' in out


def test_cli_needs_exactly_one_of_config_and_afd_loss(capsys):
    tool = _tool()
    for argv in ([], [KD, '--afd-loss'], ['--afd-loss', '--iters', '0']):
        with pytest.raises(SystemExit):
            tool.parse_args(argv)
    assert 'CONFIG or --afd-loss' in capsys.readouterr().err
