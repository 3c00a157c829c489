"""SKD's map regression loss: mean squared error between saliency maps.

Li, Fu, Zhao, Ge, *Spatiotemporal Knowledge Distillation for Efficient
Estimation of Aerial Video Saliency*, IEEE TIP 29, 2020 (arXiv 1904.04992).
Stage 1 trains each student with L = ρ·MSE(Ŝ, T) + MSE(Ŝ, G): its teacher's
map T and the ground truth G (ρ = 1, the form of the same group's UVA-Net
release; the SKD code is not public). This loss is either term.
"""
from mmrazor.registry import MODELS
from torch import Tensor

from .skd_saliency_map_loss import SKDSaliencyMapLoss


@MODELS.register_module()
class SKDSaliencyMSELoss(SKDSaliencyMapLoss):
    """Mean squared error between a predicted and a target saliency map.

    The target map is resized (bilinear) to the prediction's size, so a
    teacher's coarse map or a full-resolution ground truth can be the
    target of a low-resolution student.

    Args:
        pred_activation (str): what turns ``preds_S`` into a map:
            ``'sigmoid'`` (logits, default) or ``'none'``.
        target_activation (str): the same for ``preds_T``: ``'none'`` for a
            ground-truth map (default), ``'sigmoid'`` for a teacher's
            logits.
        loss_weight (float): scale of the loss (ρ for the teacher term).
            Defaults to 1.0.
        loss_name (str): key of the loss in a model's loss dict. Defaults
            to ``'loss_mse'``.
    """

    def __init__(self,
                 pred_activation: str = 'sigmoid',
                 target_activation: str = 'none',
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_mse'):
        super().__init__(pred_activation, target_activation, loss_weight,
                         loss_name)

    def forward(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """MSE over all pixels of the batch.

        Args:
            preds_S (Tensor): predicted logits or map, (N, 1, H, W).
            preds_T (Tensor): target logits or map, (N, 1, H', W').
        """
        pred, target = self.maps(preds_S, preds_T)
        return self.loss_weight * (pred - target).pow(2).mean()
