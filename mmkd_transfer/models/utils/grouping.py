"""Indices of layers that share a key (a width, a spatial size), in order."""
from typing import Dict, Hashable, List, Optional, Sequence, Tuple

from torch import Tensor

Size2d = Tuple[int, int]


def group_indices(keys: Sequence[Hashable]) -> Dict[Hashable, List[int]]:
    """Indices of equal keys, groups and members in first-seen order."""
    groups: Dict[Hashable, List[int]] = {}
    for idx, key in enumerate(keys):
        groups.setdefault(key, []).append(idx)
    return groups


def group_by_size(features: Sequence[Tensor]) -> Dict[Size2d, List[int]]:
    """Indices of the maps that share a spatial size, in first-seen order."""
    return group_indices([tuple(f.shape[-2:]) for f in features])


def grouped_order(groups: Dict[Hashable, List[int]]) -> Optional[List[int]]:
    """Layer indices in group order, or None when that is the layer order."""
    order = [idx for members in groups.values() for idx in members]
    return None if order == sorted(order) else order


def inverse_order(order: Sequence[int]) -> List[int]:
    """The permutation that undoes ``order``: ``x[order][inverse] == x``."""
    inverse = [0] * len(order)
    for pos, idx in enumerate(order):
        inverse[idx] = pos
    return inverse
