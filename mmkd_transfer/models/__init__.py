"""Algorithms, distillers, connectors, recorders, losses, discriminators
and model wrappers."""
from .algorithms import MultiTeacherDistill
from .connectors import ResizeProjectConnector
from .discriminators import FeatureMapDiscriminator, PooledFeatureDiscriminator
from .distillers import ShapeInferringDistiller
from .losses import AFDAttention, AFDLoss, LabelledCrossEntropyLoss
from .predictors import ConvLSTMPredictor, PredRNNPredictor, TMUPredictor
from .recorders import ModuleListOutputsRecorder
from .wrappers import SelfSyncedDataParallel

__all__ = [
    'MultiTeacherDistill', 'ResizeProjectConnector', 'ShapeInferringDistiller',
    'AFDAttention', 'AFDLoss', 'LabelledCrossEntropyLoss',
    'ModuleListOutputsRecorder', 'FeatureMapDiscriminator',
    'PooledFeatureDiscriminator', 'ConvLSTMPredictor', 'PredRNNPredictor',
    'TMUPredictor', 'SelfSyncedDataParallel'
]
