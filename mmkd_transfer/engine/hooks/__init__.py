"""Hooks registered in ``mmrazor.registry.HOOKS``."""
from .afd_attention_hook import AFDAttentionHook

__all__ = ['AFDAttentionHook']
