"""The common part of SKD's saliency-map losses (MSE, CC, KL).

Each compares a predicted map with a target map: both pass the same checks
and activations, and the target is resized to the prediction's size, so the
subclasses only write the score itself.
"""
from typing import Tuple

from torch import Tensor, nn

from ..utils.saliency_maps import (as_map, check_activation, check_map_batch,
                                   resize_map)


class SKDSaliencyMapLoss(nn.Module):
    """Base of the saliency-map losses: activations, weight, name.

    Args:
        pred_activation (str): what turns ``preds_S`` into a map:
            ``'sigmoid'`` (logits) or ``'none'``.
        target_activation (str): the same for ``preds_T``.
        loss_weight (float): scale of the loss.
        loss_name (str): key of the loss in a model's loss dict.
    """

    def __init__(self, pred_activation: str, target_activation: str,
                 loss_weight: float, loss_name: str):
        super().__init__()
        self.pred_activation = check_activation(pred_activation,
                                                'pred_activation')
        self.target_activation = check_activation(target_activation,
                                                  'target_activation')
        self.loss_weight = loss_weight
        self.loss_name = loss_name

    def maps(self, preds_S: Tensor, preds_T: Tensor) -> Tuple[Tensor, Tensor]:
        """The predicted and target maps, both at the prediction's size.

        Args:
            preds_S (Tensor): predicted logits or map, (N, 1, H, W).
            preds_T (Tensor): target logits or map, (N, 1, H', W').

        Returns:
            tuple[Tensor, Tensor]: two (N, 1, H, W) maps.
        """
        pred = as_map(
            check_map_batch(preds_S, 'preds_S'), self.pred_activation)
        target = as_map(
            check_map_batch(preds_T, 'preds_T'), self.target_activation)
        return pred, resize_map(target, pred.shape[-2:])
