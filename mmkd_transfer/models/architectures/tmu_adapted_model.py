"""Install a TMUFeatureAdapter into any OpenMMLab model after a module."""
from typing import Optional, Sequence, Union

import torch
from mmrazor.registry import MODELS
from torch import nn

from ..utils.shape_inference import eval_mode

#: attribute of the model that holds the adapter (its state-dict prefix)
ADAPTER_NAME = 'tmu_adapter'


def _output_channels(model: nn.Module, module: nn.Module, after: str,
                     input_shape: Sequence[int]) -> int:
    """Channels of ``module``'s output in one dry forward of ``model`` on
    zeros of ``(2, *input_shape)`` (eval mode, no grad, random state kept)."""
    found = []
    handle = module.register_forward_hook(
        lambda _m, _i, out: found.append(out))
    try:
        with torch.no_grad(), torch.random.fork_rng(), eval_mode(model):
            model(torch.zeros(2, *input_shape), None, mode='tensor')
    finally:
        handle.remove()
    if not found or not isinstance(found[0], torch.Tensor) or \
            found[0].dim() != 4:
        got = type(found[0]).__name__ if found else 'nothing (not called)'
        raise ValueError(
            f'TMUAdaptedModel: {after!r} returned {got} in a dry forward; '
            "the adapter follows a module that returns one (N, C, H, W) "
            "map, e.g. after='backbone.layer2'.")
    return int(found[0].shape[1])


@MODELS.register_module(name='TMUAdaptedModel')
def build_tmu_adapted_model(
        model: Union[dict, nn.Module],
        after: str,
        adapter: dict,
        input_shape: Optional[Sequence[int]] = None,
        data_preprocessor: Optional[dict] = None) -> nn.Module:
    """Build ``model`` and insert a TMU feature adapter after one module.

    The model keeps its own class (an mmpretrain ``ImageClassifier``, an
    mmseg ``EncoderDecoder``, an mmdet ``RetinaNet``, ...): the adapter
    becomes its submodule ``tmu_adapter`` and a forward hook on the module
    named ``after`` replaces that module's output by the adapted map. So
    the same config dict serves training (as the ``architecture`` of
    ``MultiTeacherDistill``) and deployment (the exported student: its
    state dict is the model's plus ``tmu_adapter.*``, and it runs without
    any source).

    Args:
        model (dict | nn.Module): the model config (with its ``_scope_``,
            e.g. ``'mmpretrain'``) or a built model.
        after (str): name of the module whose output is adapted, as in
            ``model.named_modules()``, e.g. ``'backbone.layer2'``. It must
            return one (N, C, H, W) tensor.
        adapter (dict): ``TMUFeatureAdapter`` arguments (``type`` may be
            left out), e.g. ``dict(source_channels=[64, 64])``. Without
            ``in_channels`` it is sized from a dry forward at
            ``input_shape``.
        input_shape (Sequence[int], optional): (C, H, W) of one input of
            the model, for that dry forward. Defaults to None.

    Returns:
        nn.Module: ``model``, with the adapter installed.

    Example:
        >>> student = dict(
        ...     type='mmrazor.TMUAdaptedModel', model=resnet_classifier,
        ...     after='backbone.layer2', input_shape=(3, 4, 4),
        ...     adapter=dict(source_channels=[64, 64]))
    """
    if not isinstance(model, nn.Module):
        model = dict(model)
        if data_preprocessor is not None:
            model.setdefault('data_preprocessor', data_preprocessor)
        model = MODELS.build(model)
    modules = dict(model.named_modules())
    if after not in modules or not after:
        stages = [n for n in modules if n.count('.') == 1][:8]
        raise ValueError(f'TMUAdaptedModel: after={after!r} names no module '
                         f'of {type(model).__name__}; e.g. {stages}.')
    if hasattr(model, ADAPTER_NAME):
        raise ValueError(f'TMUAdaptedModel: {type(model).__name__} already '
                         f'has a {ADAPTER_NAME!r}; install one adapter.')
    adapter = dict(adapter)
    adapter.setdefault('type', 'TMUFeatureAdapter')
    # built from the model's config scope (mmpretrain, mmseg, mmdet) too
    adapter.setdefault('_scope_', 'mmrazor')
    if adapter.get('in_channels') is None:
        if input_shape is None:
            raise ValueError(
                'TMUAdaptedModel: give the adapter its in_channels, or '
                'input_shape=(C, H, W) to size it from a dry forward.')
        adapter['in_channels'] = _output_channels(model, modules[after], after,
                                                  tuple(input_shape))
    built = MODELS.build(adapter)
    model.add_module(ADAPTER_NAME, built)
    # a bound method: copies of the model (deepcopy) hook their own copy
    modules[after].register_forward_hook(built.stage_hook)
    return model


__all__ = ['ADAPTER_NAME', 'build_tmu_adapted_model']
