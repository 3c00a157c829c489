"""Hooks registered in ``mmrazor.registry.HOOKS``."""
from .afd_attention_hook import AFDAttentionHook
from .finite_loss_hook import FiniteLossHook

__all__ = ['AFDAttentionHook', 'FiniteLossHook']
