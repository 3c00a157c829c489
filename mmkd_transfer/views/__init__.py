"""Views: how each model of a distillation sees the preprocessed batch.

Every view is registered in ``mmrazor.registry.TASK_UTILS`` and is built
from a config dict with :func:`build_view`.
"""
from .base_view import BaseView, ViewError, apply_view, build_view
from .compose_view import ComposeView
from .frame_view import FrameView
from .resolution_view import ResolutionView

__all__ = [
    'BaseView', 'ViewError', 'apply_view', 'build_view', 'ComposeView',
    'FrameView', 'ResolutionView'
]
