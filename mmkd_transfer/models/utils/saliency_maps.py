"""Saliency maps from model outputs: activation, size, normalisation.

Shared by the SKD density-map losses and the saliency models, so a student,
an mmseg teacher (one output channel, logits) and a ground-truth map are all
turned into comparable maps the same way.
"""
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

ACTIVATIONS = ('sigmoid', 'none')


def check_activation(activation: str, name: str = 'activation') -> str:
    """``activation`` if it is one of :data:`ACTIVATIONS`, else an error."""
    if activation not in ACTIVATIONS:
        raise ValueError(f'{name} must be one of {ACTIVATIONS} (sigmoid for '
                         "a model's logits, none for a map in [0, 1]), got "
                         f'{activation!r}.')
    return activation


def check_map_batch(x: Tensor, name: str) -> Tensor:
    """A (N, 1, H, W) batch of maps, else a one-line error."""
    if not isinstance(x, Tensor) or x.dim() != 4 or x.shape[1] != 1:
        shape = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
        raise ValueError(f'{name} must be saliency maps or logits of shape '
                         f'(N, 1, H, W), got {shape}: give the model one '
                         'output channel.')
    return x


def as_map(x: Tensor, activation: str) -> Tensor:
    """Apply ``activation`` ('sigmoid' or 'none') to (N, 1, H, W)."""
    return torch.sigmoid(x) if activation == 'sigmoid' else x


def resize_map(x: Tensor, size: Sequence[int]) -> Tensor:
    """Bilinear resize of (N, 1, H, W) to ``size`` (a no-op when equal)."""
    if tuple(x.shape[-2:]) == tuple(size):
        return x
    return F.interpolate(
        x, size=tuple(size), mode='bilinear', align_corners=False)


def as_distribution(x: Tensor, eps: float = 1e-7) -> Tensor:
    """Each (1, H, W) map divided by its sum: a distribution over pixels.

    ``eps`` keeps an all-zero map finite (it becomes uniform).
    """
    x = x.clamp(min=0) + eps
    return x / x.sum(dim=(1, 2, 3), keepdim=True)
