"""Learn the shapes of recorded features with one dry forward.

Methods whose extra modules depend on feature sizes (AFD's meta-network,
connectors, projectors) build them from these shapes when the algorithm is
built, so the optimizer sees every parameter and nobody types channel lists
by hand. One mechanism, shared by every method; the contract modules
follow (``build_from_shapes``, who calls it when, how a connector learns its
target) is written in :mod:`..distillers.shape_inferring_distiller`.

The dry run leaves the model as it was: it runs in eval mode under
``torch.no_grad()`` (so BatchNorm running statistics and every other buffer
are untouched), restores each module's own ``training`` flag afterwards
(not a blanket ``train()``, which would undo e.g. ``norm_eval``), keeps the
random state (CPU, and the model's CUDA device), and clears the recorders it
filled.
"""
from contextlib import contextmanager
from typing import Any, Dict, Iterator, List, Optional

import torch
from torch import Tensor, nn


def tensor_shapes(obj: Any) -> Any:
    """Replace every tensor in a (nested) list/tuple/dict by its shape.

    Tensors become :class:`torch.Size`; lists and tuples become lists;
    dicts keep their keys; anything else is returned unchanged.
    """
    if isinstance(obj, Tensor):
        return obj.shape
    if isinstance(obj, (list, tuple)):
        return [tensor_shapes(o) for o in obj]
    if isinstance(obj, dict):
        return {k: tensor_shapes(v) for k, v in obj.items()}
    return obj


@contextmanager
def eval_mode(*modules: nn.Module) -> Iterator[None]:
    """Put modules in eval mode; restore every submodule's flag on exit."""
    flags = [(m, m.training) for module in modules for m in module.modules()]
    try:
        for module in modules:
            module.eval()
        yield
    finally:
        for m, training in flags:
            m.training = training


def _model_device(model: nn.Module) -> Optional[torch.device]:
    for tensor in [*model.parameters(), *model.buffers()]:
        return tensor.device
    return None


def _clear(recorders) -> None:
    for recorder in recorders.recorders.values():
        recorder.reset_data_buffer()


@contextmanager
def dry_run_records(model: nn.Module,
                    recorders,
                    inputs: Tensor,
                    data_samples: Optional[list] = None,
                    mode: Optional[str] = 'tensor') -> Iterator[Any]:
    """Run one dry forward with ``recorders`` on; yield them while filled.

    Inside the ``with`` block the recorders hold the records of the dry
    forward (read them with ``get_record_data`` or through a distiller's
    ``get_record``); on exit their buffers are cleared.

    Args:
        model (nn.Module): the model the recorders were initialised on.
        recorders (RecorderManager): MMRazor recorder manager, already
            ``initialize``-d on ``model``.
        inputs (Tensor): a dummy batch as the model gets it in training
            (already preprocessed), e.g. ``torch.zeros(1, 3, 32, 32)``; it is
            moved to the model's device.
        data_samples (list, optional): passed on to the forward.
        mode (str, optional): the ``mode`` of an mmengine ``BaseModel``
            forward. Defaults to ``'tensor'``; ``None`` calls
            ``model(inputs)`` (plain ``nn.Module``).
    """
    device = _model_device(model)
    if device is not None:
        inputs = inputs.to(device)
    args = (inputs, ) if mode is None else (inputs, data_samples)
    kwargs = {} if mode is None else dict(mode=mode)
    rng_devices = []
    if device is not None and device.type == 'cuda':
        rng_devices = [
            torch.cuda.current_device()
            if device.index is None else device.index
        ]
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=rng_devices), \
                eval_mode(model):
            with recorders:
                model(*args, **kwargs)
        yield recorders
    finally:
        _clear(recorders)


def infer_record_shapes(
        model: nn.Module,
        recorders,
        inputs: Tensor,
        data_samples: Optional[list] = None,
        mode: Optional[str] = 'tensor') -> Dict[str, List[Any]]:
    """Shapes of everything each recorder records in one dry forward.

    Args: as :func:`dry_run_records`.

    Returns:
        dict: recorder name -> list with one entry per recorded call
        (``record_idx``), each entry the record with tensors replaced by
        :class:`torch.Size` (see :func:`tensor_shapes`). For a
        ``ModuleListOutputs`` recorder on four blocks: ``{'blocks':
        [[Size([1, 16, 32, 32]), ..., Size([1, 64, 8, 8])]]}``.
    """
    with dry_run_records(model, recorders, inputs, data_samples, mode):
        return {
            name: [tensor_shapes(r) for r in recorder.data_buffer]
            for name, recorder in recorders.recorders.items()
        }
