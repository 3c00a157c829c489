"""GroupedLinear: per-layer linear maps batched by width."""
import math

import pytest
import torch

from mmkd_transfer.models.utils.grouped_linear import GroupedLinear
from mmkd_transfer.models.utils.grouping import (group_indices, grouped_order,
                                                 inverse_order)


def test_group_indices_first_seen_order():
    groups = group_indices([32, 8, 32, 16, 8])
    assert groups == {32: [0, 2], 8: [1, 4], 16: [3]}
    order = grouped_order(groups)
    assert order == [0, 2, 1, 4, 3]
    values = [10, 11, 12, 13, 14]
    grouped = [values[i] for i in order]
    assert [grouped[i] for i in inverse_order(order)] == values
    assert grouped_order({8: [0, 1], 4: [2]}) is None  # already in order


@pytest.mark.parametrize('widths', [[4, 4, 8, 8, 16], [8, 4, 8, 16, 4]])
def test_equals_separate_linear_layers(widths):
    torch.manual_seed(0)
    proj = GroupedLinear(widths, 5)
    inputs = [torch.randn(3, c) for c in widths]
    out = proj(inputs)
    assert out.shape == (3, len(widths), 5)
    for layer, x in enumerate(inputs):
        torch.testing.assert_close(out[:, layer], x @ proj.weight_of(layer))
    # one weight tensor per distinct width
    assert sorted(w.shape[1] for w in proj.weights) == sorted(set(widths))
    # interleaved widths need the index that restores layer order
    assert (proj.restore is None) == (widths == [4, 4, 8, 8, 16])


def test_group_keys_and_init():
    proj = GroupedLinear([8, 8, 8], 4, group_keys=['t', 's', 's'])
    assert [tuple(w.shape) for w in proj.weights] == [(1, 8, 4), (2, 8, 4)]
    bound = 1 / math.sqrt(8)  # nn.Linear's default range
    assert all(w.abs().max() <= bound for w in proj.weights)
    # gradients reach every weight
    proj([torch.randn(2, 8) for _ in range(3)]).sum().backward()
    assert all(w.grad.abs().sum() > 0 for w in proj.weights)


def test_errors():
    with pytest.raises(ValueError, match='equal widths'):
        GroupedLinear([8, 16], 4, group_keys=['a', 'a'])
    with pytest.raises(ValueError, match='2 group keys for 3 layers'):
        GroupedLinear([8, 8, 8], 4, group_keys=['a', 'b'])
    proj = GroupedLinear([8, 8], 4)
    with pytest.raises(ValueError, match='built for 2 layers'):
        proj([torch.randn(2, 8)])
    with pytest.raises(IndexError):
        proj.weight_of(2)
