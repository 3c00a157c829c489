"""KL divergence between two saliency maps seen as distributions.

An option next to SKD's MSE (Li, Fu, Zhao, Ge, IEEE TIP 29, 2020): the
saliency benchmarks score KLD, so a student can be trained on it too. Ours,
not the paper's.
"""
from mmrazor.registry import MODELS
from torch import Tensor

from ..utils.saliency_maps import as_distribution
from .skd_saliency_map_loss import SKDSaliencyMapLoss


@MODELS.register_module()
class SKDSaliencyKLLoss(SKDSaliencyMapLoss):
    """KL(target ‖ prediction) between maps normalised to sum to one.

    Per sample: Σ_x q(x) log(q(x) / p(x)) with q the target and p the
    prediction, each map divided by its sum (``eps`` added first so an
    all-zero map is uniform and the log stays finite); the batch mean.

    Args:
        pred_activation (str): ``'sigmoid'`` (default) or ``'none'``.
        target_activation (str): ``'none'`` (default) or ``'sigmoid'``.
        eps (float): added to every pixel before normalising. Defaults to
            1e-7.
        loss_weight (float): scale of the loss. Defaults to 1.0.
        loss_name (str): key in a model's loss dict. Defaults to
            ``'loss_kl'``.
    """

    def __init__(self,
                 pred_activation: str = 'sigmoid',
                 target_activation: str = 'none',
                 eps: float = 1e-7,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_kl'):
        super().__init__(pred_activation, target_activation, loss_weight,
                         loss_name)
        if not eps > 0:
            raise ValueError(f'eps must be > 0, got {eps!r}.')
        self.eps = eps

    def forward(self, preds_S: Tensor, preds_T: Tensor) -> Tensor:
        """Args: preds_S (N, 1, H, W), preds_T (N, 1, H', W'), resized to
        the prediction's size."""
        pred, target = self.maps(preds_S, preds_T)
        p = as_distribution(pred, self.eps)
        q = as_distribution(target, self.eps)
        kl = (q * (q.log() - p.log())).sum(dim=(1, 2, 3))
        return self.loss_weight * kl.mean()
