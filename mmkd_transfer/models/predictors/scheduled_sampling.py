"""Scheduled sampling: how often a predictor sees the true frame instead of
its own prediction while it is trained.

At training iteration ``i`` each predicted step (except the last, whose
output is never fed back) of each clip is fed the ground-truth frame with
probability ``ratio(i) = max(start - step * i, 0)`` and the predictor's own
previous output otherwise. The mask depends only on ``(seed, iteration)``,
so a target and its frozen sources built from the same arguments draw the
same mask without sharing a random state.
"""
import numpy as np
import torch


def sampling_ratio(iteration, start=1.0, step=2e-5):
    """Probability of feeding the true frame at a training iteration.

    Args:
        iteration (int): 0-based training iteration.
        start (float): ratio at iteration 0. Defaults to 1.0.
        step (float): decrease per iteration. Defaults to 2e-5 (PredRNN's
            release: 1.0 -> 0 over 50k iterations).

    Returns:
        float: ``max(start - step * iteration, 0)``.
    """
    if iteration < 0:
        raise ValueError(f'iteration must be >= 0, got {iteration}')
    if not 0 <= start <= 1 or step < 0:
        raise ValueError(f'need 0 <= start <= 1 and step >= 0, got '
                         f'start={start}, step={step}')
    return max(start - step * iteration, 0.0)


def sampling_mask(iteration,
                  batch_size,
                  pred_frames,
                  start=1.0,
                  step=2e-5,
                  seed=0,
                  device=None):
    """The scheduled-sampling mask of one training iteration.

    Args:
        iteration (int): 0-based training iteration.
        batch_size (int): clips in the batch (N).
        pred_frames (int): predicted frames per clip (P).
        start (float): ratio at iteration 0. Defaults to 1.0.
        step (float): decrease per iteration. Defaults to 2e-5.
        seed (int): base seed; the mask is a pure function of
            ``(seed, iteration)``. Defaults to 0.
        device (torch.device | str | None): where to put it.

    Returns:
        torch.Tensor: (N, P - 1) float, 1.0 where the true frame is fed.
    """
    ratio = sampling_ratio(iteration, start, step)
    rng = np.random.default_rng([seed, iteration])
    draws = rng.random((batch_size, max(pred_frames - 1, 0)))
    return torch.as_tensor(draws < ratio, dtype=torch.float32, device=device)


__all__ = ['sampling_ratio', 'sampling_mask']
