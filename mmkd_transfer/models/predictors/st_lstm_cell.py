"""The spatiotemporal LSTM cell of PredRNN (Wang et al., NeurIPS 2017)."""
import torch
import torch.nn as nn

from .conv_lstm_cell import _conv


class SpatioTemporalLSTMCell(nn.Module):
    """One ST-LSTM cell: a temporal memory C (as in ConvLSTM) and a
    spatiotemporal memory M that zigzags through the layers.

    With ``[i, f, g, i', f', g', o_x] = W_x * X_t``,
    ``[i_h, f_h, g_h, o_h] = W_h * H_{t-1}`` and
    ``[i_m, f_m, g_m] = W_m * M`` (``*``: convolution)::

        C_t = sigmoid(f + f_h + b) . C_{t-1}
              + sigmoid(i + i_h) . tanh(g + g_h)
        M_t = sigmoid(f' + f_m + b) . M + sigmoid(i' + i_m) . tanh(g' + g_m)
        o   = sigmoid(o_x + o_h + W_o * [C_t, M_t])
        H_t = o . tanh(W_1x1 * [C_t, M_t])

    where ``b`` is ``forget_bias``.

    Args:
        in_channels (int): channels of the input X_t.
        hidden_channels (int): channels of H, C and M.
        filter_size (int): odd kernel size of the convolutions.
        norm (bool): layer-normalise the W_x, W_h, W_m, W_o outputs.
            Defaults to True.
        forget_bias (float): added to both forget gates. Defaults to 1.0.
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
        nh = hidden_channels
        self.in_channels = in_channels
        self.hidden_channels = nh
        self.forget_bias = forget_bias
        self.conv_x = _conv(in_channels, 7 * nh, filter_size, norm)
        self.conv_h = _conv(nh, 4 * nh, filter_size, norm)
        self.conv_m = _conv(nh, 3 * nh, filter_size, norm)
        self.conv_o = _conv(2 * nh, nh, filter_size, norm)
        self.conv_last = nn.Conv2d(2 * nh, nh, 1, bias=False)

    def forward(self, x, h, c, m):
        """One time step.

        Args:
            x (torch.Tensor): (N, C_in, H, W) input.
            h (torch.Tensor): (N, C_hid, H, W) previous hidden state.
            c (torch.Tensor): (N, C_hid, H, W) previous temporal memory.
            m (torch.Tensor): (N, C_hid, H, W) spatiotemporal memory from
                the layer below (or from the top layer at the previous step).

        Returns:
            tuple[torch.Tensor, torch.Tensor, torch.Tensor]: new
            (H_t, C_t, M_t).
        """
        b = self.forget_bias
        i_x, f_x, g_x, i_xm, f_xm, g_xm, o_x = torch.chunk(
            self.conv_x(x), 7, dim=1)
        i_h, f_h, g_h, o_h = torch.chunk(self.conv_h(h), 4, dim=1)
        i_m, f_m, g_m = torch.chunk(self.conv_m(m), 3, dim=1)

        c_new = torch.sigmoid(f_x + f_h + b) * c + \
            torch.sigmoid(i_x + i_h) * torch.tanh(g_x + g_h)
        m_new = torch.sigmoid(f_xm + f_m + b) * m + \
            torch.sigmoid(i_xm + i_m) * torch.tanh(g_xm + g_m)
        mem = torch.cat([c_new, m_new], dim=1)
        o = torch.sigmoid(o_x + o_h + self.conv_o(mem))
        h_new = o * torch.tanh(self.conv_last(mem))
        return h_new, c_new, m_new


__all__ = ['SpatioTemporalLSTMCell']
