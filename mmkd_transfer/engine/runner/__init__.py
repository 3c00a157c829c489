"""Loops registered in ``mmrazor.registry.LOOPS``."""
from .multi_teacher_val_loop import MultiTeacherValLoop

__all__ = ['MultiTeacherValLoop']
