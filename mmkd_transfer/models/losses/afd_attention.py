"""Meta-network of AFD: attention weights between teacher and student layers.

Implements the attention part of *Show, Attend and Distill: Knowledge
Distillation via Attention-based Feature Matching* (Mingi Ji, Byeongho Heo,
Sungrae Park; AAAI 2021; arXiv 2102.02973). Reference code:
github.com/clovaai/attention-feature-distillation (``distill/AFD.py``).
The value/distance terms live in :mod:`.afd_autograd`, the loss in
:mod:`.afd_loss`.

Notation (docs/methods/afd.md): T teacher layers, S student layers, d = qk_dim.
"""
import math
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..utils.grouped_linear import GroupedLinear
from .afd_autograd import global_avg_pool


def attention_logits(query: Tensor, bilinear_key: Tensor, p_t: Tensor,
                     p_s: Tensor) -> Tensor:
    """Scaled attention logits, laid out student-major.

    logit_{b,j,i} = (<q_{b,i}, K̂_{b,j,i}> + (p_s p_tᵀ)_{j,i}) / √d

    Args:
        query (Tensor): q, shape (N, T, d).
        bilinear_key (Tensor): K̂, shape (N, S, T, d); ``K̂[:, j, i]`` is the
            key of student layer j made for teacher layer i.
        p_t (Tensor): teacher positional embeddings, shape (T, d).
        p_s (Tensor): student positional embeddings, shape (S, d).

    Returns:
        Tensor: logits, shape (N, S, T): ``logits[b, j, i]`` scores student
        layer j for teacher layer i.
    """
    qk_dim = query.size(-1)
    # an elementwise product summed over d: einsum routed this through a
    # batched matmul of 1-column matrices, 10x slower on CPU (profiled)
    content = (bilinear_key * query.unsqueeze(1)).sum(-1)  # (N, S, T)
    position = p_s @ p_t.t()  # (S, T), shared by the batch
    return (content + position) / math.sqrt(qk_dim)


def attention_weights(query: Tensor, bilinear_key: Tensor, p_t: Tensor,
                      p_s: Tensor) -> Tensor:
    """α = softmax over student layers of :func:`attention_logits`.

    Returns:
        Tensor: α, shape (N, T, S) (a transposed view); every row
        α[b, i, :] sums to 1.
    """
    # Softmax over dim 1 of the (N, S, T) logits, not over the last dim of
    # their transpose: CPU torch's kernel for a short last dim is ~4x slower
    # (44 vs 12 µs for 64x6x6, measured).
    logits = attention_logits(query, bilinear_key, p_t, p_s)
    return F.softmax(logits, dim=1).transpose(1, 2)


class AFDAttention(nn.Module):
    """AFD meta-network: queries, keys, shared bilinear map, positions.

    Built for fixed channel lists; it is trained by the AFD loss, in the same
    optimizer as the student, and is not used at inference.

    - query (teacher layer i): Linear(C_t^i, d) + BN1d on GAP(F_t^i)
    - key (student layer j): Linear(C_s^j, d) + BN1d + ReLU on GAP(F_s^j)
    - bilinear (shared): Linear(d, d*T) + BN1d on every key, giving K̂
    - positional embeddings p_t (T, d), p_s (S, d), xavier-normal init

    Ours, for speed (the function is the same): the T query and S key
    Linear layers are one :class:`GroupedLinear` over the T + S layers (one
    ``bmm`` per distinct input width on each side), and their T + S BN1d(d)
    are one BN1d((T+S)·d) over the concatenated outputs: BatchNorm
    normalises every feature on its own, so that is the same normalisation.
    Layer i of the projection is teacher layer i; layer T + j is student
    layer j.

    Args:
        s_channels (Sequence[int]): channels of the S student feature maps.
        t_channels (Sequence[int]): channels of the T teacher feature maps.
        qk_dim (int): d, the query/key size. Defaults to 128.
    """

    def __init__(self,
                 s_channels: Sequence[int],
                 t_channels: Sequence[int],
                 qk_dim: int = 128) -> None:
        super().__init__()
        if len(s_channels) == 0 or len(t_channels) == 0:
            raise ValueError(
                'AFDAttention needs at least one student and one teacher '
                f'layer, got {len(s_channels)} student and {len(t_channels)} '
                'teacher layers.')
        if qk_dim < 1:
            raise ValueError(f'qk_dim must be a positive int, got {qk_dim}.')
        self.s_channels = [int(c) for c in s_channels]
        self.t_channels = [int(c) for c in t_channels]
        self.qk_dim = qk_dim
        num_t, num_s = len(self.t_channels), len(self.s_channels)

        # Ours: the Linear layers have no bias. The reference code keeps one,
        # but the BN1d right after removes it (its gradient is exactly zero
        # in training), so the function trained is the same. Grouped by
        # (side, width): teacher groups come first, so the output is in
        # layer order without a gather unless the widths interleave.
        self.proj = GroupedLinear(
            self.t_channels + self.s_channels,
            qk_dim,
            group_keys=[('t', c)
                        for c in self.t_channels] + [('s', c)
                                                     for c in self.s_channels])
        self.proj_bn = nn.BatchNorm1d((num_t + num_s) * qk_dim)
        self.bilinear = nn.Sequential(
            nn.Linear(qk_dim, qk_dim * num_t, bias=False),
            nn.BatchNorm1d(qk_dim * num_t))
        self.p_t = nn.Parameter(torch.empty(num_t, qk_dim))
        self.p_s = nn.Parameter(torch.empty(num_s, qk_dim))
        nn.init.xavier_normal_(self.p_t)
        nn.init.xavier_normal_(self.p_s)

    @property
    def num_teacher_layers(self) -> int:
        return len(self.t_channels)

    @property
    def num_student_layers(self) -> int:
        return len(self.s_channels)

    def queries_and_keys(self, s_features: List[Tensor],
                         t_features: List[Tensor]) -> Tuple[Tensor, Tensor]:
        """q (N, T, d) and k (N, S, d) from the GAP of every map.

        The maps may be given as (N, C, H, W) or already pooled, (N, C).
        """
        pooled = [global_avg_pool(f) for f in (*t_features, *s_features)]
        out = self.proj(pooled)  # (N, T+S, d)
        n, num, d = out.shape
        out = self.proj_bn(out.reshape(n, num * d)).view(n, num, d)
        num_t = self.num_teacher_layers
        return out[:, :num_t], F.relu(out[:, num_t:])

    def bilinear_keys(self, keys: Tensor) -> Tensor:
        """K̂: keys (N, S, d) -> (N, S, T, d)."""
        n, s, d = keys.shape
        # One shared map for all student layers: its BN sees N*S samples.
        out = self.bilinear(keys.reshape(n * s, d))
        return out.view(n, s, self.num_teacher_layers, d)

    def forward(self, s_features: List[Tensor],
                t_features: List[Tensor]) -> Tensor:
        """Attention α between teacher and student layers.

        Args:
            s_features (list[Tensor]): S maps, each (N, C_j, H_j, W_j), or
                their GAPs (N, C_j).
            t_features (list[Tensor]): T maps, each (N, C_i, H_i, W_i), or
                their GAPs (N, C_i).

        Returns:
            Tensor: α, shape (N, T, S), rows sum to 1.
        """
        queries, keys = self.queries_and_keys(s_features, t_features)
        return attention_weights(queries, self.bilinear_keys(keys), self.p_t,
                                 self.p_s)
