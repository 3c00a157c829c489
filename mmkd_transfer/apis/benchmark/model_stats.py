"""Per-model statistics: parameters, FLOPs, batch-1 latency, and the
parameters a method adds beyond its student and teacher(s)."""
import logging
from typing import Any, Dict, List, Optional

import torch
from torch import Tensor, nn

from .algorithm import get_student, get_teachers
from .timing import interleaved_timings, summarize


def count_parameters(module: nn.Module) -> int:
    """Number of parameters (shared ones once): sum of ``numel``."""
    return sum(p.numel() for p in module.parameters())


def model_flops(model: nn.Module, inputs: Tensor) -> Optional[int]:
    """FLOPs of ``model(inputs)`` (mode='tensor') by mmengine's analyzer.

    mmengine (like fvcore) counts one multiply-add as one FLOP.

    Args:
        model (nn.Module): a task model (mmengine ``BaseModel``).
        inputs (Tensor): one preprocessed batch, e.g. (1, C, H, W).

    Returns:
        int | None: FLOPs, or None if the model cannot be traced.
    """
    from mmengine.analysis import get_model_complexity_info
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    was_training = model.training
    model.eval()
    # its per-operator "unsupported" warnings (BN, adds) are expected
    logger.setLevel(logging.ERROR)
    try:
        with torch.no_grad():
            info = get_model_complexity_info(
                model, inputs=(inputs, ), show_table=False, show_arch=False)
        return int(info['flops'])
    except Exception:  # noqa: BLE001  (tracing limits, reported as n/a)
        return None
    finally:
        logger.setLevel(level)
        model.train(was_training)


def model_statistics(
    models: Dict[str, nn.Module],
    inputs: Dict[str, Tensor],
    iters: int,
    warmup: int,
    device: torch.device = torch.device('cpu')
) -> Dict[str, Dict[str, Any]]:
    """Parameters, FLOPs and batch-1 latency of each model on its input.

    Latency: eval mode, ``no_grad``, ``mode='tensor'``, the models
    alternating within each repeat (:func:`interleaved_timings`). Every
    model is left in eval mode: the caller restores its train mode.

    Args:
        models (dict[str, nn.Module]): name -> task model.
        inputs (dict[str, Tensor]): name -> that model's input, (1, ...).
        iters (int): timed repeats.
        warmup (int): untimed repeats first.
        device (torch.device): where the models run.

    Returns:
        dict[str, dict]: name -> ``params``, ``input_shape`` (without the
        batch dimension), ``flops`` (None if untraceable), ``latency_b1``
        (a :func:`summarize` of seconds).
    """
    rows = {
        name:
        dict(
            params=count_parameters(model),
            input_shape=tuple(int(v) for v in inputs[name].shape[1:]),
            flops=model_flops(model, inputs[name]))
        for name, model in models.items()
    }

    def forward_b1(model, one):

        def run():
            with torch.no_grad():
                model(one, mode='tensor')

        return run

    def set_eval():
        for model in models.values():
            model.eval()

    latency = interleaved_timings(
        {
            name: forward_b1(model, inputs[name])
            for name, model in models.items()
        },
        iters,
        warmup,
        device,
        before={name: set_eval
                for name in models})
    for name in models:
        rows[name]['latency_b1'] = summarize(latency[name])
    return rows


def _optimizer_param_ids(optim_wrapper) -> set:
    from mmengine.optim import OptimWrapperDict
    wrappers = (
        optim_wrapper.values()
        if isinstance(optim_wrapper, OptimWrapperDict) else [optim_wrapper])
    return {
        id(p)
        for w in wrappers
        for group in w.optimizer.param_groups
        for p in group['params']
    }


def _extra_group_name(param_name: str) -> str:
    parts = param_name.split('.')
    # distiller.<connectors|distill_losses|...>.<name>: one row per module
    depth = 3 if parts[0] == 'distiller' else 1
    return '.'.join(parts[:min(depth, len(parts) - 1)])


def extra_parameter_groups(algorithm: nn.Module,
                           optim_wrapper=None) -> List[Dict[str, Any]]:
    """Parameters the method adds beyond student and teacher(s), per module.

    Every parameter of ``algorithm`` that is neither the student's nor a
    teacher's: connectors, distillation losses, meta-networks,
    discriminators.

    Args:
        algorithm (nn.Module): the distillation algorithm.
        optim_wrapper (OptimWrapper | OptimWrapperDict, optional): the
            Runner's; fills ``in_optimizer``.

    Returns:
        list[dict]: rows ``module`` (e.g.
        ``distiller.connectors.proj``), ``params``, ``trainable``
        (requires_grad) and ``in_optimizer`` (held by ``optim_wrapper``;
        None without one), all counts of scalars.
    """
    models = dict(get_teachers(algorithm), student=get_student(algorithm))
    owned = {id(p) for model in models.values() for p in model.parameters()}
    in_optim = (
        _optimizer_param_ids(optim_wrapper)
        if optim_wrapper is not None else None)
    rows: Dict[str, Dict[str, Any]] = {}
    for name, param in algorithm.named_parameters():
        if id(param) in owned:
            continue
        row = rows.setdefault(
            _extra_group_name(name),
            dict(
                params=0,
                trainable=0,
                in_optimizer=0 if in_optim is not None else None))
        row['params'] += param.numel()
        row['trainable'] += param.numel() if param.requires_grad else 0
        if in_optim is not None and id(param) in in_optim:
            row['in_optimizer'] += param.numel()
    return [dict(module=k, **v) for k, v in rows.items()]
