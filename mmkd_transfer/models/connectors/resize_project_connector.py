"""Connector that gives a student feature the teacher feature's shape."""
from typing import Optional, Sequence, Tuple

import torch.nn.functional as F
from mmrazor.models.architectures.connectors.base_connector import \
    BaseConnector
from mmrazor.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class ResizeProjectConnector(BaseConnector):
    """Resize a student map to the teacher's size and project its channels.

    For maps, (N, C_s, H_s, W_s) -> (N, C_t, H_t, W_t): a bilinear resize to
    the teacher's (H_t, W_t) when it differs, then a 1x1 convolution when
    C_s != C_t. For vectors, (N, C_s) -> (N, C_t): a Linear layer when the
    widths differ. Identity where the shapes already agree. E.g. an LR
    student matched to an HR teacher (CRKD), or a thin student to a wide one.

    The sizes are not written in the config: a
    :class:`~mmkd_transfer.models.distillers.ShapeInferringDistiller` calls
    :meth:`build_from_shapes` with the shapes of one dry forward when the
    algorithm is built, so the projection is in the optimizer. The target
    size is the teacher's at the algorithm's ``input_shape``.

    Args:
        mode (str): interpolation mode of the resize. Defaults to
            ``'bilinear'``.
        align_corners (bool, optional): as in
            :func:`torch.nn.functional.interpolate`. Defaults to False.
        bias (bool): whether the projection has a bias. Defaults to True.
        init_cfg (dict, optional): mmengine init config. Defaults to None.
    """

    def __init__(self,
                 mode: str = 'bilinear',
                 align_corners: Optional[bool] = False,
                 bias: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.mode = mode
        self.align_corners = align_corners
        self.bias = bias
        self.in_shape: Optional[Tuple[int, ...]] = None
        self.target_shape: Optional[Tuple[int, ...]] = None
        self.register_module('proj', None)

    @property
    def is_built(self) -> bool:
        return self.in_shape is not None

    def build_from_shapes(self, in_shape: Sequence[int],
                          target_shape: Sequence[int]) -> None:
        """Create the projection for features of ``in_shape`` that must come
        out as ``target_shape``; both (N, C, H, W) or both (N, C)."""
        in_shape, target_shape = tuple(in_shape), tuple(target_shape)
        if self.is_built:
            if (in_shape[1:], target_shape[1:]) != (self.in_shape[1:],
                                                    self.target_shape[1:]):
                raise RuntimeError(
                    f'ResizeProjectConnector is already built for '
                    f'{self.in_shape[1:]} -> {self.target_shape[1:]}; '
                    f'refusing to rebuild for {in_shape[1:]} -> '
                    f'{target_shape[1:]} (the optimizer may hold the old '
                    'parameters).')
            return
        if len(in_shape) != len(target_shape) or len(in_shape) not in (2, 4):
            raise ValueError(
                'ResizeProjectConnector maps (N, C, H, W) to (N, C, H, W) or '
                f'(N, C) to (N, C); got {in_shape} -> {target_shape}: record '
                'features of the same kind on both sides.')
        c_in, c_out = in_shape[1], target_shape[1]
        if c_in != c_out:
            self.proj = (
                nn.Conv2d(c_in, c_out, 1, bias=self.bias) if len(in_shape) == 4
                else nn.Linear(c_in, c_out, bias=self.bias))
        self.in_shape, self.target_shape = in_shape, target_shape

    def forward_train(self, feature: Tensor) -> Tensor:
        """(N, C_s, H_s, W_s) -> (N, C_t, H_t, W_t), or (N, C_s) ->
        (N, C_t)."""
        if not self.is_built:
            raise RuntimeError(
                'ResizeProjectConnector used before build_from_shapes(): use '
                "it in a distiller of type='ShapeInferringDistiller' with an "
                'algorithm that runs the build-time dry forward (set the '
                "algorithm's input_shape).")
        if feature.dim() == 4 and tuple(
                feature.shape[2:]) != self.target_shape[2:]:
            feature = F.interpolate(
                feature,
                size=self.target_shape[2:],
                mode=self.mode,
                align_corners=self.align_corners)
        if self.proj is not None:
            feature = self.proj(feature)
        return feature
