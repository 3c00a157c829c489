"""Algorithms, distillers, connectors, recorders, losses, discriminators,
video predictors, saliency models, model wrappers and modules that stay in
the student (architectures)."""
from .algorithms import MultiTeacherDistill, TMUTransferDistill
from .architectures import TMUFeatureAdapter
from .connectors import ResizeProjectConnector
from .discriminators import FeatureMapDiscriminator, PooledFeatureDiscriminator
from .distillers import ShapeInferringDistiller
from .losses import (AFDAttention, AFDLoss, LabelledCrossEntropyLoss,
                     TMUMemoryLoss)
from .predictors import ConvLSTMPredictor, PredRNNPredictor, TMUPredictor
from .recorders import ModuleListOutputsRecorder, StepMemoriesRecorder
from .saliency import (SaliencyClipDataPreprocessor, SKDSaliencyModel,
                       SKDSpatioTemporalModel)
from .wrappers import SelfSyncedDataParallel

__all__ = [
    'MultiTeacherDistill', 'ResizeProjectConnector', 'ShapeInferringDistiller',
    'AFDAttention', 'AFDLoss', 'LabelledCrossEntropyLoss',
    'ModuleListOutputsRecorder', 'FeatureMapDiscriminator',
    'PooledFeatureDiscriminator', 'ConvLSTMPredictor', 'PredRNNPredictor',
    'TMUPredictor', 'TMUTransferDistill', 'TMUMemoryLoss',
    'StepMemoriesRecorder', 'TMUFeatureAdapter',
    'SaliencyClipDataPreprocessor', 'SKDSaliencyModel',
    'SKDSpatioTemporalModel', 'SelfSyncedDataParallel'
]
