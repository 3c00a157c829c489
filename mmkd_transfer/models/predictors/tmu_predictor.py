"""A ConvLSTM predictor whose first cell is a TMU cell: the target of TMU."""
import torch.nn as nn
from mmrazor.registry import MODELS

from .conv_lstm_cell import ConvLSTMCell
from .conv_lstm_predictor import ConvLSTMPredictor
from .tmu_cell import TMUCell


@MODELS.register_module()
class TMUPredictor(ConvLSTMPredictor):
    """Stacked ConvLSTM with a :class:`TMUCell` as layer 0.

    The distilled memory of source m at every step is the output of module
    ``cells.0.distillers.<m>`` (one call per step, so a module-outputs
    recorder on it yields ``input_frames + pred_frames - 1`` records per
    forward). With ``num_sources=0`` the model has the parameters and
    outputs of a :class:`ConvLSTMPredictor` of the same size, so either can
    load the other's weights (the distillers and source gates aside).

    Args:
        num_sources (int): M, the number of sources. Defaults to 0.
        memory_mix (str): ``'mean'`` (ours) or ``'sum'`` (the paper's);
            see :class:`TMUCell`. Defaults to ``'mean'``.
        **kwargs: arguments of :class:`RecurrentPredictor`.
    """

    def __init__(self, num_sources=0, memory_mix='mean', **kwargs):
        # read by build_cells, which the parent's __init__ calls
        self._num_sources = num_sources
        self._memory_mix = memory_mix
        super().__init__(**kwargs)
        self.num_sources = num_sources
        self.memory_mix = memory_mix

    def build_cells(self):
        cells = []
        in_channels = self.frame_channels
        for layer, hidden in enumerate(self.hidden_channels):
            if layer == 0:
                cell = TMUCell(
                    in_channels,
                    hidden,
                    self.filter_size,
                    num_sources=self._num_sources,
                    norm=self.norm,
                    memory_mix=self._memory_mix)
            else:
                cell = ConvLSTMCell(in_channels, hidden, self.filter_size,
                                    self.norm)
            cells.append(cell)
            in_channels = hidden
        return nn.ModuleList(cells)


__all__ = ['TMUPredictor']
