"""Adaptive average pooling of flattened maps; a small matmul for small maps.

AFD pools every student energy map to every teacher size. On CPU,
``adaptive_avg_pool2d`` and its backward cost ~30 µs each even on 8x8 maps;
for small maps one matmul with the exact pooling weights costs a few
(measured), and larger maps keep the pooling kernel.
"""
import functools

import torch
import torch.nn.functional as F
from torch import Tensor

from .grouping import Size2d


def _pool_axis(n_in: int, n_out: int) -> Tensor:
    """(n_in, n_out) weights of 1-D adaptive average pooling (PyTorch's
    windows: [floor(o·n_in/n_out), ceil((o+1)·n_in/n_out)))."""
    weights = torch.zeros(n_in, n_out, dtype=torch.float64)
    for o in range(n_out):
        start, end = (o * n_in) // n_out, -((-(o + 1) * n_in) // n_out)
        weights[start:end, o] = 1.0 / (end - start)
    return weights


@functools.lru_cache(maxsize=128)
def adaptive_pool_matrix(in_size: Size2d, out_size: Size2d, dtype: torch.dtype,
                         device: torch.device) -> Tensor:
    """M (H_in·W_in, H_out·W_out) with
    ``vec(adaptive_avg_pool2d(x, out_size)) = vec(x) @ M``."""
    matrix = torch.kron(
        _pool_axis(in_size[0], out_size[0]),
        _pool_axis(in_size[1], out_size[1]))
    return matrix.to(dtype=dtype, device=device)


# Up to this many matrix entries (P_in · P_out) pooling is one matmul.
MATMUL_POOL_MAX_ENTRIES = 4096


def pool_flat(energy: Tensor, in_size: Size2d, out_size: Size2d) -> Tensor:
    """Adaptive average pooling of flattened maps: (N, G, P_in) -> (N, G,
    P_out). Pooling a map to its own size is the identity (skipped)."""
    if in_size == out_size:
        return energy
    p_in, p_out = in_size[0] * in_size[1], out_size[0] * out_size[1]
    if p_in * p_out <= MATMUL_POOL_MAX_ENTRIES:
        return energy @ adaptive_pool_matrix(in_size, out_size, energy.dtype,
                                             energy.device)
    n, g = energy.shape[:2]
    return F.adaptive_avg_pool2d(energy.reshape(n, g, *in_size),
                                 out_size).flatten(2)


def pool_flat_backward(grad: Tensor, energy: Tensor, in_size: Size2d,
                       out_size: Size2d) -> Tensor:
    """Gradient of :func:`pool_flat` w.r.t. ``energy`` (N, G, P_in)."""
    if in_size == out_size:
        return grad
    p_in, p_out = in_size[0] * in_size[1], out_size[0] * out_size[1]
    if p_in * p_out <= MATMUL_POOL_MAX_ENTRIES:
        return grad @ adaptive_pool_matrix(in_size, out_size, grad.dtype,
                                           grad.device).t()
    n, g = energy.shape[:2]
    return torch.ops.aten._adaptive_avg_pool2d_backward(
        grad.reshape(n, g, *out_size).contiguous(),
        energy.reshape(n, g, *in_size)).flatten(2)
