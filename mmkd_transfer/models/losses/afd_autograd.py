"""AFD's per-map statistics and value distances with hand-written backwards.

For *Show, Attend and Distill* (Ji, Heo, Park; AAAI 2021; arXiv
2102.02973). Same values as the plain-PyTorch formulas (checked against
autograd with ``gradcheck`` in float64, tests/models/test_afd_autograd.py);
only the number of kernels differs.

Why: on the small maps of the embedded configs, every PyTorch op costs
~5-10 µs of fixed overhead on CPU whatever its size, so the AFD loss was
dominated by its number of kernels. With these Functions (and the batched
meta-network) a forward + backward runs 218 non-view kernels instead of 416
on the embedded shapes (profile and measurements in configs/afd/README.md).
"""
import contextlib
import functools
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.autograd import Function
from torch.autograd.function import once_differentiable

from ..utils.flat_pooling import pool_flat, pool_flat_backward
from ..utils.grouping import (Size2d, group_by_size, grouped_order,
                              inverse_order)

# Group dicts reach autograd Functions as tuples of their items: the
# profiler's record_shapes=True refuses dicts with tuple keys as arguments.
SizeGroupItems = Tuple[Tuple[Size2d, List[int]], ...]

# F.normalize's default: v = a / max(||a||, eps)
NORM_EPS = 1e-12


def _autocast_off(tensor: Tensor):
    """Run the value terms in the precision of their inputs under AMP (a
    no-op context, cheaper, when autocast is off)."""
    device = tensor.device.type
    if not torch.is_autocast_enabled(device):
        return contextlib.nullcontext()
    return torch.autocast(device_type=device, enabled=False)


def flat_energy(feature: Tensor) -> Tensor:
    """Σ_c F² per position: (N, C, H, W) -> (N, H*W).

    The paper's energy is the channel *mean*; the 1/C is left out because
    every use normalises the (pooled) energy to unit length, which cancels
    it (values and gradients alike; only F.normalize's eps = 1e-12 floor
    moves, to norms below 1e-12·C). One fused dot product over C.

    Half-precision maps are summed in float32: Σ_c F² overflows float16's
    65,504 easily (512 channels of activations ~12 do). Callers turn
    autocast off around it (:func:`_autocast_off`).
    """
    flat = feature.flatten(2)
    if flat.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    return torch.linalg.vecdot(flat, flat, dim=1)


@functools.lru_cache(maxsize=128)
def _mean_weights(size: int, dtype: torch.dtype,
                  device: torch.device) -> Tensor:
    return torch.full((size, ), 1.0 / size, dtype=dtype, device=device)


def global_avg_pool(feature: Tensor) -> Tensor:
    """GAP: (N, C, H, W) -> (N, C); an (N, C) input is returned as is."""
    if feature.dim() == 2:
        return feature
    n, c, h, w = feature.shape
    # a matrix-vector product: CPU torch reduces short inner dims slowly
    # (64x128x2x2: 41 µs for mean((2, 3)), 13 µs for this; measured)
    weights = _mean_weights(h * w, feature.dtype, feature.device)
    return torch.mv(feature.reshape(n * c, h * w), weights).view(n, c)


def unit_rows(a: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """``F.normalize(a, dim=-1)`` and what its backward needs.

    Returns:
        tuple: (v, den, unclamped) with v = a / den, den = max(||a||, eps)
        and ``unclamped`` = (||a|| > eps) as a bool mask (N, K, 1).
    """
    norm = torch.linalg.vector_norm(a, dim=-1, keepdim=True)
    den = norm.clamp_min(NORM_EPS)
    return a / den, den, norm > NORM_EPS


class StudentMapStatistics(Function):
    """GAP and AT energy of every student map, as one autograd node.

    Inputs: the size groups of the maps (:func:`group_by_size`, as a tuple
    of its items) and the S maps (N, C_j, H_j, W_j). Outputs: S GAPs
    (N, C_j), then one energy tensor (N, G_k, H_k·W_k) per size group k,
    energy = Σ_c F² (:func:`flat_energy`).

    Backward: dF = dGAP / (H W) (broadcast) + 2F · dE, two kernels per map
    where autograd runs about ten.
    """

    @staticmethod
    def forward(ctx, s_groups: SizeGroupItems, *features:
                Tensor) -> Tuple[Tensor, ...]:
        ctx.set_materialize_grads(False)
        s_groups = ctx.s_groups = dict(s_groups)
        ctx.save_for_backward(*features)
        gaps = [global_avg_pool(f) for f in features]
        with _autocast_off(features[0]):
            energies = [
                torch.stack([flat_energy(features[j]) for j in members], dim=1)
                for members in s_groups.values()
            ]
        return (*gaps, *energies)

    @staticmethod
    @once_differentiable
    def backward(ctx, *grads: Optional[Tensor]):
        features = ctx.saved_tensors
        grad_gaps, grad_energies = grads[:len(features)], grads[len(features):]
        grad_features: List[Optional[Tensor]] = list(grad_gaps)
        for grad_e, members in zip(grad_energies, ctx.s_groups.values()):
            for pos, j in enumerate(members):
                f = features[j]
                n, c, h, w = f.shape
                grad_gap = grad_gaps[j]
                spread = None if grad_gap is None else (
                    grad_gap * (1.0 / (h * w))).reshape(n, c, 1, 1)
                if grad_e is None:
                    grad = None if spread is None else spread.expand(
                        n, c, h, w)
                else:  # spread + 2 f · dE, in one kernel
                    grad = torch.addcmul(
                        f.new_zeros(()) if spread is None else spread,
                        f,
                        grad_e[:, pos].reshape(n, 1, h, w),
                        value=2.0)
                grad_features[j] = grad
        return (None, *grad_features)


def student_map_statistics(
    features: Sequence[Tensor],
    s_groups: Optional[Dict[Size2d, List[int]]] = None
) -> Tuple[List[Tensor], List[Tensor]]:
    """GAPs (S of (N, C_j)) and energies grouped by size (K of (N, G_k,
    H_k·W_k)) of the student maps; see :class:`StudentMapStatistics`.
    ``s_groups`` defaults to :func:`group_by_size` of the maps."""
    if s_groups is None:
        s_groups = group_by_size(features)
    out = StudentMapStatistics.apply(tuple(s_groups.items()), *features)
    return list(out[:len(features)]), list(out[len(features):])


def teacher_values(features: Sequence[Tensor]) -> Tensor:
    """v_t^i = L2norm(vec(mean_c (F_t^i)²)) of maps of one size, no grad
    (the energy is summed over c: the normalisation cancels the 1/C).

    Args:
        features (list[Tensor]): G maps, each (N, C_i, H, W).

    Returns:
        Tensor: shape (N, G, H*W), unit L2 norm along the last dim.
    """
    with torch.no_grad(), _autocast_off(features[0]):
        energy = torch.stack([flat_energy(f) for f in features], dim=1)
        return F.normalize(energy, dim=2)


class ValueDistanceLoss(Function):
    """L_AFD = Σ_i mean_b Σ_j α_{b,i,j} ||v_s^{j→i} − v_t^i||² / (H_i W_i).

    Inputs: α (N, T, S) in layer order; the size groups of the student maps
    and of the teacher maps (:func:`group_by_size`, as tuples of its items);
    the teacher values of each teacher size group (no gradient); the student
    energies, one (N, G_k, H_k·W_k) tensor per student size group. Each
    student group is pooled once per teacher size (:func:`pool_flat`).
    Autocast is off inside: the distances run in the energies' precision
    (float32 for half-precision maps, see :func:`flat_energy`).
    """

    @staticmethod
    def forward(ctx, alpha: Tensor, s_groups: SizeGroupItems,
                t_groups: SizeGroupItems, t_values: List[Tensor], *energies:
                Tensor) -> Tensor:
        with _autocast_off(alpha):
            return ValueDistanceLoss._forward(ctx, alpha, dict(s_groups),
                                              dict(t_groups), t_values,
                                              energies)

    @staticmethod
    def _forward(ctx, alpha, s_groups, t_groups, t_values, energies):
        # α may come in bfloat16/float16 from an autocast meta-network
        alpha = alpha.to(torch.promote_types(alpha.dtype, energies[0].dtype))
        t_order, s_order = grouped_order(t_groups), grouped_order(s_groups)
        # α with rows and columns in size-group order
        alpha_g = alpha if t_order is None else alpha[:, t_order]
        alpha_g = alpha_g if s_order is None else alpha_g[:, :, s_order]

        dists, saved = [], []
        for t_size, v_t in zip(t_groups, t_values):
            pooled = [
                pool_flat(e, s_size, t_size)
                for s_size, e in zip(s_groups, energies)
            ]
            pooled = torch.cat(pooled, dim=1) if len(pooled) > 1 else pooled[0]
            v_s, den, unclamped = unit_rows(pooled)  # (N, S, P)
            diff = v_s.unsqueeze(1) - v_t.unsqueeze(2)  # (N, G, S, P)
            dists.append(diff.pow_(2).mean(dim=-1))  # (N, G, S)
            saved.append((t_size, v_s, den, unclamped, v_t))
        dist = torch.cat(dists, dim=1) if len(dists) > 1 else dists[0]

        ctx.saved = saved
        ctx.s_sizes = list(s_groups)
        ctx.t_order, ctx.s_order = t_order, s_order
        ctx.save_for_backward(alpha_g, dist, *energies)
        return (alpha_g * dist).sum() / alpha.size(0)

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out: Tensor):
        alpha_g, dist, *energies = ctx.saved_tensors
        n = alpha_g.size(0)
        grad_alpha = None
        if ctx.needs_input_grad[0]:
            grad_alpha = dist * (grad_out / n)
            # back to layer order
            if ctx.s_order is not None:
                grad_alpha = grad_alpha[:, :, inverse_order(ctx.s_order)]
            if ctx.t_order is not None:
                grad_alpha = grad_alpha[:, inverse_order(ctx.t_order)]

        grad_energies: List[Optional[Tensor]] = [None] * len(energies)
        row = 0
        for t_size, v_s, den, unclamped, v_t in ctx.saved:
            num_t, p = v_t.size(1), v_s.size(2)
            # d/dv_s of Σ_i a_i ||v_s − v_t^i||², a = α · g / (N P)
            a = alpha_g[:, row:row + num_t] * (2.0 * grad_out / (n * p))
            row += num_t
            grad_v = torch.baddbmm(
                v_s * a.sum(dim=1).unsqueeze(-1),
                a.transpose(1, 2),
                v_t,
                alpha=-1)  # (N, S, P)
            # through v = a / max(||a||, eps)
            radial = torch.linalg.vecdot(v_s, grad_v).unsqueeze(-1)
            grad_pooled = torch.addcmul(
                grad_v, v_s, radial.mul_(unclamped), value=-1).div_(den)
            start = 0
            for k, (s_size, energy) in enumerate(zip(ctx.s_sizes, energies)):
                part = grad_pooled[:, start:start + energy.size(1)]
                start += energy.size(1)
                part = pool_flat_backward(part, energy, s_size, t_size)
                grad_energies[k] = part if grad_energies[k] is None else (
                    grad_energies[k] + part)
        return (grad_alpha, None, None, None, *grad_energies)


def value_distance_loss(alpha: Tensor, s_energies: Sequence[Tensor],
                        s_groups: Dict[Size2d, List[int]],
                        t_features: Sequence[Tensor]) -> Tensor:
    """L_AFD from α (N, T, S), the student energies grouped by size (from
    :func:`student_map_statistics`, with their ``s_groups``) and the T
    teacher maps (N, C_i, H_i, W_i); see :class:`ValueDistanceLoss`."""
    t_groups = group_by_size(t_features)
    t_values = [
        teacher_values([t_features[i] for i in members])
        for members in t_groups.values()
    ]
    return ValueDistanceLoss.apply(alpha, tuple(s_groups.items()),
                                   tuple(t_groups.items()), t_values,
                                   *s_energies)
