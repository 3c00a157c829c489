"""Distillers registered in ``mmrazor.registry.MODELS``."""
from .shape_inferring_distiller import ShapeInferringDistiller

__all__ = ['ShapeInferringDistiller']
