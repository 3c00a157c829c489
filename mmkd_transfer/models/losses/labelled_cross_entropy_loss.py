"""Cross-entropy over the labelled samples of a partly labelled batch."""
import torch.nn.functional as F
from mmpretrain.registry import MODELS as MMPRETRAIN_MODELS
from torch import nn

from mmkd_transfer.structures import UNLABELLED


def labelled_cross_entropy(cls_score, label, ignore_label=UNLABELLED):
    """Mean cross-entropy over samples whose label is not ``ignore_label``.

    Args:
        cls_score (Tensor): (N, C) logits.
        label (Tensor): (N,) class indices; ``ignore_label`` marks samples
            without a label.

    Returns:
        Tensor: scalar; 0 (with a gradient path) when nothing is labelled.
    """
    labelled = label != ignore_label
    if not labelled.any():
        return cls_score.sum() * 0.
    return F.cross_entropy(cls_score[labelled], label[labelled])


@MMPRETRAIN_MODELS.register_module()
class LabelledCrossEntropyLoss(nn.Module):
    """Cross-entropy that ignores unlabelled samples (label ``-1``).

    Used by the embedded few-label transfer benchmark: unlabelled target
    samples carry no task loss but still receive distillation losses. Drop-in
    for mmpretrain's ``CrossEntropyLoss`` in a ``ClsHead``.

    Args:
        loss_weight (float): multiplier of the loss. Defaults to 1.0.
        ignore_label (int): the label of unlabelled samples. Defaults to -1.
    """

    def __init__(self, loss_weight=1.0, ignore_label=UNLABELLED):
        super().__init__()
        self.loss_weight = loss_weight
        self.ignore_label = ignore_label

    def forward(self,
                cls_score,
                label,
                weight=None,
                avg_factor=None,
                reduction_override=None,
                **kwargs):
        """(N, C) logits and (N,) labels -> scalar loss."""
        if label.dim() != 1:
            raise ValueError('LabelledCrossEntropyLoss needs hard labels of '
                             f'shape (N,), got {tuple(label.shape)}; do not '
                             'combine it with mixup/cutmix.')
        return self.loss_weight * labelled_cross_entropy(
            cls_score, label.long(), self.ignore_label)
