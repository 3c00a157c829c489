"""Base class of the feature discriminators: sized from the input's width,
at build time."""
from typing import Optional, Sequence

from mmengine.model import BaseModule
from torch import Tensor


class BaseFeatureDiscriminator(BaseModule):
    """A discriminator that maps features to one real/fake logit per sample.

    The input width is given as ``in_channels`` or, when None, set before
    the optimizer is built by :meth:`build_from_shapes` with the shape of
    what :meth:`forward` will receive (e.g. from the algorithm's dry run).
    Subclasses create their layers in :meth:`_build` and define
    :attr:`input_dims`, the accepted numbers of dimensions.

    Args:
        in_channels (int, optional): C of the input (N, C) / (N, C, H, W).
            Defaults to None: sized by :meth:`build_from_shapes`.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    input_dims: Sequence[int] = ()

    def __init__(self,
                 in_channels: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.in_channels: Optional[int] = None
        if in_channels is not None:
            self._set_channels(in_channels)

    @property
    def is_built(self) -> bool:
        return self.in_channels is not None

    def _set_channels(self, in_channels: int) -> None:
        if not isinstance(in_channels, int) or in_channels < 1:
            raise ValueError(f'{type(self).__name__}: in_channels must be a '
                             f'positive int, got {in_channels!r}.')
        self.in_channels = in_channels
        self._build(in_channels)

    def _build(self, in_channels: int) -> None:
        raise NotImplementedError

    def build_from_shapes(self, feature: Sequence[int]) -> None:
        """Create the layers for inputs of shape ``feature`` ((N, C) or
        (N, C, H, W), as :attr:`input_dims` allows). Again with the same C:
        nothing happens; with another C: an error."""
        shape = tuple(feature)
        if len(shape) not in self.input_dims:
            raise ValueError(
                f'{type(self).__name__} takes inputs with '
                f'{" or ".join(map(str, self.input_dims))} dimensions, got '
                f'shape {shape}.')
        if self.is_built:
            if shape[1] != self.in_channels:
                raise RuntimeError(
                    f'{type(self).__name__} is already built for '
                    f'{self.in_channels} channels; refusing to rebuild for '
                    f'{shape[1]} (the optimizer may hold the old '
                    'parameters).')
            return
        self._set_channels(int(shape[1]))

    def check_input(self, feature: Tensor) -> None:
        """A one-line error for an input D was not built for."""
        if not self.is_built:
            raise RuntimeError(
                f'{type(self).__name__} used before it was sized: give '
                'in_channels or call build_from_shapes() before the '
                'optimizer is built.')
        if feature.dim() not in self.input_dims or \
                feature.size(1) != self.in_channels:
            raise ValueError(
                f'{type(self).__name__} is built for (N, {self.in_channels}'
                f'{", H, W" if 4 in self.input_dims else ""}) inputs, got '
                f'{tuple(feature.shape)}.')
