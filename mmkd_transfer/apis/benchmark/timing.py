"""Interleaved timings, their summaries and per-repeat ratios.

The variants being compared alternate inside every repeat, in an order
rotated from one repeat to the next, and a ratio is taken per repeat before
being summarised: a machine shared with other jobs slows every variant of
one repeat alike, so ratios stay meaningful where absolute times do not.
"""
import gc
import os
import statistics
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import torch


def summarize(samples: Sequence[float]) -> Dict[str, float]:
    """Median and inter-quartile range of ``samples`` (seconds or ratios).

    Returns:
        dict: ``median``, ``p25``, ``p75`` and ``n`` (the sample count).
    """
    values = sorted(float(v) for v in samples)
    if not values:
        raise ValueError('summarize: no samples (iters must be >= 1).')
    if len(values) == 1:
        q1 = q3 = values[0]
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method='inclusive')
    return dict(
        median=statistics.median(values), p25=q1, p75=q3, n=len(values))


def load_average() -> Optional[float]:
    """The 1-minute load average (None where the OS has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def environment(device: torch.device) -> Dict[str, Any]:
    """Where a report is measured: device, torch threads, CPUs and load.

    Taken before the timing starts, so the load is the other jobs' only.
    """
    return dict(
        device=str(device),
        threads=torch.get_num_threads(),
        cpus=os.cpu_count(),
        load_average=load_average())


def synchronize(device: torch.device) -> None:
    """Wait for queued CUDA work (no-op on CPU), so a timer sees it all."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def interleaved_timings(
    variants: Dict[str, Callable[[], Any]],
    iters: int,
    warmup: int,
    device: torch.device = torch.device('cpu'),
    before: Optional[Dict[str, Callable[[], Any]]] = None
) -> Dict[str, List[float]]:
    """Time every variant once per repeat, alternating them.

    Repeat ``r`` runs the variants in their given order rotated by ``r``, so
    no variant is always first (cold caches) or always last. Warm-up repeats
    run the same way and are discarded. Any ``{name: callable}`` works: a
    new variant (a view, an extra teacher) is timed alongside the others.

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
            synchronize(device)
            start = time.perf_counter()
            variants[name]()
            synchronize(device)
            elapsed = time.perf_counter() - start
            if rep >= warmup:
                times[name].append(elapsed)
    return times


def per_repeat_ratios(times: Dict[str, List[float]], numerator: str,
                      denominator: Sequence[str]) -> List[float]:
    """``times[numerator][r] / sum(times[d][r] for d in denominator)`` for
    every repeat ``r``.

    Args:
        times (dict[str, list[float]]): from :func:`interleaved_timings`.
        numerator (str): one variant name.
        denominator (Sequence[str]): variant names whose times are summed.
    """
    return [
        times[numerator][r] / sum(times[d][r] for d in denominator)
        for r in range(len(times[numerator]))
    ]


def summarized_ratio(times: Dict[str, List[float]], numerator: str,
                     denominator: Sequence[str]) -> Dict[str, float]:
    """:func:`summarize` of :func:`per_repeat_ratios`: the ratio a report
    prints (median and quartiles over the repeats)."""
    return summarize(per_repeat_ratios(times, numerator, denominator))
