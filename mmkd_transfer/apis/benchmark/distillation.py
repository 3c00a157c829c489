"""What a distillation config costs: the student step, the teacher forward
and the distillation step, timed alternately on one real batch."""
import copy
import tempfile
from typing import Any, Dict, Optional

import torch
from torch import nn

from .algorithm import forward_teachers, get_student, get_teachers, model_view
from .build import build_from_config
from .memory import peak_memory
from .model_stats import extra_parameter_groups, model_statistics
from .timing import (environment, interleaved_timings, summarize,
                     summarized_ratio)


def student_train_step(algorithm, data, optim_wrapper):
    """The student's own ``train_step`` on the algorithm's preprocessing.

    Mirrors ``mmengine.model.BaseModel.train_step`` for the student:
    data_preprocessor -> (the student's view, :func:`model_view`) -> student
    loss -> parse -> backward + optimizer step. The algorithm's
    data_preprocessor is used (the one the distillation step uses; a KD
    config's student may have none of its own). The optimizer wrapper is the
    Runner's: parameters without gradients (the method's extras) are skipped
    by the optimizer step.

    Returns:
        dict: the student's log variables.
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


def _add_view_variants(algorithm, inputs, data_samples, variants, modes):
    """Time the student's view against one plain resize of the batch.

    A view should cost no more than one resize of the batch (its metadata
    updates included). Only where the student's view changes the input
    size. For clips, the resize takes as many frames as the view outputs.

    Returns:
        bool: whether the two variants were added.
    """
    viewed = model_view(algorithm, 'student', inputs, data_samples)[0]
    if viewed.shape[-2:] == inputs.shape[-2:]:
        return False
    size = tuple(int(v) for v in viewed.shape[-2:])

    def run_view():
        model_view(algorithm, 'student', inputs, data_samples)

    # clips (N, T, C, H, W): the baseline resizes as many input frames as
    # the view outputs (N for one frame, 2N for a frame pair of 2C channels)
    frames = inputs.flatten(0, -4)
    count = viewed.flatten(0, -4).shape[0] * viewed.shape[-3] // \
        inputs.shape[-3]
    images = frames[:count]

    def one_resize():
        torch.nn.functional.interpolate(
            images,
            size=size,
            mode='bilinear',
            align_corners=False,
            antialias=True)

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
    - ``teacher_forward``: the algorithm's ``forward_teachers`` (its
      teachers as its ``loss`` runs them) on the preprocessed batch,
      ``no_grad``, eval mode;
    - ``distill_step``: ``algorithm.train_step(data, optim_wrapper)``.

    Per model (teacher(s), student): :func:`model_statistics` on the first
    preprocessed training input through the model's view. Every step
    updates the student: the measured weights drift as in training.

    Args:
        algorithm (nn.Module): the built distillation algorithm.
        optim_wrapper (OptimWrapper | OptimWrapperDict): the Runner's.
        data (dict): one train batch, before preprocessing.
        iters (int): timed repeats. Defaults to 20.
        warmup (int): untimed repeats first. Defaults to 3.
        memory (bool): also measure peak memory per variant. Defaults to
            True.

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
    env = environment(device)

    def run_teacher():
        # forward only: a trainable teacher's backward is in distill_step
        with torch.no_grad():
            forward_teachers(algorithm, inputs, data_samples)

    variants = {
        'student_step':
        lambda: student_train_step(algorithm, data, optim_wrapper),
        'teacher_forward': run_teacher,
        'distill_step': lambda: algorithm.train_step(data, optim_wrapper),
    }
    modes = dict(
        student_step=algorithm.train,
        teacher_forward=lambda: _teachers_eval(algorithm),
        distill_step=algorithm.train)
    view_ratio = _add_view_variants(algorithm, inputs, data_samples, variants,
                                    modes)
    times = interleaved_timings(variants, iters, warmup, device, before=modes)
    ratios = {
        'distill_step / (teacher_forward + student_step)':
        summarized_ratio(times, 'distill_step',
                         ['teacher_forward', 'student_step']),
        'distill_step / student_step':
        summarized_ratio(times, 'distill_step', ['student_step']),
    }
    if view_ratio:
        ratios['student_view / one_resize'] = summarized_ratio(
            times, 'student_view', ['one_resize'])
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
    samples_1 = (
        data_samples[:1] if isinstance(data_samples, (list, tuple)) else None)
    model_inputs = {
        name: model_view(algorithm, name, inputs[:1], samples_1)[0]
        for name in models
    }
    model_rows = model_statistics(models, model_inputs, iters, warmup, device)
    algorithm.train()

    return dict(
        kind='distillation',
        config=None,
        algorithm=type(algorithm).__name__,
        **env,
        batch_size=int(inputs.shape[0]),
        input_shape=tuple(int(s) for s in inputs.shape[1:]),
        iters=iters,
        warmup=warmup,
        times={
            name: summarize(v)
            for name, v in times.items()
        },
        ratios=ratios,
        peak_memory=peaks,
        memory_method=memory_method,
        models=model_rows,
        extra_params=extra_parameter_groups(algorithm, optim_wrapper),
    )


def benchmark_distillation(cfg,
                           iters: int = 20,
                           warmup: int = 3,
                           batch_size: Optional[int] = None,
                           work_dir: Optional[str] = None,
                           memory: bool = True) -> Dict[str, Any]:
    """Build a distillation config and :func:`measure_distillation` it.

    Args:
        cfg (Config): a distillation config.
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
            return benchmark_distillation(cfg, iters, warmup, batch_size, tmp,
                                          memory)
    _, algorithm, optim_wrapper, data = build_from_config(
        cfg, batch_size=batch_size, work_dir=work_dir)
    report = measure_distillation(algorithm, optim_wrapper, data, iters,
                                  warmup, memory)
    report['config'] = getattr(cfg, 'filename', None)
    return report
