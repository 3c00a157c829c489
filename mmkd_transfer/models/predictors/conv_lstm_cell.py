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

    One convolution over the concatenated input and hidden state gives the
    gates, ``[i, f, o, g] = W * [X_t, H_{t-1}]`` (``*``: convolution)::

        C_t = sigmoid(f + forget_bias) . C_{t-1} + sigmoid(i) . tanh(g)
        H_t = sigmoid(o) . tanh(C_t)

    The TMU authors' release uses this cell for its sources without a norm
    and without a forget bias (``norm=False, forget_bias=0``).

    Args:
        in_channels (int): channels of the input X_t.
        hidden_channels (int): channels of H and C.
        filter_size (int): odd kernel size of the convolution.
        norm (bool): layer-normalise the convolution's output (per sample
            over C, H, W; per-channel affine). Defaults to True.
        forget_bias (float): added to the forget gate before the sigmoid.
            Defaults to 0.0.
        gate_channels (int): extra output channels of the convolution,
            returned by :meth:`gates` after the four LSTM gates (0 here;
            cells that add gates, such as TMU's, build on this).
            Defaults to 0.
    """

    def __init__(self,
                 in_channels,
                 hidden_channels,
                 filter_size,
                 norm=True,
                 forget_bias=0.0,
                 gate_channels=0):
        super().__init__()
        if filter_size % 2 != 1:
            raise ValueError(f'filter_size must be odd (same padding), got '
                             f'{filter_size}')
        self.in_channels = in_channels
        self.hidden_channels = hidden_channels
        self.forget_bias = forget_bias
        self.conv = _conv(in_channels + hidden_channels,
                          4 * hidden_channels + gate_channels, filter_size,
                          norm)

    def gates(self, x, h):
        """The pre-activation gates: a list ``[i, f, o, g, extra]``, each
        (N, C_hid, H, W) but ``extra`` (N, gate_channels, H, W)."""
        out = self.conv(torch.cat([x, h], dim=1))
        nh = self.hidden_channels
        return list(
            torch.split(out, [nh, nh, nh, nh, out.shape[1] - 4 * nh], dim=1))

    def forward(self, x, h, c):
        """One time step.

        Args:
            x (torch.Tensor): (N, C_in, H, W) input.
            h (torch.Tensor): (N, C_hid, H, W) previous hidden state.
            c (torch.Tensor): (N, C_hid, H, W) previous memory.

        Returns:
            tuple[torch.Tensor, torch.Tensor]: new (H_t, C_t).
        """
        i, f, o, g, _ = self.gates(x, h)
        c_new = torch.sigmoid(f + self.forget_bias) * c + \
            torch.sigmoid(i) * torch.tanh(g)
        h_new = torch.sigmoid(o) * torch.tanh(c_new)
        return h_new, c_new


__all__ = ['ConvLSTMCell']
