"""Connectors registered in ``mmrazor.registry.MODELS``."""
from .resize_project_connector import ResizeProjectConnector

__all__ = ['ResizeProjectConnector']
