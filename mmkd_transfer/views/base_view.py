"""The view interface and its builder."""
from typing import Any, List, Optional, Sequence, Tuple

from torch import Tensor

Batch = Tuple[Tensor, Optional[List[Any]]]


class ViewError(ValueError):
    """A view that cannot apply to a batch; the message names the fix."""


class BaseView:
    """How one model sees a preprocessed batch.

    A view maps ``(inputs, data_samples)`` (the output of the algorithm's
    data preprocessor) to what one model expects. It never changes its
    arguments in place: the teachers and the student share the batch, so a
    view returns new tensors and, where it has to change them, copies of the
    data samples (shallow: unchanged fields are shared, not duplicated).

    Subclasses implement :meth:`__call__` and :meth:`out_shape`.
    """

    def __call__(self,
                 inputs: Tensor,
                 data_samples: Optional[Sequence[Any]] = None) -> Batch:
        raise NotImplementedError

    def out_shape(self, shape: Sequence[int]) -> Tuple[int, ...]:
        """Shape of the viewed batch for an input batch of ``shape``.

        Raises :class:`ViewError` for a batch the view cannot apply to (an
        image left smaller than 1 pixel, a frame outside the clip), so a
        config can be checked before any data is loaded.
        """
        raise NotImplementedError


def build_view(cfg) -> Optional[BaseView]:
    """A view from a config dict (``TASK_UTILS``), a view, or None.

    None means the identity: the model sees the preprocessed batch as it is.
    A list of configs is composed in order (``ComposeView``).
    """
    if cfg is None or isinstance(cfg, BaseView):
        return cfg
    if isinstance(cfg, (list, tuple)):
        cfg = dict(type='ComposeView', views=list(cfg))
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise ViewError(
            f'a view must be None, a BaseView or a config dict with "type" '
            f'(e.g. dict(type="ResolutionView", scale_factor=0.25)), got '
            f'{cfg!r}.')
    from mmrazor.registry import TASK_UTILS

    # views live in mmrazor's registry, whatever the runner's default scope
    # (mmdet, mmseg, ...) is
    cfg = dict(cfg)
    cfg.setdefault('_scope_', 'mmrazor')
    view = TASK_UTILS.build(cfg)
    if not isinstance(view, BaseView):
        raise ViewError(f'{cfg["type"]!r} built a {type(view).__name__}, '
                        'not a view (a subclass of BaseView).')
    return view


def apply_view(view: Optional[BaseView], inputs: Tensor,
               data_samples: Optional[Sequence[Any]]) -> Batch:
    """``view(inputs, data_samples)``, or the batch itself for no view."""
    if view is None:
        return inputs, data_samples
    return view(inputs, data_samples)
