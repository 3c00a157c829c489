"""The transferable memory unit (TMU) cell (Yao et al., ICML 2020)."""
import torch
import torch.nn as nn

from .conv_lstm_cell import ConvLSTMCell


class TMUCell(ConvLSTMCell):
    """A ConvLSTM cell that mixes in memories distilled from M sources.

    The cell's convolution also gives one gate ``s^m`` per source. With
    ``C'_t`` the plain ConvLSTM memory (see :class:`ConvLSTMCell`)::

        H_t   = sigmoid(o) . tanh(C'_t)
        D^m_t = LayerNorm(Conv1x1_m(C'_t))           (distiller m)
        T^m_t = sigmoid(s^m)
        C~^m  = T^m_t . D^m_t + (1 - T^m_t) . C'_t
        C_t   = C'_t + sum_m C~^m                     (memory_mix='sum')
        C_t   = (C'_t + sum_m C~^m) / (1 + M)         (memory_mix='mean')

    ``'mean'`` (ours, the default) keeps the mix a convex combination of
    C'_t and the layer-normalised D^m_t, so the memory grows no faster than
    a plain ConvLSTM's. ``'sum'`` is the paper's and the authors' release's
    form (opt-in). Each C~^m carries ``(1 - T^m)`` of C'_t, so C'_t is
    amplified up to (1 + M) times per step and the memory can grow
    geometrically over a rollout (at random initialisation, M = 2, 5x5
    maps: max |C| ~1e4 after 20 steps, ~1e27 after 100); training has to
    learn to hold it back, and a trained target still grows past its
    training length (configs/tmu/README.md, "Memory mix"). Both equal the
    plain cell for M = 0.

    ``D^m_t`` is trained to match source m's memory at step t (the memory
    loss); the distillers and gates run at inference too, the sources do
    not. Each distiller is its own module (``distillers.<m>``), so a module
    recorder on it yields one record per time step. With ``num_sources=0``
    the cell is a :class:`ConvLSTMCell` (same parameters, same outputs).

    Args:
        in_channels (int): channels of the input X_t.
        hidden_channels (int): channels of H, C and every D^m.
        filter_size (int): odd kernel size of the gate convolution.
        num_sources (int): M, the number of sources. Defaults to 0.
        norm (bool): layer-normalise the gate convolution. Defaults to True.
        forget_bias (float): added to the forget gate. Defaults to 0.0.
        memory_mix (str): ``'mean'`` (ours) or ``'sum'`` (the paper's).
            Defaults to ``'mean'``.
    """

    MEMORY_MIXES = ('sum', 'mean')

    def __init__(self,
                 in_channels,
                 hidden_channels,
                 filter_size,
                 num_sources=0,
                 norm=True,
                 forget_bias=0.0,
                 memory_mix='mean'):
        if memory_mix not in self.MEMORY_MIXES:
            raise ValueError(f'memory_mix must be one of '
                             f'{self.MEMORY_MIXES}, got {memory_mix!r}')
        if isinstance(num_sources, bool) or not isinstance(num_sources,
                                                           int) or \
                num_sources < 0:
            raise ValueError(f'num_sources must be an int >= 0, got '
                             f'{num_sources!r}')
        super().__init__(
            in_channels,
            hidden_channels,
            filter_size,
            norm=norm,
            forget_bias=forget_bias,
            gate_channels=num_sources * hidden_channels)
        self.num_sources = num_sources
        self.memory_mix = memory_mix
        # per-sample layer norm over (C, H, W), per-channel affine (as in
        # the gate convolution: no need to know the spatial size)
        self.distillers = nn.ModuleList([
            nn.Sequential(
                nn.Conv2d(hidden_channels, hidden_channels, 1, bias=False),
                nn.GroupNorm(1, hidden_channels)) for _ in range(num_sources)
        ])

    def forward(self, x, h, c):
        """One time step.

        Args:
            x (torch.Tensor): (N, C_in, H, W) input.
            h (torch.Tensor): (N, C_hid, H, W) previous hidden state.
            c (torch.Tensor): (N, C_hid, H, W) previous (mixed) memory.

        Returns:
            tuple[torch.Tensor, torch.Tensor]: new (H_t, C_t), C_t mixed.
        """
        i, f, o, g, source_gates = self.gates(x, h)
        c_plain = torch.sigmoid(f + self.forget_bias) * c + \
            torch.sigmoid(i) * torch.tanh(g)
        h_new = torch.sigmoid(o) * torch.tanh(c_plain)
        c_new = c_plain
        gates = torch.chunk(source_gates, self.num_sources, dim=1) \
            if self.num_sources else ()
        for distiller, s in zip(self.distillers, gates):
            t = torch.sigmoid(s)
            c_new = c_new + t * distiller(c_plain) + (1 - t) * c_plain
        if self.memory_mix == 'mean':
            c_new = c_new / (1 + self.num_sources)
        return h_new, c_new


__all__ = ['TMUCell']
