"""Hooks and loops."""
from .hooks import AFDAttentionHook
from .runner import MultiTeacherValLoop

__all__ = ['AFDAttentionHook', 'MultiTeacherValLoop']
