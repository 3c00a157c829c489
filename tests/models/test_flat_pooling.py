"""Adaptive average pooling of flattened maps, matmul and kernel paths."""
import pytest
import torch
import torch.nn.functional as F

from mmkd_transfer.models.utils import flat_pooling
from mmkd_transfer.models.utils.flat_pooling import (adaptive_pool_matrix,
                                                     pool_flat,
                                                     pool_flat_backward)


@pytest.mark.parametrize('in_size,out_size',
                         [((8, 8), (4, 4)), ((7, 7), (3, 3)), ((2, 2), (8, 8)),
                          ((5, 3), (2, 4)), ((6, 6), (4, 4))])
def test_pool_matrix_is_adaptive_avg_pool(in_size, out_size):
    x = torch.randn(2, 3, *in_size, dtype=torch.float64)
    expected = F.adaptive_avg_pool2d(x, out_size).flatten(2)
    matrix = adaptive_pool_matrix(in_size, out_size, torch.float64,
                                  torch.device('cpu'))
    assert matrix.shape == (in_size[0] * in_size[1], out_size[0] * out_size[1])
    torch.testing.assert_close(x.flatten(2) @ matrix, expected)
    # every output is an average: its column sums to 1
    torch.testing.assert_close(
        matrix.sum(0), torch.ones(matrix.size(1), dtype=torch.float64))


@pytest.mark.parametrize('max_entries', [0, 10**9])
def test_pool_flat_both_paths_match_autograd(monkeypatch, max_entries):
    # 0: always the pooling kernel; 10**9: always the matmul
    monkeypatch.setattr(flat_pooling, 'MATMUL_POOL_MAX_ENTRIES', max_entries)
    for in_size, out_size in [((8, 8), (4, 4)), ((2, 2), (6, 6)),
                              ((7, 5), (3, 2)), ((4, 4), (4, 4))]:
        x = torch.randn(
            2,
            3,
            in_size[0] * in_size[1],
            dtype=torch.float64,
            requires_grad=True)
        ref = F.adaptive_avg_pool2d(x.view(2, 3, *in_size),
                                    out_size).flatten(2)
        got = pool_flat(x, in_size, out_size)
        torch.testing.assert_close(got, ref)
        grad_out = torch.randn_like(ref)
        expected, = torch.autograd.grad(ref, x, grad_out)
        torch.testing.assert_close(
            pool_flat_backward(grad_out, x.detach(), in_size, out_size),
            expected)
