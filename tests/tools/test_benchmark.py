"""tools/benchmark.py: structure and exact counts, never times.

Times on a shared CPU are noise; these tests only check what does not
depend on them: the variants alternate, every report row is there, ratios
are positive and finite, parameter counts are sums of ``numel``, memory
peaks equal the bytes a known function allocates.
"""
import importlib.util
import json
import math
import os
import os.path as osp
import types

import pytest
import torch
from conftest import REPO, config_path
from mmengine.config import Config
from torch import nn

from mmkd_transfer.apis import benchmark as bench
from mmkd_transfer.apis.benchmark import registry
from mmkd_transfer.apis.benchmark.methods import afd_loss as afd_entry
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
    spec = importlib.util.spec_from_file_location(
        'benchmark_tool', f'{REPO}/tools/benchmark.py')
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
    assert bench.summarize([4, 1, 3, 2]) == dict(
        median=2.5, p25=1.75, p75=3.25, n=4)
    times = dict(d=[3.0, 8.0], t=[1.0, 1.0], s=[2.0, 3.0])
    assert bench.per_repeat_ratios(times, 'd', ['t', 's']) == [1.0, 2.0]
    with pytest.raises(ValueError, match='iters must be >= 1'):
        bench.interleaved_timings(dict(a=lambda: None), iters=0, warmup=0)


def test_model_view_uses_the_algorithms_views():
    halve = types.SimpleNamespace(
        forward_teachers=lambda x, s: {},
        student_batch=lambda x, s: (x[..., ::2, ::2], s),
        teacher_view=lambda name, x, s: (x * 2 if name == 't2' else x, s))
    x = torch.ones(1, 3, 8, 8)
    assert bench.model_view(halve, 'student', x)[0].shape == (1, 3, 4, 4)
    assert bench.model_view(halve, 't2', x)[0].sum() == 2 * x.sum()
    assert bench.model_view(halve, 't1', x)[0] is x


def test_algorithms_without_forward_teachers_name_the_fix():
    from mmrazor.models import FpnTeacherDistill

    # only the type is inspected: an unbuilt instance is enough
    fpn = FpnTeacherDistill.__new__(FpnTeacherDistill)
    for algorithm in (fpn, nn.Linear(2, 2)):
        with pytest.raises(
                TypeError,
                match=r'has no forward_teachers\(\).*build the '
                'model as MultiTeacherDistill'):
            bench.get_teachers(algorithm)


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
    report = bench.measure_distillation(
        algorithm, optim_wrapper, data, iters=2, warmup=1)

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


def test_teacher_forward_is_the_algorithms_forward_teachers(tmp_path):
    _, algorithm, optim_wrapper, data = bench.build_from_config(
        Config.fromfile(KD), batch_size=2, work_dir=str(tmp_path))
    calls = []
    forward = algorithm.forward_teachers

    def counted(inputs, data_samples=None, **kwargs):
        calls.append((tuple(inputs.shape), torch.is_grad_enabled(), kwargs))
        return forward(inputs, data_samples, **kwargs)

    algorithm.forward_teachers = counted
    bench.measure_distillation(
        algorithm, optim_wrapper, data, iters=2, warmup=1, memory=False)
    # the teacher_forward variant: 1 warm-up + 2 timed repeats, no_grad,
    # the teachers' configured modes; the distill step runs the same
    # method through loss() (with grad enabled there)
    timed = [c for c in calls if not c[1]]
    assert timed == [((2, 3, 8, 8), False, {})] * 3


def _as_mmrazor_single_teacher(cfg):
    """The KD config as an MMRazor project writes it."""
    model = cfg.model
    teacher = model.pop('teachers')['teacher']
    model.type = 'SingleTeacherDistill'
    model.teacher, model.teacher_ckpt = teacher['cfg'], teacher['ckpt']
    model.distiller.teacher_recorders.fc.source = 'head.fc'
    cfg.val_cfg = dict(
        _delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
    return cfg


def test_mmrazor_single_teacher_distill_fallback(tmp_path):
    cfg = _as_mmrazor_single_teacher(Config.fromfile(KD))
    _, algorithm, optim_wrapper, data = bench.build_from_config(
        cfg, batch_size=2, work_dir=str(tmp_path))
    assert type(algorithm).__name__ == 'SingleTeacherDistill'
    pre = algorithm.data_preprocessor(data, True)
    with torch.no_grad():
        out = bench.forward_teachers(algorithm, pre['inputs'],
                                     pre['data_samples'])
    # mode='loss', as SingleTeacherDistill.loss runs its teacher
    assert list(out) == ['teacher'] and list(out['teacher']) == ['loss']
    report = bench.measure_distillation(
        algorithm, optim_wrapper, data, iters=1, warmup=0, memory=False)
    assert report['algorithm'] == 'SingleTeacherDistill'
    assert list(report['times']) == VARIANTS
    assert list(report['models']) == ['teacher', 'student']
    assert report['models']['teacher']['params'] == 2_797_610


def test_afd_extra_parameters_are_the_meta_network(tmp_path):
    cfg = Config.fromfile(AFD)
    _, algorithm, optim_wrapper, _ = bench.build_from_config(
        cfg, batch_size=4, work_dir=str(tmp_path))
    loss_afd = algorithm.distiller.distill_losses.loss_afd
    rows = bench.extra_parameter_groups(algorithm, optim_wrapper)
    assert rows == [
        dict(
            module='distiller.distill_losses.loss_afd',
            params=_numel(loss_afd),
            trainable=_numel(loss_afd),
            in_optimizer=_numel(loss_afd))
    ]
    assert rows[0]['params'] > 0


def test_afd_loss_entry_through_the_cli(tmp_path):
    out = tmp_path / 'afd.json'
    report = _tool().main([
        '--entry', 'afd-loss', '--batch-size', '2', '--iters', '2', '--warmup',
        '0', '--entry-options', 'qk_dim=16', '--json',
        str(out)
    ])
    assert report['entry'] == 'afd-loss' and report['qk_dim'] == 16
    assert json.loads(out.read_text())['afd_params'] == report['afd_params']
    afd = AFDLoss(qk_dim=16)
    afd.build_from_shapes(
        s_features=afd_entry.WRN16_2_SHAPES,
        t_features=afd_entry.WRN40_2_SHAPES)
    assert report['afd_params'] == _numel(afd)
    assert list(report['times']) == ['afd_loss', 'at_loss']
    for summary in report['times'].values():
        _assert_summary(summary, 2)
    _assert_summary(report['ratios']['afd_loss / at_loss'], 2)
    assert (len(report['s_shapes']), len(report['t_shapes'])) == (6, 18)
    text = afd_entry.format_afd_report(report)
    for row in ('afd_loss', 'at_loss', 'afd_loss / at_loss'):
        assert f'| {row} |' in text


def test_deprecated_afd_loss_flags_run_the_entry():
    with pytest.warns(FutureWarning) as record:
        args = _tool().parse_args(['--afd-loss', '--qk-dim', '8'])
    assert [str(w.message) for w in record] == [
        '--afd-loss is deprecated: use --entry afd-loss',
        '--qk-dim is deprecated: use --entry-options qk_dim=8'
    ]
    assert args.entry == 'afd-loss'
    assert args.entry_options == dict(qk_dim=8)


def test_config_mode_through_the_cli(capsys, recwarn):
    report = _tool().main([
        KD, '--batch-size', '2', '--iters', '1', '--warmup', '0',
        '--no-memory', '--cfg-options',
        'model.distiller.distill_losses.loss_kl.tau=2'
    ])
    assert report['config'] == KD and report['batch_size'] == 2
    assert report['peak_memory'] == {}
    out = capsys.readouterr().out
    assert out.startswith(f'## {KD} (MultiTeacherDistill)')
    assert '| distill_step / student_step |' in out
    # the dropped teacher checkpoint is on purpose: no config warning
    assert not [w for w in recwarn if 'no checkpoint' in str(w.message)]


def test_cli_needs_exactly_one_of_config_and_entry(capsys):
    tool = _tool()
    for argv in ([], [KD, '--entry',
                      'afd-loss'], ['--entry', 'afd-loss', '--iters',
                                    '0'], [KD, '--entry-options', 'qk_dim=8']):
        with pytest.raises(SystemExit):
            tool.parse_args(argv)
    err = capsys.readouterr().err
    assert 'CONFIG or --entry NAME' in err
    assert '--entry-options needs --entry NAME' in err


@pytest.fixture
def toy_entry(monkeypatch):
    """A method's entry registered the way a method module registers it,
    removed again after the test."""
    monkeypatch.setattr(registry, '_ENTRIES', dict(registry._ENTRIES))
    calls = []

    def format_toy(report):
        return f"toy: {report['runs']} runs of width {report['width']}"

    @bench.register_benchmark('toy-loss', format_report=format_toy)
    def benchmark_toy(iters=20, warmup=3, batch_size=4, width=2):
        """A toy loss: counts its calls."""
        times = bench.interleaved_timings(
            dict(toy=lambda: calls.append(width)), iters, warmup)
        return dict(
            runs=len(calls),
            width=width,
            batch_size=batch_size,
            times={
                k: bench.summarize(v)
                for k, v in times.items()
            })

    return benchmark_toy


def test_a_registered_entry_is_listed_and_runs(toy_entry, capsys):
    tool = _tool()
    entries = tool.main(['--list-entries'])
    assert list(entries) == [
        'afd-loss', 'crkd-resolution', 'skd-speed', 'tmu-transfer', 'toy-loss'
    ]
    out = capsys.readouterr().out
    assert '| toy-loss | A toy loss: counts its calls. | batch_size, ' \
        'width |' in out
    assert '| afd-loss | AFD loss forward+backward vs a plain AT loss' in out

    report = tool.main([
        '--entry', 'toy-loss', '--iters', '3', '--warmup', '1',
        '--entry-options', 'width=5'
    ])
    assert report == dict(
        runs=4, width=5, batch_size=4, times=report['times'], entry='toy-loss')
    assert report['times']['toy']['n'] == 3
    assert capsys.readouterr().out == 'toy: 4 runs of width 5\n'


def test_entry_errors_name_the_fix(toy_entry):
    tool = _tool()
    with pytest.raises(
            SystemExit,
            match=r"takes no option \['depth'\]; "
            r"its options: \['batch_size', 'width'\]"):
        tool.main(['--entry', 'toy-loss', '--entry-options', 'depth=3'])
    with pytest.raises(
            SystemExit,
            match="no benchmark entry 'toy'; "
            r"registered: \['afd-loss', 'crkd-resolution', 'skd-speed', "
            r"'tmu-transfer', 'toy-loss'\]"):
        tool.main(['--entry', 'toy'])
    with pytest.raises(KeyError, match='registered twice'):
        bench.register_benchmark('toy-loss', str)(toy_entry)


def test_the_afd_entry_lives_outside_the_central_code():
    entry = bench.get_benchmark('afd-loss')
    assert entry.run is afd_entry.benchmark_afd_loss
    assert entry.format_report is afd_entry.format_afd_report
    assert entry.run.__module__ == \
        'mmkd_transfer.apis.benchmark.methods.afd_loss'
    # no central module of the benchmark package names a method: a method
    # adds its entry in methods/ without editing them
    package = osp.dirname(bench.__file__)
    central = sorted(
        name for name in os.listdir(package) if name.endswith('.py'))
    assert 'registry.py' in central and 'distillation.py' in central
    for name in central:
        with open(osp.join(package, name)) as f:
            source = f.read().lower()
        assert 'afd' not in source, name


@pytest.mark.parametrize('view, frames', [('frame', 1), ('pair', 2)])
def test_clip_configs_time_the_view_against_a_resize_of_its_frames(
        tmp_path, monkeypatch, view, frames):
    # SKD stage 1: clips (N, T, C, H, W) in; the student's view gives one
    # frame (N, C, h, w) or a frame pair (N, 2C, h, w) at half the size
    stem = {
        'frame':
        'skd-stage1_fcn-r18w16-os4_skd-s-32px_1xb16-1000i_'
        'aerial-clips-frame.py',
        'pair':
        'skd-stage1_fcn-r18w16-os4_skd-t-32px_1xb16-1000i_'
        'aerial-clips-pair.py'
    }[view]
    _, algorithm, optim_wrapper, data = bench.build_from_config(
        Config.fromfile(config_path('skd', stem)),
        batch_size=2,
        work_dir=str(tmp_path))
    resized = []
    interpolate = torch.nn.functional.interpolate

    def recording_interpolate(x, *args, **kwargs):
        resized.append(tuple(x.shape))
        return interpolate(x, *args, **kwargs)

    report = bench.measure_distillation(
        algorithm, optim_wrapper, data, iters=1, warmup=0, memory=False)
    assert list(report['ratios'])[-1] == 'student_view / one_resize'
    assert report['input_shape'][-3:] == (3, 64, 64)
    variants, modes = {}, {}
    pre = algorithm.data_preprocessor(data, True)
    bench.distillation._add_view_variants(algorithm, pre['inputs'],
                                          pre.get('data_samples'), variants,
                                          modes)
    monkeypatch.setattr(torch.nn.functional, 'interpolate',
                        recording_interpolate)
    variants['one_resize']()
    assert resized == [(2 * frames, 3, 64, 64)]
