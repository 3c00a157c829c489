"""Recurrent video predictors (ConvLSTM, PredRNN, TMU target), their cells,
patch reshaping, scheduled sampling and data preprocessor."""
from .conv_lstm_cell import ConvLSTMCell
from .conv_lstm_predictor import ConvLSTMPredictor
from .patch_reshape import reshape_patch, reshape_patch_back
from .predrnn_predictor import PredRNNPredictor
from .recurrent_predictor import RecurrentPredictor
from .scheduled_sampling import sampling_mask, sampling_ratio
from .st_lstm_cell import SpatioTemporalLSTMCell
from .tmu_cell import TMUCell
from .tmu_predictor import TMUPredictor
from .video_data_preprocessor import VideoPredictionDataPreprocessor

__all__ = [
    'ConvLSTMCell', 'ConvLSTMPredictor', 'PredRNNPredictor',
    'RecurrentPredictor', 'SpatioTemporalLSTMCell', 'TMUCell', 'TMUPredictor',
    'VideoPredictionDataPreprocessor', 'reshape_patch', 'reshape_patch_back',
    'sampling_mask', 'sampling_ratio'
]
