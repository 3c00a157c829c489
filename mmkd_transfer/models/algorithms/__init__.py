"""Algorithms registered in ``mmrazor.registry.MODELS``."""
from .multi_teacher_distill import MultiTeacherDistill

__all__ = ['MultiTeacherDistill']
