"""Peak memory of one call: CUDA allocator statistics or, on CPU, the
profiler's allocation events."""
import contextlib
import gc
import os
from typing import Any, Callable, Optional, Tuple

import torch

from .timing import synchronize

# Quieten kineto's own log lines while the memory profiler runs.
os.environ.setdefault('KINETO_LOG_LEVEL', '5')

MiB = 1024.0**2


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


def cpu_tensor_peak(fn: Callable[[], Any]) -> Optional[int]:
    """Peak growth of CPU tensor bytes while ``fn`` runs, from the profiler.

    The profiler logs every allocation and free of torch's CPU allocator
    (``profile_memory=True``); the running sum of those events, from zero at
    the start, peaks at the most tensor memory held above what was held
    before the call. Returns None where this torch has no such events.
    """
    from torch.profiler import ProfilerActivity, profile
    with _native_stderr_silenced():
        with profile(
                activities=[ProfilerActivity.CPU],
                profile_memory=True) as prof:
            fn()
    try:
        events = [
            e for e in prof.profiler.kineto_results.events()
            if e.name() == '[memory]'
            and e.device_type() == torch.autograd.DeviceType.CPU
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

    Args:
        fn (callable): zero-argument callable, run once.
        device (torch.device): where ``fn`` allocates.

    Returns:
        tuple: (bytes or None where not measurable, a sentence saying what
        the number is).
    """
    gc.collect()
    if device.type == 'cuda':
        synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        base = torch.cuda.memory_allocated(device)
        fn()
        synchronize(device)
        return (torch.cuda.max_memory_allocated(device) - base,
                'CUDA max_memory_allocated above the allocation at the '
                'start of the call')
    return (cpu_tensor_peak(fn),
            'peak CPU tensor bytes above those held at the start of the '
            'call (torch.profiler allocation events; excludes Python objects '
            'and allocator caching)')
