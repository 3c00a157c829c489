"""SKD's benchmark entry ``skd-speed``: frames per second of each model.

SKD (Li, Fu, Zhao, Ge, IEEE TIP 2020) is about speed: compact students on
low-resolution frames, up to 1,490.5 FPS on a CPU in the paper (its CPU,
input size and batch are not stated in what we could read). This entry
builds each model of the SKD configs with random weights (speed does not
depend on them) and times its forward (eval, ``no_grad``, ``mode='tensor'``)
on the input its view gives, at each batch size; FPS = batch / median
time. FLOPs are per clip (batch 1).

Run it with ``python tools/benchmark.py --entry skd-speed --threads 1``
(and ``--threads 2``); options through ``--entry-options``, e.g.
``batch_sizes=1,64``.
"""
import os.path as osp
from typing import Any, Dict, Optional, Sequence

import torch

from ..model_stats import count_parameters, model_flops
from ..registry import register_benchmark
from ..report import format_count, report_header
from ..shipped_configs import resolve_config
from ..timing import environment, interleaved_timings, summarize

_FOLDER = osp.join('configs', 'skd')
#: label -> config whose ``model`` is timed (its preprocessor's view gives
#: the input); the fused model also at the teachers' 64x64
SKD_MODELS = {
    'spatial teacher (FCN, frame t, HR)':
    'fcn-r18w16-os4_1xb16-1000i_aerial-clips-64px-frame.py',
    'temporal teacher (FCN, t and t+1, HR)':
    'fcn-r18w16-os4_1xb16-1000i_aerial-clips-64px-pair.py',
    'spatial student (LR)':
    'skd-s_1xb16-1000i_aerial-clips-32px-frame.py',
    'temporal student (LR)':
    'skd-t_1xb16-1000i_aerial-clips-32px-pair.py',
    'spatiotemporal model (LR)':
    'skd-stage2_skd-st-32px_1xb16-1000i_aerial-clips.py',
}
CLIP_SHAPE = (2, 3, 64, 64)  # one clip of the embedded set, before views
PAPER_CPU_FPS = 1490.5


def format_skd_speed_report(report: Dict[str, Any]) -> str:
    """Markdown table of a :func:`benchmark_skd_speed` report."""
    sizes = report['batch_sizes']
    lines = [
        '## SKD models: frames per second (forward, eval, no_grad)',
    ] + report_header(report)
    lines += [
        '| model | input | params | FLOPs / clip | ' +
        ' | '.join(f'FPS batch {b}' for b in sizes) + ' |',
        '|---|---|---|---|' + '---|' * len(sizes)
    ]
    for label, row in report['models'].items():
        fps = ' | '.join(f"{row['fps'][str(b)]:,.0f}" for b in sizes)
        lines.append(f"| {label} | {'x'.join(map(str, row['input_shape']))} "
                     f"| {format_count(row['params'])} | "
                     f"{format_count(row['flops'])} | {fps} |")
    lines += [
        '', f"paper (SKD, CPU): {PAPER_CPU_FPS:,} FPS "
        '(its CPU, input and batch not stated in what we could read)'
    ]
    return '\n'.join(lines)


def _model_and_input(path: str, batch: int, size: Optional[int]):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS

    from mmkd_transfer.views import build_view
    cfg = Config.fromfile(path)
    shape = (batch, ) + CLIP_SHAPE[:-2] + (
        (size, size) if size else CLIP_SHAPE[-2:])
    view = cfg.model.get('data_preprocessor', {}).get('view')
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(cfg.model)
        view = build_view(view)
    if view is not None:
        shape = tuple(view.out_shape(shape))
        if size:  # the model's own input at side `size`, not a fraction
            shape = shape[:-2] + (size, size)
    return model.eval(), shape


@register_benchmark('skd-speed', format_report=format_skd_speed_report)
def benchmark_skd_speed(iters: int = 20,
                        warmup: int = 3,
                        batch_sizes: Sequence[int] = (1, 64),
                        fused_sizes: Sequence[int] = (64, ),
                        device: Optional[str] = None,
                        seed: int = 0) -> Dict[str, Any]:
    """FPS of SKD's teachers, students and spatiotemporal model.

    Args:
        iters (int): timed repeats per batch size. Defaults to 20.
        warmup (int): untimed repeats first. Defaults to 3.
        batch_sizes (Sequence[int] | str): clips per forward, e.g. ``1,64``.
            Defaults to (1, 64).
        fused_sizes (Sequence[int] | str): extra input sides of the
            spatiotemporal model (e.g. 64: the paper's student input side).
            Defaults to (64, ).
        device (str, optional): default CUDA when available, else CPU.
        seed (int): seed of the weights and inputs. Defaults to 0.

    Returns:
        dict: the report (:func:`format_skd_speed_report` prints it).
    """
    if isinstance(batch_sizes, (str, int)):
        batch_sizes = [int(b) for b in str(batch_sizes).split(',')]
    if isinstance(fused_sizes, (str, int)):
        fused_sizes = [int(s) for s in str(fused_sizes).split(',') if s]
    dev = torch.device(
        device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    variants = [(label, name, None) for label, name in SKD_MODELS.items()]
    fused = SKD_MODELS['spatiotemporal model (LR)']
    variants += [(f'spatiotemporal model ({s}x{s})', fused, s)
                 for s in fused_sizes]
    env = environment(dev)
    models = {}
    built = {}
    for label, name, size in variants:
        path = resolve_config(osp.join(_FOLDER, name))
        model, shape = _model_and_input(path, 1, size)
        built[label] = (model.to(dev), shape)
        x = torch.randn(shape, generator=gen).to(dev)
        models[label] = dict(
            config=osp.join(_FOLDER, name),
            input_shape=shape[1:],
            params=count_parameters(model),
            flops=model_flops(model, x),
            fps={},
            times={})
    for batch in batch_sizes:
        runs = {}
        for label, (model, shape) in built.items():
            x = torch.randn(
                (batch, ) + tuple(shape[1:]), generator=gen).to(dev)

            def run(model=model, x=x):
                with torch.no_grad():
                    model(x, mode='tensor')

            runs[label] = run
        times = interleaved_timings(runs, iters, warmup, dev)
        for label, samples in times.items():
            summary = summarize(samples)
            models[label]['times'][str(batch)] = summary
            models[label]['fps'][str(batch)] = batch / summary['median']
    return dict(
        kind='skd_speed',
        **env,
        iters=iters,
        warmup=warmup,
        batch_sizes=list(batch_sizes),
        models=models,
        paper_cpu_fps=PAPER_CPU_FPS)
