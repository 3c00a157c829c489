"""Losses: distillation losses in ``mmrazor.registry.MODELS``, task losses
in their task's registry (``LabelledCrossEntropyLoss``: mmpretrain)."""
from .afd_attention import AFDAttention
from .afd_loss import AFDLoss
from .labelled_cross_entropy_loss import LabelledCrossEntropyLoss

__all__ = ['AFDAttention', 'AFDLoss', 'LabelledCrossEntropyLoss']
