"""Hooks registered in ``mmrazor.registry.HOOKS``."""
from .afd_attention_hook import AFDAttentionHook
from .finite_loss_hook import FiniteLossHook
from .saliency_overlay_hook import SaliencyOverlayHook
from .video_prediction_vis_hook import VideoPredictionVisHook

__all__ = [
    'AFDAttentionHook', 'FiniteLossHook', 'SaliencyOverlayHook',
    'VideoPredictionVisHook'
]
