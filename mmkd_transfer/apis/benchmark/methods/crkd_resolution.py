"""CRKD's benchmark entry ``crkd-resolution``: what the low-resolution
student saves at inference.

CRKD trains a student that reads images at 1/r of the side; the point is
its inference cost. This entry builds the student of a CRKD config and
measures the same model on the high-resolution (HR) input the teacher
reads and on the low-resolution (LR) input its view makes: FLOPs (batch 1)
and forward latency at a deployment batch (64 by default). The CRKD
training step itself (the discriminator step included) is measured by the
config mode, ``python tools/benchmark.py CONFIG``, which calls the
algorithm's ``train_step``.

Run it with ``python tools/benchmark.py --entry crkd-resolution``; options
through ``--batch-size`` and ``--entry-options config=PATH``.
"""
import os.path as osp
from typing import Any, Dict, Optional

import torch

from ..model_stats import count_parameters, model_flops
from ..registry import register_benchmark
from ..report import format_count, format_ms, ratio_table, report_header
from ..shipped_configs import resolve_config
from ..timing import (environment, interleaved_timings, summarize,
                      summarized_ratio)

DEFAULT_CONFIG = osp.join('configs', 'crkd',
                          'crkd_r18w32_r18w8-4px_1xb64_digits-cls-100l.py')


def format_crkd_resolution_report(report: Dict[str, Any]) -> str:
    """Markdown tables of a :func:`benchmark_crkd_resolution` report."""
    lines = [
        '## CRKD student: the same model at HR and at LR (its view)',
        f"config {report['config']}; forward at batch "
        f"{report['batch_size']}, eval, no_grad; FLOPs at batch 1",
    ] + report_header(report)
    lines += [
        '| input | shape | params | FLOPs | forward (ms) |',
        '|---|---|---|---|---|'
    ]
    for name in ('hr', 'lr'):
        row = report['models'][name]
        lines.append(
            f"| {name.upper()} | {'x'.join(map(str, row['input_shape']))} "
            f"| {format_count(row['params'])} | "
            f"{format_count(row['flops'])} | "
            f"{format_ms(report['times'][name])} |")
    flops = report['flops_ratio']
    lines += [
        '', f"FLOPs HR / LR: {flops:.2f}x"
        if flops else 'FLOPs HR / LR: n/a (not traceable)', ''
    ]
    lines += ratio_table(report['ratios'])
    return '\n'.join(lines)


@register_benchmark(
    'crkd-resolution', format_report=format_crkd_resolution_report)
def benchmark_crkd_resolution(iters: int = 20,
                              warmup: int = 3,
                              batch_size: int = 64,
                              config: str = DEFAULT_CONFIG,
                              device: Optional[str] = None,
                              seed: int = 0) -> Dict[str, Any]:
    """The CRKD student's FLOPs and latency at HR against LR.

    HR is the config's ``model.input_shape`` (what the teacher reads); LR is
    that shape through the config's ``model.student_view`` (its
    ``out_shape``). One randomly initialised student (the config's
    ``model.architecture``) runs both, alternating every repeat.

    Args:
        iters (int): timed repeats. Defaults to 20.
        warmup (int): untimed repeats first. Defaults to 3.
        batch_size (int): images per forward. Defaults to 64.
        config (str): a CRKD config (``AdversarialMultiTeacherDistill``
            with ``student_view`` and ``input_shape``). Defaults to the
            embedded digits classification config.
        device (str, optional): default CUDA when available, else CPU.
        seed (int): seed of the weights and inputs. Defaults to 0.

    Returns:
        dict: the report (:func:`format_crkd_resolution_report` prints it).
    """
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS

    from mmkd_transfer.views import build_view
    config = resolve_config(config)
    cfg = Config.fromfile(config)
    model_cfg = cfg.model
    if model_cfg.get('student_view') is None or \
            model_cfg.get('input_shape') is None:
        raise ValueError(
            f'{config}: crkd-resolution needs model.student_view and '
            'model.input_shape (the teacher\'s (C, H, W)); pass a CRKD '
            'config with --entry-options config=PATH.')
    dev = torch.device(
        device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    hr_shape = (batch_size, ) + tuple(model_cfg.input_shape)
    lr_shape = tuple(build_view(model_cfg.student_view).out_shape(hr_shape))
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        student = MODELS.build(model_cfg.architecture)
    student.to(dev).eval()
    gen = torch.Generator().manual_seed(seed)
    inputs = {
        name: torch.randn(shape, generator=gen).to(dev)
        for name, shape in (('hr', hr_shape), ('lr', lr_shape))
    }

    def forward(x):

        def run():
            with torch.no_grad():
                student(x, mode='tensor')

        return run

    env = environment(dev)
    times = interleaved_timings({
        k: forward(v)
        for k, v in inputs.items()
    }, iters, warmup, dev)
    models = {
        name:
        dict(
            params=count_parameters(student),
            input_shape=tuple(x.shape[1:]),
            flops=model_flops(student, x[:1]))
        for name, x in inputs.items()
    }
    hr_flops, lr_flops = models['hr']['flops'], models['lr']['flops']
    return dict(
        kind='crkd_resolution',
        config=config,
        **env,
        batch_size=batch_size,
        iters=iters,
        warmup=warmup,
        models=models,
        flops_ratio=(hr_flops / lr_flops if hr_flops and lr_flops else None),
        times={
            name: summarize(v)
            for name, v in times.items()
        },
        ratios={'hr / lr (forward)': summarized_ratio(times, 'hr', ['lr'])},
    )
