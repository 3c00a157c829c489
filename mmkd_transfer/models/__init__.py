"""Algorithms, distillers, connectors, recorders, losses and
discriminators."""
from .algorithms import MultiTeacherDistill, TMUTransferDistill
from .connectors import ResizeProjectConnector
from .discriminators import FeatureMapDiscriminator, PooledFeatureDiscriminator
from .distillers import ShapeInferringDistiller
from .losses import (AFDAttention, AFDLoss, LabelledCrossEntropyLoss,
                     TMUMemoryLoss)
from .predictors import ConvLSTMPredictor, PredRNNPredictor, TMUPredictor
from .recorders import ModuleListOutputsRecorder, StepMemoriesRecorder

__all__ = [
    'MultiTeacherDistill', 'ResizeProjectConnector', 'ShapeInferringDistiller',
    'AFDAttention', 'AFDLoss', 'LabelledCrossEntropyLoss',
    'ModuleListOutputsRecorder', 'FeatureMapDiscriminator',
    'PooledFeatureDiscriminator', 'ConvLSTMPredictor', 'PredRNNPredictor',
    'TMUPredictor', 'TMUTransferDistill', 'TMUMemoryLoss',
    'StepMemoriesRecorder'
]
