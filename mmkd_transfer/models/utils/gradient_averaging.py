"""Average the gradients of one optimizer over the ranks of a process group.

Data-parallel training for algorithms that run several optimizer steps per
iteration from their own backward passes (a discriminator step, then a
student step), where torch's DDP cannot follow: DDP averages gradients
during a backward pass that starts from its own ``forward``, while these
algorithms call submodules (connectors, a discriminator) outside any
wrapped forward, and call one module several times before one backward.
"""
from typing import Dict, List, Sequence, Tuple

import torch
from mmengine import dist
from mmengine.optim import OptimWrapper
from torch import Tensor


def _trainable_params(optim_wrapper: OptimWrapper) -> List[Tensor]:
    return [
        p for group in optim_wrapper.param_groups for p in group['params']
        if p.requires_grad
    ]


def average_gradients(optim_wrapper: OptimWrapper) -> None:
    """Replace each gradient of ``optim_wrapper``'s parameters by its mean
    over the ranks, as DDP does; a no-op in a single process.

    Call it between the backward pass and ``optim_wrapper.step()`` (so that
    gradient clipping sees the averaged gradients, as under DDP). One
    all-reduce per dtype. A parameter without a gradient on some ranks
    counts as a zero gradient there (DDP with ``find_unused_parameters``);
    a parameter without a gradient on every rank keeps ``grad=None`` (the
    optimizer then skips it, as it would in one process). Every rank must
    call this for the same optimizer in the same order.

    Args:
        optim_wrapper (OptimWrapper): the optimizer about to step.
    """
    world_size = dist.get_world_size()
    if world_size == 1:
        return
    by_dtype: Dict[Tuple[torch.dtype, torch.device], List[Tensor]] = {}
    for param in _trainable_params(optim_wrapper):
        by_dtype.setdefault((param.dtype, param.device), []).append(param)
    for (dtype, device), params in by_dtype.items():
        # one flat buffer: every gradient (zeros where missing), then one
        # flag per parameter saying whether this rank had a gradient
        grads = [
            torch.zeros_like(p) if p.grad is None else p.grad for p in params
        ]
        has_grad = torch.tensor([float(p.grad is not None) for p in params],
                                dtype=dtype,
                                device=device)
        flat = torch.cat([g.reshape(-1) for g in grads] + [has_grad])
        dist.all_reduce(flat, op='sum')
        flat.div_(world_size)
        flags = flat[-len(params):]
        offset = 0
        for param, flag in zip(params, flags.tolist()):
            size = param.numel()
            if flag > 0:
                mean = flat[offset:offset + size].view_as(param)
                if param.grad is None:
                    param.grad = mean.clone()
                else:
                    param.grad.copy_(mean)
            offset += size


def update_params_averaged(loss: Tensor,
                           wrappers: Sequence[OptimWrapper]) -> None:
    """One backward pass of ``loss``, then every wrapper steps on its
    gradients averaged over the ranks (a no-op in one process).

    ``OptimWrapper.update_params`` with :func:`average_gradients` inserted
    before the step (and so before gradient clipping, as under DDP).
    Several wrappers must be plain ``OptimWrapper`` s without accumulation:
    one backward, each steps on its own parameters.

    Args:
        loss (Tensor): the scalar loss.
        wrappers (Sequence[OptimWrapper]): the optimizers that step on its
            gradients; the first one runs the backward pass.
    """
    lead = wrappers[0]
    lead.backward(lead.scale_loss(loss))
    if lead.should_update():
        for wrapper in wrappers:
            average_gradients(wrapper)
            wrapper.step()
            wrapper.zero_grad()
