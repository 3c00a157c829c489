"""Hooks registered in ``mmrazor.registry.HOOKS``."""
from .afd_attention_hook import AFDAttentionHook
from .finite_loss_hook import FiniteLossHook
from .saliency_overlay_hook import SaliencyOverlayHook

__all__ = ['AFDAttentionHook', 'FiniteLossHook']
__all__ += ['SaliencyOverlayHook']
