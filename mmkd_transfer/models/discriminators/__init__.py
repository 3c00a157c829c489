"""Discriminators registered in ``mmrazor.registry.MODELS`` (adversarial
distillation; they train in their own optimizer and are not part of the
exported student)."""
from .base_discriminator import BaseFeatureDiscriminator
from .feature_map_discriminator import FeatureMapDiscriminator
from .pooled_feature_discriminator import PooledFeatureDiscriminator

__all__ = [
    'BaseFeatureDiscriminator', 'FeatureMapDiscriminator',
    'PooledFeatureDiscriminator'
]
