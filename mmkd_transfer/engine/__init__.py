"""Hooks and loops."""
from .hooks import AFDAttentionHook, FiniteLossHook
from .runner import MultiTeacherValLoop

__all__ = ['AFDAttentionHook', 'FiniteLossHook', 'MultiTeacherValLoop']
