"""Printing reports as markdown tables (JSON is the report dict itself).

The cell formatters and :func:`report_header` are shared by every report,
so a method's benchmark entry prints times and ratios as the config
benchmark does.
"""
from typing import Any, Dict, List, Optional

from .memory import MiB


def format_ms(summary: Dict[str, float]) -> str:
    """'median [p25, p75]' of a seconds summary, in milliseconds."""
    return (f"{summary['median'] * 1e3:.2f} "
            f"[{summary['p25'] * 1e3:.2f}, {summary['p75'] * 1e3:.2f}]")


def format_ratio(summary: Dict[str, float]) -> str:
    """'median [p25, p75]' of a ratio summary."""
    return (f"{summary['median']:.3f} "
            f"[{summary['p25']:.3f}, {summary['p75']:.3f}]")


def format_count(n: Optional[int]) -> str:
    """A count with thousands separators ('n/a' for None)."""
    return 'n/a' if n is None else f'{n:,}'


def format_mib(n: Optional[int]) -> str:
    """Bytes in MiB ('n/a' for None)."""
    return 'n/a' if n is None else f'{n / MiB:.2f}'


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


def report_header(report: Dict[str, Any]) -> List[str]:
    """Lines saying where and how a report was measured.

    Args:
        report (dict): has the keys of :func:`timing.environment` plus
            ``iters`` and ``warmup``.
    """
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


def ratio_table(ratios: Dict[str, Dict[str, float]]) -> List[str]:
    """The '| ratio | value |' table of a report's ``ratios``."""
    lines = ['| ratio | value |', '|---|---|']
    for name, summary in ratios.items():
        lines.append(f'| {name} | {format_ratio(summary)} |')
    return lines


def format_distillation_report(report: Dict[str, Any]) -> str:
    """Markdown tables of a :func:`measure_distillation` report."""
    lines = [
        f"## {report.get('config') or 'distillation'} "
        f"({report['algorithm']})",
        f"batch {report['batch_size']}, input "
        f"{'x'.join(map(str, report['input_shape']))}",
    ] + report_header(report)
    lines += ['| variant | time (ms) | peak memory (MiB) |', '|---|---|---|']
    for name, summary in report['times'].items():
        lines.append(f'| {name} | {format_ms(summary)} | '
                     f"{format_mib(report['peak_memory'].get(name))} |")
    lines += [''] + ratio_table(report['ratios'])
    if report['memory_method']:
        lines += ['', f"Peak memory: {report['memory_method']}."]
    lines += [
        '', '| model | input | params | FLOPs (1 input) | latency batch 1 '
        '(ms) |', '|---|---|---|---|---|'
    ]
    for name, row in report['models'].items():
        lines.append(f"| {name} | {'x'.join(map(str, row['input_shape']))} "
                     f"| {format_count(row['params'])} | "
                     f"{format_count(row['flops'])} | "
                     f"{format_ms(row['latency_b1'])} |")
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
        lines.append(f"| {row['module']} | {format_count(row['params'])} | "
                     f"{format_count(row['trainable'])} | "
                     f"{format_count(row['in_optimizer'])} |")
    if not extras:
        lines.append('| (none) | 0 | 0 | 0 |')
    return '\n'.join(lines)
