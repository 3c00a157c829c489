"""Measuring functions behind ``tools/benchmark.py``.

What a distillation method costs is reported as **ratios measured within one
run**: the variants being compared (student step, teacher forward,
distillation step, ...) alternate inside every repeat, in an order rotated
from one repeat to the next, and a ratio is the median of the per-repeat
ratios. Machines shared with other jobs slow every variant of one repeat
alike, so the ratios stay meaningful where absolute times do not. Nothing
here asserts a time; tests check structure and exact counts only.

Pieces later issues extend:

- :func:`interleaved_timings` takes any ``{name: callable}``: add a variant
  (a view, an extra teacher) and it is timed alongside the others.
- :func:`register_teacher_forward` says how an algorithm class runs its
  teacher(s), so "teacher forward alone" matches what its ``loss`` does.
- :func:`extra_parameter_groups` lists every parameter that is neither the
  student's nor a teacher's (connectors, distillation losses, meta-networks,
  discriminators), per module, with how much of it the optimizer holds.
"""
import contextlib
import copy
import gc
import os
import statistics
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

# Quieten kineto's own log lines while the memory profiler runs.
os.environ.setdefault('KINETO_LOG_LEVEL', '5')

MiB = 1024.0**2

# ----------------------------------------------------------------- timing


def summarize(samples: Sequence[float]) -> Dict[str, float]:
    """Median and inter-quartile range of ``samples`` (seconds or ratios)."""
    values = sorted(float(v) for v in samples)
    if not values:
        raise ValueError('summarize: no samples (iters must be >= 1).')
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method='inclusive')
    return dict(median=statistics.median(values), p25=q1, p75=q3,
                n=len(values))


def load_average() -> Optional[float]:
    """The 1-minute load average (None where the OS has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def _environment(device: torch.device) -> Dict[str, Any]:
    """Where a report was measured (taken before the timing starts)."""
    return dict(device=str(device), threads=torch.get_num_threads(),
                cpus=os.cpu_count(), load_average=load_average())


def _synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def interleaved_timings(variants: Dict[str, Callable[[], Any]],
                        iters: int,
                        warmup: int,
                        device: torch.device = torch.device('cpu'),
                        before: Optional[Dict[str, Callable[[], Any]]] = None
                        ) -> Dict[str, List[float]]:
    """Time every variant once per repeat, alternating them.

    Repeat ``r`` runs the variants in their given order rotated by ``r``, so
    no variant is always first (cold caches) or always last. Warm-up repeats
    run the same way and are discarded.

    Args:
        variants (dict[str, callable]): name -> zero-argument callable.
        iters (int): timed repeats (>= 1).
        warmup (int): untimed repeats first (>= 0).
        device (torch.device): synchronised around each call when CUDA.
        before (dict[str, callable], optional): untimed set-up per variant,
            run right before it (e.g. switching train/eval mode).

    Returns:
        dict[str, list[float]]: seconds, one per timed repeat, per variant.
    """
    if iters < 1 or warmup < 0:
        raise ValueError(f'iters must be >= 1 and warmup >= 0, got '
                         f'iters={iters}, warmup={warmup}.')
    before = before or {}
    names = list(variants)
    times: Dict[str, List[float]] = {name: [] for name in names}
    gc.collect()
    for rep in range(warmup + iters):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            if name in before:
                before[name]()
            _synchronize(device)
            start = time.perf_counter()
            variants[name]()
            _synchronize(device)
            elapsed = time.perf_counter() - start
            if rep >= warmup:
                times[name].append(elapsed)
    return times


def per_repeat_ratios(times: Dict[str, List[float]], numerator: str,
                      denominator: Sequence[str]) -> List[float]:
    """times[numerator][r] / sum(times[d][r] for d in denominator), per r."""
    return [
        times[numerator][r] / sum(times[d][r] for d in denominator)
        for r in range(len(times[numerator]))
    ]


# ----------------------------------------------------------------- memory


@contextlib.contextmanager
def _native_stderr_silenced():
    """Hide the profiler's C++ start/stop lines (written to fd 2)."""
    try:
        saved = os.dup(2)
    except OSError:  # no real fd 2 (embedded interpreters)
        yield
        return
    try:
        with open(os.devnull, 'w') as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _cpu_tensor_peak(fn: Callable[[], Any]) -> Optional[int]:
    """Peak growth of CPU tensor bytes while ``fn`` runs, from the profiler.

    The profiler logs every allocation and free of torch's CPU allocator
    (``profile_memory=True``); the running sum of those events, from zero at
    the start, peaks at the most tensor memory held above what was held
    before the call. Returns None where this torch has no such events.
    """
    from torch.profiler import ProfilerActivity, profile
    with _native_stderr_silenced():
        with profile(activities=[ProfilerActivity.CPU],
                     profile_memory=True) as prof:
            fn()
    try:
        events = [
            e for e in prof.profiler.kineto_results.events()
            if e.name() == '[memory]' and e.device_type() ==
            torch.autograd.DeviceType.CPU
        ]
    except AttributeError:
        return None
    events.sort(key=lambda e: e.start_ns())
    current = peak = 0
    for event in events:
        current += event.nbytes()
        peak = max(peak, current)
    return peak


def peak_memory(fn: Callable[[], Any],
                device: torch.device) -> Tuple[Optional[int], str]:
    """Peak memory one call of ``fn`` adds, in bytes, and what was measured.

    CUDA: ``torch.cuda.max_memory_allocated`` during the call minus what was
    allocated before it. CPU: the same quantity for the CPU allocator, from
    torch.profiler's allocation events (tensor memory only: not the Python
    heap, not allocator caching, not RSS).
    """
    gc.collect()
    if device.type == 'cuda':
        _synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        fn()
        _synchronize(device)
        return (torch.cuda.max_memory_allocated(device) - base,
                'CUDA max_memory_allocated above the allocation at the '
                'start of the call')
    return (_cpu_tensor_peak(fn),
            'peak CPU tensor bytes above those held at the start of the '
            'call (torch.profiler allocation events; excludes Python objects '
            'and allocator caching)')


# ------------------------------------------------------ model statistics


def count_parameters(module: nn.Module) -> int:
    """Number of parameters (shared ones once): sum of ``numel``."""
    return sum(p.numel() for p in module.parameters())


def get_teachers(algorithm: nn.Module) -> Dict[str, nn.Module]:
    """The algorithm's teacher(s) by name: ``teachers`` or ``teacher``."""
    teachers = getattr(algorithm, 'teachers', None)
    if isinstance(teachers, (nn.ModuleDict, dict)) and len(teachers):
        return dict(teachers.items())
    teacher = getattr(algorithm, 'teacher', None)
    if isinstance(teacher, nn.Module):
        return {'teacher': teacher}
    raise TypeError(
        f'{type(algorithm).__name__} has no .teacher or .teachers: '
        'tools/benchmark.py needs a distillation algorithm (e.g. '
        'SingleTeacherDistill) built from the config.')


def get_student(algorithm: nn.Module) -> nn.Module:
    student = getattr(algorithm, 'student', None)
    if not isinstance(student, nn.Module):
        raise TypeError(
            f'{type(algorithm).__name__} has no .student: tools/benchmark.py '
            'needs a distillation algorithm (e.g. SingleTeacherDistill) '
            'built from the config.')
    return student


def _optimizer_param_ids(optim_wrapper) -> set:
    from mmengine.optim import OptimWrapperDict
    wrappers = (optim_wrapper.values() if isinstance(
        optim_wrapper, OptimWrapperDict) else [optim_wrapper])
    return {
        id(p)
        for w in wrappers for group in w.optimizer.param_groups
        for p in group['params']
    }


def _extra_group_name(param_name: str) -> str:
    parts = param_name.split('.')
    # distiller.<connectors|distill_losses|...>.<name>: one row per module
    depth = 3 if parts[0] == 'distiller' else 1
    return '.'.join(parts[:min(depth, len(parts) - 1)])


def extra_parameter_groups(algorithm: nn.Module,
                           optim_wrapper=None) -> List[Dict[str, Any]]:
    """Parameters the method adds beyond student and teacher(s), per module.

    Returns:
        list[dict]: rows ``module`` (e.g.
        ``distiller.distill_losses.loss_afd``), ``params``, ``trainable``
        (requires_grad) and ``in_optimizer`` (held by ``optim_wrapper``;
        None without one), all counts of scalars.
    """
    owned = {id(p) for p in get_student(algorithm).parameters()}
    for teacher in get_teachers(algorithm).values():
        owned |= {id(p) for p in teacher.parameters()}
    in_optim = (_optimizer_param_ids(optim_wrapper)
                if optim_wrapper is not None else None)
    rows: Dict[str, Dict[str, Any]] = {}
    for name, param in algorithm.named_parameters():
        if id(param) in owned:
            continue
        row = rows.setdefault(
            _extra_group_name(name),
            dict(params=0, trainable=0,
                 in_optimizer=0 if in_optim is not None else None))
        row['params'] += param.numel()
        row['trainable'] += param.numel() if param.requires_grad else 0
        if in_optim is not None and id(param) in in_optim:
            row['in_optimizer'] += param.numel()
    return [dict(module=k, **v) for k, v in rows.items()]


def model_flops(model: nn.Module, inputs: Tensor) -> Optional[int]:
    """FLOPs of ``model(inputs)`` (mode='tensor') by mmengine's analyzer.

    mmengine (like fvcore) counts one multiply-add as one FLOP. Returns None
    if the model cannot be traced.
    """
    import logging

    from mmengine.analysis import get_model_complexity_info
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    was_training = model.training
    model.eval()
    # its per-operator "unsupported" warnings (BN, adds) are expected
    logger.setLevel(logging.ERROR)
    try:
        with torch.no_grad():
            info = get_model_complexity_info(
                model, inputs=(inputs, ), show_table=False, show_arch=False)
        return int(info['flops'])
    except Exception:  # noqa: BLE001  (tracing limits, reported as n/a)
        return None
    finally:
        logger.setLevel(level)
        model.train(was_training)


# ------------------------------------------ building from a config


def drop_teacher_checkpoints(cfg) -> None:
    """Benchmark with untrained teachers: weights do not change the cost."""
    model = cfg.model
    if 'teacher_ckpt' in model:
        model.teacher_ckpt = None
    for teacher in (model.get('teachers') or {}).values():
        if isinstance(teacher, dict) and 'ckpt' in teacher:
            teacher['ckpt'] = None


def build_from_config(cfg, batch_size: Optional[int] = None,
                      work_dir: Optional[str] = None):
    """The Runner's model and optimizer wrapper, and one real train batch.

    Nothing is trained; teacher checkpoints are dropped (an untrained teacher
    costs the same) and ``cfg`` itself is left as it was. The runner logs
    only warnings, into ``work_dir`` (default: a new temporary folder, which
    the caller removes).

    Returns:
        tuple: (runner, algorithm, optim_wrapper, data) with ``data`` one
        batch of the config's train dataloader, before preprocessing.
    """
    from mmengine.runner import Runner

    from mmkd_transfer.config_checks import check_config
    cfg = copy.deepcopy(cfg)
    drop_teacher_checkpoints(cfg)
    if batch_size is not None:
        cfg.train_dataloader.batch_size = batch_size
    cfg.work_dir = work_dir or tempfile.mkdtemp(prefix='mmkd_benchmark_')
    cfg.log_level = 'WARNING'
    cfg.experiment_name = f'benchmark_{time.time_ns()}'
    cfg.pop('load_from', None)
    cfg.resume = False
    check_config(cfg)
    runner = Runner.from_cfg(cfg)
    algorithm = runner.model
    # a clear error now if the config is not a distillation algorithm
    get_student(algorithm)
    get_teachers(algorithm)
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=runner.seed)
    data = next(iter(loader))
    return runner, algorithm, optim_wrapper, data


# --------------------------------------------- the measured variants

_TEACHER_FORWARDS: Dict[type, Callable] = {}


def register_teacher_forward(algorithm_cls: type):
    """Decorator: how ``algorithm_cls`` runs its teacher(s) in ``loss``.

    The function takes ``(algorithm, inputs, data_samples)`` (preprocessed)
    and runs every teacher the way the algorithm's ``loss`` does; the
    benchmark calls it under ``no_grad`` with the teachers in eval mode
    (frozen teachers; a trainable teacher's backward is not counted).
    Subclasses inherit their parent's entry; unregistered algorithms get
    ``teacher(inputs, data_samples, mode='loss')`` per teacher, as
    MMRazor's ``SingleTeacherDistill`` runs it. A multi-teacher algorithm
    registers one that applies each teacher's view and runs every teacher.
    """

    def wrap(fn):
        _TEACHER_FORWARDS[algorithm_cls] = fn
        return fn

    return wrap


def model_view(algorithm, name: str, inputs: Tensor, data_samples=None):
    """The batch as model ``name`` (a teacher's name or ``'student'``) sees
    it.

    Algorithms with per-model views expose ``student_batch(inputs,
    data_samples)`` and ``teacher_view(name, inputs, data_samples)`` (as
    ``MultiTeacherDistill`` does); others feed every model the same batch.
    """
    if name == 'student':
        view = getattr(algorithm, 'student_batch', None)
        return view(inputs, data_samples) if view else (inputs, data_samples)
    view = getattr(algorithm, 'teacher_view', None)
    return (view(name, inputs, data_samples) if view else
            (inputs, data_samples))


def _default_teacher_forward(algorithm, inputs, data_samples):
    # What MMRazor's SingleTeacherDistill.loss runs for a frozen teacher:
    # mode='loss' (or the algorithm's per-teacher mode), on its view.
    modes = getattr(algorithm, 'teacher_modes', None) or {}
    for name, teacher in get_teachers(algorithm).items():
        t_inputs, t_samples = model_view(algorithm, name, inputs,
                                         data_samples)
        teacher(t_inputs, t_samples, mode=modes.get(name, 'loss'))


def _fpn_teacher_forward(algorithm, inputs, data_samples):
    # FpnTeacherDistill runs the teacher's backbone and neck only.
    for teacher in get_teachers(algorithm).values():
        teacher.extract_feat(inputs)


def _register_mmrazor_forwards():
    from mmrazor.models import FpnTeacherDistill
    _TEACHER_FORWARDS.setdefault(FpnTeacherDistill, _fpn_teacher_forward)


def teacher_forward_fn(algorithm) -> Callable:
    """The registered teacher forward of the algorithm's class (by MRO)."""
    _register_mmrazor_forwards()
    for cls in type(algorithm).__mro__:
        if cls in _TEACHER_FORWARDS:
            return _TEACHER_FORWARDS[cls]
    return _default_teacher_forward


def student_train_step(algorithm, data, optim_wrapper):
    """The student's own ``train_step`` on the algorithm's preprocessing.

    Mirrors ``mmengine.model.BaseModel.train_step`` for the student:
    data_preprocessor -> (the student's view, :func:`model_view`) -> student
    loss -> parse -> backward + optimizer step. The algorithm's
    data_preprocessor is used (the one the distillation step uses; a KD
    config's student may have none of its own). The optimizer
    wrapper is the Runner's: parameters without gradients (the method's
    extras) are skipped by the optimizer step.
    """
    from mmengine.optim import OptimWrapperDict
    student = get_student(algorithm)
    if isinstance(optim_wrapper, OptimWrapperDict):
        key = next((k for k in ('architecture', 'student', 'generator')
                    if k in optim_wrapper), None)
        if key is None:
            raise KeyError(
                'student_train_step: the config builds several optimizers '
                f'({list(optim_wrapper.keys())}) and none is named '
                "'architecture', 'student' or 'generator': name the "
                "student's optimizer so.")
        optim_wrapper = optim_wrapper[key]
    with optim_wrapper.optim_context(student):
        batch = algorithm.data_preprocessor(data, True)
        inputs, data_samples = model_view(algorithm, 'student',
                                          batch['inputs'],
                                          batch.get('data_samples'))
        losses = student(inputs, data_samples, mode='loss')
        parsed, log_vars = student.parse_losses(losses)
    optim_wrapper.update_params(parsed)
    return log_vars


def _teachers_eval(algorithm) -> None:
    """Algorithm in train mode (as the distillation step has it), teachers
    in eval mode."""
    algorithm.train()
    for teacher in get_teachers(algorithm).values():
        teacher.eval()


def _device_of(module: nn.Module) -> torch.device:
    param = next(module.parameters(), None)
    return param.device if param is not None else torch.device('cpu')


def benchmark_distillation(cfg,
                           iters: int = 20,
                           warmup: int = 3,
                           batch_size: Optional[int] = None,
                           work_dir: Optional[str] = None,
                           memory: bool = True) -> Dict[str, Any]:
    """Build a distillation config and :func:`measure_distillation` it.

    Args:
        cfg (Config): a distillation config (algorithm with ``.student``,
            ``.teacher``/``.teachers`` and ``.distiller``).
        iters (int): timed repeats. Defaults to 20.
        warmup (int): untimed repeats first. Defaults to 3.
        batch_size (int, optional): overrides the train batch size.
        work_dir (str, optional): where the Runner logs; default a
            temporary folder, removed afterwards.
        memory (bool): also measure peak memory per variant. Defaults to
            True.

    Returns:
        dict: the report (see :func:`format_distillation_report`), with
        ``config`` set to the config's file name.
    """
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix='mmkd_benchmark_') as tmp:
            return benchmark_distillation(cfg, iters, warmup, batch_size,
                                          tmp, memory)
    _, algorithm, optim_wrapper, data = build_from_config(
        cfg, batch_size=batch_size, work_dir=work_dir)
    report = measure_distillation(algorithm, optim_wrapper, data, iters,
                                  warmup, memory)
    report['config'] = getattr(cfg, 'filename', None)
    return report


def _add_view_variants(algorithm, inputs, data_samples, variants, modes):
    """Time the student's view against one plain resize of the batch.

    Issue 3's goal: a view costs no more than one resize of the batch (its
    metadata updates included). Only for algorithms with a student view.
    """
    if getattr(algorithm, 'student_view', None) is None or not hasattr(
            algorithm, 'student_batch'):
        return False
    viewed = algorithm.student_batch(inputs, data_samples)[0]
    if viewed.shape[-2:] == inputs.shape[-2:]:
        return False
    size = tuple(int(v) for v in viewed.shape[-2:])

    def run_view():
        algorithm.student_batch(inputs, data_samples)

    def one_resize():
        torch.nn.functional.interpolate(inputs, size=size, mode='bilinear',
                                        align_corners=False, antialias=True)

    variants.update(student_view=run_view, one_resize=one_resize)
    modes.update(student_view=algorithm.train, one_resize=algorithm.train)
    return True


def measure_distillation(algorithm: nn.Module,
                         optim_wrapper,
                         data: Dict[str, Any],
                         iters: int = 20,
                         warmup: int = 3,
                         memory: bool = True) -> Dict[str, Any]:
    """Measure a built distillation algorithm on one batch.

    Variants, alternated every repeat on ``data`` (one batch of the train
    dataloader, before preprocessing):

    - ``student_step``: :func:`student_train_step`;
    - ``teacher_forward``: the teacher(s) as the algorithm's ``loss`` runs
      them (:func:`register_teacher_forward`), on the preprocessed batch,
      ``no_grad``, eval mode;
    - ``distill_step``: ``algorithm.train_step(data, optim_wrapper)``.

    Per model (teacher(s), student): parameter count, FLOPs and batch-1
    forward latency (eval, ``no_grad``, mode='tensor', the first
    preprocessed training input through the model's view; the models
    alternated). Every step
    updates the student: the measured weights drift as in training.

    Returns:
        dict: the report (see :func:`format_distillation_report`).
    """
    student = get_student(algorithm)
    teachers = get_teachers(algorithm)
    device = _device_of(algorithm)
    algorithm.train()

    with torch.no_grad():
        pre = algorithm.data_preprocessor(copy.copy(data), True)
    inputs, data_samples = pre['inputs'], pre.get('data_samples')
    teacher_forward = teacher_forward_fn(algorithm)
    env = _environment(device)

    def run_teacher():
        with torch.no_grad():
            teacher_forward(algorithm, inputs, data_samples)

    variants = {
        'student_step': lambda: student_train_step(algorithm, data,
                                                   optim_wrapper),
        'teacher_forward': run_teacher,
        'distill_step': lambda: algorithm.train_step(data, optim_wrapper),
    }
    modes = dict(student_step=algorithm.train,
                 teacher_forward=lambda: _teachers_eval(algorithm),
                 distill_step=algorithm.train)
    view_ratio = _add_view_variants(algorithm, inputs, data_samples,
                                    variants, modes)
    times = interleaved_timings(variants, iters, warmup, device,
                                before=modes)
    ratios = {
        'distill_step / (teacher_forward + student_step)':
        summarize(per_repeat_ratios(times, 'distill_step',
                                    ['teacher_forward', 'student_step'])),
        'distill_step / student_step':
        summarize(per_repeat_ratios(times, 'distill_step', ['student_step'])),
    }
    if view_ratio:
        ratios['student_view / one_resize'] = summarize(
            per_repeat_ratios(times, 'student_view', ['one_resize']))
        # the view variants are not steps: keep them out of memory peaks
        for name in ('student_view', 'one_resize'):
            variants.pop(name)

    peaks, memory_method = {}, None
    if memory:
        for name, fn in variants.items():
            modes[name]()
            peaks[name], memory_method = peak_memory(fn, device)
    algorithm.train()

    # Per-model statistics on the first preprocessed training input, as
    # each model sees it.
    models = dict(teachers)
    models['student'] = student
    samples_1 = (data_samples[:1]
                 if isinstance(data_samples, (list, tuple)) else None)
    model_inputs = {
        name: model_view(algorithm, name, inputs[:1], samples_1)[0]
        for name in models
    }
    model_rows = {}
    for name, model in models.items():
        model_rows[name] = dict(
            params=count_parameters(model),
            input_shape=tuple(int(v) for v in model_inputs[name].shape[1:]),
            flops=model_flops(model, model_inputs[name]))

    def forward_b1(model, one):
        def run():
            with torch.no_grad():
                model(one, mode='tensor')
        return run

    def set_eval():
        for model in models.values():
            model.eval()

    latency = interleaved_timings(
        {name: forward_b1(model, model_inputs[name])
         for name, model in models.items()},
        iters, warmup, device, before={name: set_eval for name in models})
    algorithm.train()
    for name in models:
        model_rows[name]['latency_b1'] = summarize(latency[name])

    return dict(
        kind='distillation',
        config=None,
        algorithm=type(algorithm).__name__,
        **env,
        batch_size=int(inputs.shape[0]),
        input_shape=tuple(int(s) for s in inputs.shape[1:]),
        iters=iters,
        warmup=warmup,
        times={name: summarize(v) for name, v in times.items()},
        ratios=ratios,
        peak_memory=peaks,
        memory_method=memory_method,
        models=model_rows,
        extra_params=extra_parameter_groups(algorithm, optim_wrapper),
    )


# ----------------------------------------------------- AFD loss alone

# WRN-40-2 -> WRN-16-2 on CIFAR (32x32): every residual block's output.
WRN40_2_SHAPES = [(32, 32, 32)] * 6 + [(64, 16, 16)] * 6 + [(128, 8, 8)] * 6
WRN16_2_SHAPES = [(32, 32, 32)] * 2 + [(64, 16, 16)] * 2 + [(128, 8, 8)] * 2
# The AT baseline pairs each student block with the teacher block at the
# same relative depth of its stage (blocks 3 and 6 of 6).
AT_TEACHER_INDICES = [2, 5, 8, 11, 14, 17]


def at_loss_sum(s_features: Sequence[Tensor], t_features: Sequence[Tensor],
                at_loss: nn.Module) -> Tensor:
    """Σ_pairs AT distance (Zagoruyko & Komodakis, ICLR 2017) over matched
    (student, teacher) pairs, with MMRazor's ``ATLoss``."""
    return sum(at_loss(s, t) for s, t in zip(s_features, t_features))


def benchmark_afd_loss(iters: int = 20,
                       warmup: int = 3,
                       batch_size: int = 64,
                       qk_dim: int = 128,
                       device: Optional[str] = None,
                       seed: int = 0) -> Dict[str, Any]:
    """AFD loss forward+backward vs a plain AT loss, on WRN feature shapes.

    AFD: every teacher map (18, WRN-40-2) against every student map (6,
    WRN-16-2), meta-network included (its backward too). AT: the 6 student
    maps against 6 matched teacher maps (:data:`AT_TEACHER_INDICES`).
    Student maps require grad; teacher maps do not. The two alternate every
    repeat; gradients are cleared outside the timed region.
    """
    from mmrazor.models.losses import ATLoss

    from mmkd_transfer.models.losses.afd_loss import AFDLoss
    dev = torch.device(device or ('cuda' if torch.cuda.is_available() else
                                  'cpu'))
    gen = torch.Generator().manual_seed(seed)

    def maps(shapes, grad):
        # block outputs follow a ReLU
        return [
            torch.randn(batch_size, *s, generator=gen).relu_().to(
                dev).requires_grad_(grad) for s in shapes
        ]

    s_feats = maps(WRN16_2_SHAPES, True)
    t_feats = maps(WRN40_2_SHAPES, False)
    t_matched = [t_feats[i] for i in AT_TEACHER_INDICES]
    afd = AFDLoss(qk_dim=qk_dim)
    afd.build_from_shapes(s_features=[tuple(f.shape) for f in s_feats],
                          t_features=[tuple(f.shape) for f in t_feats])
    afd.to(dev).train()
    at = ATLoss()

    def clear():
        for f in s_feats:
            f.grad = None
        afd.zero_grad(set_to_none=True)

    variants = {
        'afd_loss': lambda: afd(s_feats, t_feats).backward(),
        'at_loss': lambda: at_loss_sum(s_feats, t_matched, at).backward(),
    }
    env = _environment(dev)
    times = interleaved_timings(variants, iters, warmup, dev,
                                before={k: clear for k in variants})
    return dict(
        kind='afd_loss',
        **env,
        batch_size=batch_size,
        qk_dim=qk_dim,
        s_shapes=WRN16_2_SHAPES,
        t_shapes=WRN40_2_SHAPES,
        at_teacher_indices=AT_TEACHER_INDICES,
        iters=iters,
        warmup=warmup,
        afd_params=count_parameters(afd),
        times={name: summarize(v) for name, v in times.items()},
        ratios={
            'afd_loss / at_loss':
            summarize(per_repeat_ratios(times, 'afd_loss', ['at_loss']))
        },
    )


# ------------------------------------------------------------- reports


def _ms(summary: Dict[str, float]) -> str:
    return (f"{summary['median'] * 1e3:.2f} "
            f"[{summary['p25'] * 1e3:.2f}, {summary['p75'] * 1e3:.2f}]")


def _ratio(summary: Dict[str, float]) -> str:
    return (f"{summary['median']:.3f} "
            f"[{summary['p25']:.3f}, {summary['p75']:.3f}]")


def _count(n: Optional[int]) -> str:
    return 'n/a' if n is None else f'{n:,}'


def _mib(n: Optional[int]) -> str:
    return 'n/a' if n is None else f'{n / MiB:.2f}'


def _header(report: Dict[str, Any]) -> List[str]:
    load = report.get('load_average')
    load = '' if load is None else f', load average {load} at the start'
    return [
        f"device: {report['device']} ({report['threads']} torch threads, "
        f"{report.get('cpus')} CPUs{load}); {report['iters']} timed repeats "
        f"after {report['warmup']} warm-up, the variants alternating within "
        'each repeat.',
        'Times: median [p25, p75] in ms. Ratios: median [p25, p75] of the '
        'per-repeat ratios.',
    ] + _busy_note(report) + ['']


def _busy_note(report: Dict[str, Any]) -> List[str]:
    load, cpus = report.get('load_average'), report.get('cpus')
    if (load is None or not cpus or report['threads'] == 1
            or not report['device'].startswith('cpu') or load < cpus):
        return []
    return [
        f'Note: the machine was busy (load {load} on {cpus} CPUs); '
        'several torch threads then wait on each other: --threads 1 gives '
        'steadier numbers.'
    ]


def format_distillation_report(report: Dict[str, Any]) -> str:
    """Markdown tables of a :func:`benchmark_distillation` report."""
    lines = [
        f"## {report.get('config') or 'distillation'} "
        f"({report['algorithm']})",
        f"batch {report['batch_size']}, input "
        f"{'x'.join(map(str, report['input_shape']))}",
    ] + _header(report)
    lines += ['| variant | time (ms) | peak memory (MiB) |', '|---|---|---|']
    for name, summary in report['times'].items():
        lines.append(f"| {name} | {_ms(summary)} | "
                     f"{_mib(report['peak_memory'].get(name))} |")
    lines += ['', '| ratio | value |', '|---|---|']
    for name, summary in report['ratios'].items():
        lines.append(f'| {name} | {_ratio(summary)} |')
    if report['memory_method']:
        lines += ['', f"Peak memory: {report['memory_method']}."]
    lines += [
        '', '| model | input | params | FLOPs (1 input) | latency batch 1 '
        '(ms) |', '|---|---|---|---|---|'
    ]
    for name, row in report['models'].items():
        lines.append(f"| {name} | {'x'.join(map(str, row['input_shape']))} "
                     f"| {_count(row['params'])} | {_count(row['flops'])} | "
                     f"{_ms(row['latency_b1'])} |")
    lines += [
        '', 'FLOPs: mmengine get_model_complexity_info (one multiply-add = '
        "one FLOP), mode='tensor'. Latency: eval, no_grad, mode='tensor'."
    ]
    lines += [
        '', '| extra module (method) | params | trainable | in optimizer |',
        '|---|---|---|---|'
    ]
    extras = report['extra_params']
    for row in extras:
        lines.append(f"| {row['module']} | {_count(row['params'])} | "
                     f"{_count(row['trainable'])} | "
                     f"{_count(row['in_optimizer'])} |")
    if not extras:
        lines.append('| (none) | 0 | 0 | 0 |')
    return '\n'.join(lines)


def format_afd_report(report: Dict[str, Any]) -> str:
    """Markdown tables of a :func:`benchmark_afd_loss` report."""
    t = len(report['t_shapes'])
    s = len(report['s_shapes'])
    lines = [
        '## AFD loss forward+backward (WRN-40-2 -> WRN-16-2 feature shapes)',
        f"batch {report['batch_size']}, qk_dim {report['qk_dim']}; AFD: "
        f'{t} teacher x {s} student maps, meta-network '
        f"{report['afd_params']:,} params; AT (MMRazor ATLoss): {s} pairs, "
        f"teacher maps {report['at_teacher_indices']}",
    ] + _header(report)
    lines += ['| loss | forward+backward (ms) |', '|---|---|']
    for name, summary in report['times'].items():
        lines.append(f'| {name} | {_ms(summary)} |')
    lines += ['', '| ratio | value |', '|---|---|']
    for name, summary in report['ratios'].items():
        lines.append(f'| {name} | {_ratio(summary)} |')
    return '\n'.join(lines)
