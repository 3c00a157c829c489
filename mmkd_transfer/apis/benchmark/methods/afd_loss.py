"""AFD's benchmark entry ``afd-loss``: the AFD loss alone against AT.

It lives in the benchmark package's per-method folder rather than beside
``AFDLoss`` in ``models/losses``: models must not import measuring tools
(dependencies point from ``apis`` to ``models``, never back), and this
folder is where every method's entry goes, one ``<method>_*.py`` file each,
registered with :func:`~..registry.register_benchmark`.

Run it with ``python tools/benchmark.py --entry afd-loss``; options through
``--batch-size`` and ``--entry-options qk_dim=64``.
"""
from typing import Any, Dict, Optional, Sequence

import torch
from torch import Tensor, nn

from ..model_stats import count_parameters
from ..registry import register_benchmark
from ..report import format_ms, ratio_table, report_header
from ..timing import (environment, interleaved_timings, summarize,
                      summarized_ratio)

# WRN-40-2 -> WRN-16-2 on CIFAR (32x32): every residual block's output.
WRN40_2_SHAPES = [(32, 32, 32)] * 6 + [(64, 16, 16)] * 6 + [(128, 8, 8)] * 6
WRN16_2_SHAPES = [(32, 32, 32)] * 2 + [(64, 16, 16)] * 2 + [(128, 8, 8)] * 2
# The AT baseline pairs each student block with the teacher block at the
# same relative depth of its stage (blocks 3 and 6 of 6).
AT_TEACHER_INDICES = [2, 5, 8, 11, 14, 17]


def at_loss_sum(s_features: Sequence[Tensor], t_features: Sequence[Tensor],
                at_loss: nn.Module) -> Tensor:
    """Σ_pairs AT distance (Zagoruyko & Komodakis, ICLR 2017) over matched
    (student, teacher) pairs, with MMRazor's ``ATLoss``.

    Args:
        s_features (list[Tensor]): student maps, each (N, C, H, W).
        t_features (list[Tensor]): the matched teacher maps, same shapes.
        at_loss (nn.Module): MMRazor's ``ATLoss``.
    """
    return sum(at_loss(s, t) for s, t in zip(s_features, t_features))


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
    ] + report_header(report)
    lines += ['| loss | forward+backward (ms) |', '|---|---|']
    for name, summary in report['times'].items():
        lines.append(f'| {name} | {format_ms(summary)} |')
    lines += [''] + ratio_table(report['ratios'])
    return '\n'.join(lines)


@register_benchmark('afd-loss', format_report=format_afd_report)
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

    Args:
        iters (int): timed repeats. Defaults to 20.
        warmup (int): untimed repeats first. Defaults to 3.
        batch_size (int): maps per batch. Defaults to 64.
        qk_dim (int): AFD query/key size. Defaults to 128.
        device (str, optional): default CUDA when available, else CPU.
        seed (int): seed of the random feature maps. Defaults to 0.

    Returns:
        dict: the report (:func:`format_afd_report` prints it).
    """
    from mmrazor.models.losses import ATLoss

    from mmkd_transfer.models.losses.afd_loss import AFDLoss
    dev = torch.device(
        device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    gen = torch.Generator().manual_seed(seed)

    def maps(shapes, grad):
        # block outputs follow a ReLU
        return [
            torch.randn(batch_size, *s,
                        generator=gen).relu_().to(dev).requires_grad_(grad)
            for s in shapes
        ]

    s_feats = maps(WRN16_2_SHAPES, True)
    t_feats = maps(WRN40_2_SHAPES, False)
    t_matched = [t_feats[i] for i in AT_TEACHER_INDICES]
    afd = AFDLoss(qk_dim=qk_dim)
    afd.build_from_shapes(
        s_features=[tuple(f.shape) for f in s_feats],
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
    env = environment(dev)
    times = interleaved_timings(
        variants, iters, warmup, dev, before={k: clear
                                              for k in variants})
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
        times={
            name: summarize(v)
            for name, v in times.items()
        },
        ratios={
            'afd_loss / at_loss': summarized_ratio(times, 'afd_loss',
                                                   ['at_loss'])
        },
    )
