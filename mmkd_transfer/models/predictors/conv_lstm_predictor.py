"""A stack of ConvLSTM cells as a video predictor."""
import torch.nn as nn
from mmrazor.registry import MODELS

from .conv_lstm_cell import ConvLSTMCell
from .recurrent_predictor import RecurrentPredictor


@MODELS.register_module()
class ConvLSTMPredictor(RecurrentPredictor):
    """Stacked ConvLSTM: layer 0 reads the (patched) frame, layer l reads
    the hidden state of layer l - 1, a 1x1 conv maps the top hidden state to
    the next frame. Arguments: see :class:`RecurrentPredictor`."""

    def build_cells(self):
        cells = []
        in_channels = self.frame_channels
        for hidden in self.hidden_channels:
            cells.append(
                ConvLSTMCell(in_channels, hidden, self.filter_size, self.norm))
            in_channels = hidden
        return nn.ModuleList(cells)

    def init_states(self, x):
        """Per layer zero (H, C), on the grid of the patched frame ``x``."""
        states = []
        for hidden in self.hidden_channels:
            h = x.new_zeros(x.shape[0], hidden, *x.shape[-2:])
            states.append((h, h.clone()))
        return states

    def step(self, x, states):
        new_states = []
        for cell, (h, c) in zip(self.cells, states):
            h, c = cell(x, h, c)
            new_states.append((h, c))
            x = h
        return x, new_states


__all__ = ['ConvLSTMPredictor']
