"""Algorithms registered in ``mmrazor.registry.MODELS``."""
from .adversarial_multi_teacher_distill import AdversarialMultiTeacherDistill
from .multi_teacher_distill import MultiTeacherDistill
from .tmu_transfer_distill import TMUTransferDistill

__all__ = [
    'AdversarialMultiTeacherDistill', 'MultiTeacherDistill',
    'TMUTransferDistill'
]
