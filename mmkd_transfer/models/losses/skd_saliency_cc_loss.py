"""1 − CC: one minus the linear correlation of two saliency maps.

An option next to SKD's MSE (Li, Fu, Zhao, Ge, IEEE TIP 29, 2020): CC is
one of the six saliency scores, and 1 − CC is invariant to the scale and
offset of the prediction. Ours, not the paper's.
"""
from mmrazor.registry import MODELS
from torch import Tensor

from .skd_saliency_map_loss import SKDSaliencyMapLoss


@MODELS.register_module()
class SKDSaliencyCCLoss(SKDSaliencyMapLoss):
    """Batch mean of 1 − CC(prediction, target), in [0, 2].

    CC is Pearson's correlation over the pixels of one sample; ``eps`` in
    the denominator keeps a constant map finite (its CC is 0).

    Args:
        pred_activation (str): ``'sigmoid'`` (default) or ``'none'``.
        target_activation (str): ``'none'`` (default) or ``'sigmoid'``.
        eps (float): added to the product of the standard deviations.
            Defaults to 1e-7.
        loss_weight (float): scale of the loss. Defaults to 1.0.
        loss_name (str): key in a model's loss dict. Defaults to
            ``'loss_cc'``.
    """

    def __init__(self,
                 pred_activation: str = 'sigmoid',
                 target_activation: str = 'none',
                 eps: float = 1e-7,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_cc'):
        super().__init__(pred_activation, target_activation, loss_weight,
                         loss_name)
        self.eps = eps

    def forward(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Args: preds_S (N, 1, H, W), preds_T (N, 1, H', W'), resized to
        the prediction's size."""
        pred, target = self.maps(preds_S, preds_T)
        p = pred.flatten(1) - pred.flatten(1).mean(1, keepdim=True)
        q = target.flatten(1) - target.flatten(1).mean(1, keepdim=True)
        cc = (p * q).mean(1) / (
            p.pow(2).mean(1).sqrt() * q.pow(2).mean(1).sqrt() + self.eps)
        return self.loss_weight * (1 - cc).mean()
