"""A model wrapper for algorithms that average their own gradients."""
from typing import Dict, Union

import torch
from mmengine import dist
from mmengine.optim import OptimWrapperDict
from mmrazor.registry import MODEL_WRAPPERS
from torch import nn


@MODEL_WRAPPERS.register_module()
class SelfSyncedDataParallel(nn.Module):
    """Data-parallel training of an algorithm whose ``train_step`` steps
    several optimizers and averages each one's gradients over the ranks
    itself (:class:`AdversarialMultiTeacherDistill` through
    :func:`mmkd_transfer.models.utils.gradient_averaging.average_gradients`).

    Why not mmengine's wrappers: ``MMDistributedDataParallel`` replaces the
    algorithm's ``train_step`` by one forward and one optimizer step, and
    ``MMSeparateDistributedDataParallel`` wraps every child (student,
    distiller, discriminator) in its own DDP, which hides the distiller's
    methods (record lookup) and only averages gradients of backward passes
    that start from a wrapped ``forward``: the connectors run inside the
    distiller's loss computation, and the discriminator runs twice (teacher
    and student embeddings) before one backward.

    This wrapper wraps nothing: at construction every rank receives rank
    0's parameters and buffers (as DDP does), then ``train_step``,
    ``val_step`` and ``test_step`` are the algorithm's own. Buffers (BN
    statistics) are not synchronised afterwards, as with mmengine's default
    ``broadcast_buffers=False``.

    Use it with ``model_wrapper_cfg = dict(type=
    'mmrazor.SelfSyncedDataParallel')`` in the config; the runner builds it
    when it trains distributed.

    Args:
        module (nn.Module): the algorithm, already on its device.
        **kwargs: DDP arguments the runner may pass (``device_ids``,
            ``broadcast_buffers``, ``find_unused_parameters``...); they do
            not apply and are ignored.
    """

    def __init__(self, module: nn.Module, **kwargs) -> None:
        super().__init__()
        if not getattr(module, 'averages_own_gradients', False):
            raise TypeError(
                f'SelfSyncedDataParallel wraps algorithms that average their '
                f'own gradients; {type(module).__name__} does not: remove '
                'model_wrapper_cfg to train it with mmengine\'s DDP.')
        self.module = module
        with torch.no_grad():
            for tensor in list(module.parameters()) + list(module.buffers()):
                dist.broadcast(tensor.data, src=0)

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """The algorithm's own training step (gradients averaged inside)."""
        return self.module.train_step(data, optim_wrapper)

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        """The algorithm's predictions on a validation batch."""
        return self.module.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> list:
        """The algorithm's predictions on a test batch."""
        return self.module.test_step(data)
