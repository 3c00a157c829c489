"""Compose views: apply several in order (e.g. frames, then resolution)."""
from typing import Any, Optional, Sequence, Tuple

from mmrazor.registry import TASK_UTILS
from torch import Tensor

from .base_view import BaseView, Batch, ViewError, build_view


@TASK_UTILS.register_module()
class ComposeView(BaseView):
    """Several views applied one after the other.

    Args:
        views (list[dict | BaseView]): views in the order they apply, e.g.
            a ``FrameView`` then a ``ResolutionView``.

    Example:
        >>> view = dict(type='ComposeView', views=[
        ...     dict(type='FrameView', frames=0),
        ...     dict(type='ResolutionView', scale_factor=0.5)])
    """

    def __init__(self, views: Sequence):
        if not isinstance(views, (list, tuple)) or not views:
            raise ViewError('ComposeView needs a non-empty list of views, '
                            f'got {views!r}.')
        self.views = [build_view(v) for v in views]
        if any(v is None for v in self.views):
            raise ViewError('ComposeView: None is not a view; leave it out.')

    def __repr__(self):
        return f'ComposeView({self.views!r})'

    def out_shape(self, shape: Sequence[int]) -> Tuple[int, ...]:
        for view in self.views:
            shape = view.out_shape(shape)
        return tuple(shape)

    def __call__(self,
                 inputs: Tensor,
                 data_samples: Optional[Sequence[Any]] = None) -> Batch:
        for view in self.views:
            inputs, data_samples = view(inputs, data_samples)
        return inputs, data_samples
