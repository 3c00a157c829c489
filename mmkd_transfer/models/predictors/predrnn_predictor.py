"""PredRNN: a stack of spatiotemporal LSTM cells as a video predictor."""
import torch.nn as nn
from mmrazor.registry import MODELS

from .recurrent_predictor import RecurrentPredictor
from .st_lstm_cell import SpatioTemporalLSTMCell


@MODELS.register_module()
class PredRNNPredictor(RecurrentPredictor):
    """Stacked ST-LSTM (Wang et al., NeurIPS 2017). Each layer keeps its own
    temporal memory C; the spatiotemporal memory M goes up the stack within
    a step and from the top layer back to layer 0 at the next step, so all
    layers need the same hidden channels. Arguments: see
    :class:`RecurrentPredictor`."""

    def build_cells(self):
        if len(set(self.hidden_channels)) != 1:
            raise ValueError(f'PredRNN passes M between layers, so all '
                             f'layers need the same hidden channels; got '
                             f'{self.hidden_channels}')
        cells = []
        in_channels = self.frame_channels
        for hidden in self.hidden_channels:
            cells.append(
                SpatioTemporalLSTMCell(in_channels, hidden, self.filter_size,
                                       self.norm))
            in_channels = hidden
        return nn.ModuleList(cells)

    def init_states(self, x):
        """Zero per-layer (H, C) and one zero M."""
        hidden = self.hidden_channels[0]
        zeros = x.new_zeros(x.shape[0], hidden, *x.shape[-2:])
        layers = [(zeros.clone(), zeros.clone()) for _ in self.cells]
        return layers, zeros.clone()

    def step(self, x, states):
        layers, m = states
        new_layers = []
        for cell, (h, c) in zip(self.cells, layers):
            h, c, m = cell(x, h, c, m)
            new_layers.append((h, c))
            x = h
        return x, (new_layers, m)


__all__ = ['PredRNNPredictor']
