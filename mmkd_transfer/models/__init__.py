"""Algorithms, distillers, connectors, recorders and losses."""
from .algorithms import MultiTeacherDistill
from .connectors import ResizeProjectConnector
from .distillers import ShapeInferringDistiller
from .losses import AFDAttention, AFDLoss, LabelledCrossEntropyLoss
from .recorders import ModuleListOutputsRecorder

__all__ = [
    'MultiTeacherDistill', 'ResizeProjectConnector', 'ShapeInferringDistiller',
    'AFDAttention', 'AFDLoss', 'LabelledCrossEntropyLoss',
    'ModuleListOutputsRecorder'
]
