"""The convolutional LSTM cell (Shi et al., NeurIPS 2015)."""
import torch
import torch.nn as nn


def _conv(in_channels, out_channels, filter_size, norm):
    """A 'same' convolution, followed by a layer norm over (C, H, W) when
    ``norm`` (GroupNorm with one group: per-sample statistics over C, H, W
    and a per-channel affine, so the spatial size need not be known)."""
    conv = nn.Conv2d(
        in_channels,
        out_channels,
        filter_size,
        padding=filter_size // 2,
        bias=not norm)
    if not norm:
        return conv
    return nn.Sequential(conv, nn.GroupNorm(1, out_channels))


class ConvLSTMCell(nn.Module):
    """One ConvLSTM cell.

    With ``[i, f, g, o] = W_x * X_t + W_h * H_{t-1}`` (``*``: convolution)::

        C_t = sigmoid(f + forget_bias) . C_{t-1} + sigmoid(i) . tanh(g)
        H_t = sigmoid(o) . tanh(C_t)

    Args:
        in_channels (int): channels of the input X_t.
        hidden_channels (int): channels of H and C.
        filter_size (int): odd kernel size of both convolutions.
        norm (bool): layer-normalise each convolution's output.
            Defaults to True.
        forget_bias (float): added to the forget gate before the sigmoid,
            so a fresh cell keeps its memory. Defaults to 1.0 (PredRNN's
            release).
    """

    def __init__(self,
                 in_channels,
                 hidden_channels,
                 filter_size,
                 norm=True,
                 forget_bias=1.0):
        super().__init__()
        if filter_size % 2 != 1:
            raise ValueError(f'filter_size must be odd (same padding), got '
                             f'{filter_size}')
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.forget_bias = forget_bias
        self.conv_x = _conv(in_channels, 4 * hidden_channels, filter_size,
                            norm)
        self.conv_h = _conv(hidden_channels, 4 * hidden_channels, filter_size,
                            norm)

    def init_state(self, x):
        """Zero (H, C) for an input ``x`` of shape (N, C_in, H, W)."""
        n, _, h, w = x.shape
        zeros = x.new_zeros(n, self.hidden_channels, h, w)
        return zeros, zeros.clone()

    def forward(self, x, h, c):
        """One time step.

        Args:
            x (torch.Tensor): (N, C_in, H, W) input.
            h (torch.Tensor): (N, C_hid, H, W) previous hidden state.
            c (torch.Tensor): (N, C_hid, H, W) previous memory.

        Returns:
            tuple[torch.Tensor, torch.Tensor]: new (H_t, C_t).
        """
        i, f, g, o = torch.chunk(self.conv_x(x) + self.conv_h(h), 4, dim=1)
        c_new = torch.sigmoid(f + self.forget_bias) * c + \
            torch.sigmoid(i) * torch.tanh(g)
        h_new = torch.sigmoid(o) * torch.tanh(c_new)
        return h_new, c_new


__all__ = ['ConvLSTMCell']
