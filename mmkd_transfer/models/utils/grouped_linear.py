"""Many small bias-free linear maps, one per layer, batched by input width."""
import math
from typing import Hashable, Optional, Sequence

import torch
from torch import Tensor, nn

from .grouping import group_indices


class GroupedLinear(nn.Module):
    """L bias-free linear maps ``(N, C_l) -> (N, out)``, one per layer.

    Layers of equal input width share one ``(G, C, out)`` weight tensor and
    one ``torch.bmm``, so L layers cost one matmul per distinct width rather
    than L ``nn.Linear`` calls. On small models the fixed cost of each call
    (autograd node, kernel launch, optimizer step per tensor) outweighs the
    arithmetic; see the profile in ``configs/afd/README.md``. The function is
    that of L separate ``nn.Linear(C_l, out, bias=False)`` layers, each
    initialised the same way (uniform in ±1/√C_l).

    Args:
        in_channels (Sequence[int]): C_l of every layer, in layer order.
        out_features (int): the common output size.
        group_keys (Sequence, optional): batch layer l with the layers of
            equal key only (keys must imply equal widths). Defaults to the
            widths themselves.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 out_features: int,
                 group_keys: Optional[Sequence[Hashable]] = None) -> None:
        super().__init__()
        self.in_channels = [int(c) for c in in_channels]
        self.out_features = int(out_features)
        if group_keys is None:
            group_keys = self.in_channels
        if len(group_keys) != len(self.in_channels):
            raise ValueError(
                f'GroupedLinear: {len(group_keys)} group keys for '
                f'{len(self.in_channels)} layers.')
        groups = group_indices(group_keys)
        self.group_layers = list(groups.values())
        for layers in self.group_layers:
            widths = [self.in_channels[layer] for layer in layers]
            if len(set(widths)) > 1:
                raise ValueError(
                    'GroupedLinear: layers of one group must have equal '
                    f'widths, got {widths}.')
        self.weights = nn.ParameterList(
            nn.Parameter(
                torch.empty(
                    len(layers), self.in_channels[layers[0]],
                    self.out_features)) for layers in self.group_layers)
        grouped_order = [
            layer for layers in self.group_layers for layer in layers
        ]
        # The batched output comes in group order; when the widths interleave
        # (e.g. 32, 64, 32) one index_select puts it back in layer order.
        restore = None
        if grouped_order != sorted(grouped_order):
            restore = torch.argsort(torch.tensor(grouped_order))
        self.register_buffer('restore', restore, persistent=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # nn.Linear's default: kaiming_uniform_(a=√5) = U(±1/√fan_in)
        for weight in self.weights:
            bound = 1.0 / math.sqrt(weight.size(1))
            nn.init.uniform_(weight, -bound, bound)

    def weight_of(self, layer: int) -> Tensor:
        """The (C_l, out) matrix of one layer (a view of the shared weight)."""
        for layers, weight in zip(self.group_layers, self.weights):
            if layer in layers:
                return weight[layers.index(layer)]
        raise IndexError(
            f'GroupedLinear has {len(self.in_channels)} layers, no {layer}.')

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        """Map every layer's input.

        Args:
            inputs (Sequence[Tensor]): L tensors, the l-th (N, C_l).

        Returns:
            Tensor: shape (N, L, out), layer l at ``[:, l]``.
        """
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'GroupedLinear: built for '
                             f'{len(self.in_channels)} layers, got '
                             f'{len(inputs)} inputs.')
        outs = [
            torch.bmm(
                torch.stack([inputs[layer]
                             for layer in layers]), weight).transpose(0, 1)
            for layers, weight in zip(self.group_layers, self.weights)
        ]  # each (N, G, out), a view
        # one copy into a contiguous (N, L, out), so callers may reshape it
        out = torch.cat(outs, dim=1) if len(outs) > 1 else outs[0].contiguous()
        if self.restore is not None:
            out = out.index_select(1, self.restore)
        return out

    def extra_repr(self) -> str:
        return (f'in_channels={self.in_channels}, '
                f'out_features={self.out_features}')
