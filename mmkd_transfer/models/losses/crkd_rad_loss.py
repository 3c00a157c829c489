"""CRKD's resolution-aware distillation term (L_RAD).

*Resolution-aware Knowledge Distillation for Efficient Inference* (Zhanxiang
Feng, Jianhuang Lai, Xiaohua Xie; IEEE Transactions on Image Processing 30,
2021). The paper's CRKD loss has three terms: resolution-aware distillation
(this file), a pair-wise constraint (:mod:`.crkd_pairwise_loss`) and a
maximum mean discrepancy (:mod:`.crkd_mmd_loss`); an adversarial term
(:mod:`.crkd_adversarial_loss`) closes the feature gap between resolutions.
No code of the authors is public, so the exact form below is ours: the
softened-logit KL of Hinton et al. plus an optional feature term, both
computed after the low-resolution (LR) student's outputs are resized to the
high-resolution (HR) teacher's spatial size.
"""
from typing import Optional

import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import Tensor, nn


def resize_like(student: Tensor, teacher: Tensor) -> Tensor:
    """Bilinearly resize a student map (N, C, h, w) to the teacher's (H, W);
    tensors without spatial dimensions are returned as they are."""
    if student.dim() == 4 and student.shape[2:] != teacher.shape[2:]:
        student = F.interpolate(
            student,
            size=teacher.shape[2:],
            mode='bilinear',
            align_corners=False)
    return student


def soft_logit_kl(s_logits: Tensor, t_logits: Tensor, tau: float) -> Tensor:
    """τ² · KL(σ(p_t/τ) ‖ σ(p_s/τ)), summed over classes, averaged over
    samples (and pixels for dense predictions).

    Args:
        s_logits (Tensor): student logits, (N, K) or (N, K, h, w); a dense
            map is resized to the teacher's (H, W) first.
        t_logits (Tensor): teacher logits, (N, K) or (N, K, H, W).
        tau (float): temperature τ > 0.

    Returns:
        Tensor: scalar.
    """
    s_logits = resize_like(s_logits, t_logits)
    if s_logits.shape != t_logits.shape:
        raise ValueError(
            'soft_logit_kl: student and teacher logits need the same shape '
            f'after resizing, got {tuple(s_logits.shape)} and '
            f'{tuple(t_logits.shape)}.')
    log_p_s = F.log_softmax(s_logits / tau, dim=1)
    log_p_t = F.log_softmax(t_logits / tau, dim=1)
    kl = (log_p_t.exp() * (log_p_t - log_p_s)).sum(dim=1)
    return tau**2 * kl.mean()


def feature_mse(s_feature: Tensor, t_feature: Tensor) -> Tensor:
    """||z_s − z_t||² summed over features, averaged over samples.

    Args:
        s_feature (Tensor): aligned student feature, (N, D) or
            (N, C, h, w); a map is resized to the teacher's (H, W) first.
        t_feature (Tensor): teacher feature, (N, D) or (N, C, H, W).

    Returns:
        Tensor: scalar.
    """
    s_feature = resize_like(s_feature, t_feature)
    if s_feature.shape != t_feature.shape:
        raise ValueError(
            'feature_mse: student and teacher features need the same shape '
            f'after resizing, got {tuple(s_feature.shape)} and '
            f'{tuple(t_feature.shape)}; project the student with a '
            "connector (e.g. type='ResizeProjectConnector').")
    return (s_feature - t_feature).pow(2).flatten(1).sum(1).mean()


@MODELS.register_module()
class CRKDResolutionAwareLoss(nn.Module):
    """CRKD's resolution-aware distillation loss (L_RAD).

    Feng, Lai, Xie, *Resolution-aware Knowledge Distillation for Efficient
    Inference*, IEEE TIP 30, 2021. The form is ours (no code is public)::

        L_RAD = loss_weight · (logit_weight · τ² · KL(σ(p_t/τ) ‖ σ(p_s/τ))
                               + feature_weight · ||z_s − z_t||²)

    The KL is summed over classes and averaged over samples (and pixels);
    the feature term is summed over features and averaged over samples.
    Dense student outputs (N, K, h, w) are resized bilinearly to the
    teacher's (H, W). The teacher side is detached.

    Args:
        tau (float): temperature τ. Defaults to 4.0.
        feature_weight (float): weight of the feature term; 0 switches it
            off (then ``s_feature``/``t_feature`` may be omitted). Defaults
            to 0.0.
        loss_weight (float): weight of the whole term; 0 switches it off.
            Defaults to 1.0.
        logit_weight (float): weight of the logit term; 0 switches it off
            (then ``preds_S``/``preds_T`` may be omitted), e.g. for a
            detector whose per-anchor sigmoid scores are no softmax over
            classes: feature distillation only. Defaults to 1.0.

    Examples:
        >>> loss_rad = dict(type='CRKDResolutionAwareLoss', tau=4.0)
        >>> # loss_forward_mappings: preds_S / preds_T are the logits,
        >>> # s_feature / t_feature (optional) the aligned embeddings
    """

    def __init__(self,
                 tau: float = 4.0,
                 feature_weight: float = 0.0,
                 loss_weight: float = 1.0,
                 logit_weight: float = 1.0) -> None:
        super().__init__()
        if tau <= 0:
            raise ValueError(f'tau must be > 0, got {tau!r}.')
        if min(feature_weight, loss_weight, logit_weight) < 0:
            raise ValueError(
                'feature_weight, loss_weight and logit_weight must be >= 0, '
                f'got {feature_weight!r}, {loss_weight!r} and '
                f'{logit_weight!r}.')
        if feature_weight == 0 and logit_weight == 0:
            raise ValueError(
                'CRKDResolutionAwareLoss: logit_weight and feature_weight are '
                'both 0; set loss_weight=0 to switch the term off.')
        self.tau = float(tau)
        self.feature_weight = float(feature_weight)
        self.loss_weight = float(loss_weight)
        self.logit_weight = float(logit_weight)

    def forward(self,
                preds_S: Optional[Tensor] = None,
                preds_T: Optional[Tensor] = None,
                s_feature: Optional[Tensor] = None,
                t_feature: Optional[Tensor] = None) -> Tensor:
        """Compute the weighted L_RAD.

        Args:
            preds_S (Tensor, optional): student logits, (N, K) or
                (N, K, h, w). Needed when ``logit_weight > 0``.
            preds_T (Tensor, optional): teacher logits, (N, K) or
                (N, K, H, W).
            s_feature (Tensor, optional): aligned student feature, (N, D)
                or (N, C, h, w). Needed when ``feature_weight > 0``.
            t_feature (Tensor, optional): teacher feature, (N, D) or
                (N, C, H, W).

        Returns:
            Tensor: scalar.
        """
        if self.loss_weight == 0:
            student = preds_S if preds_S is not None else s_feature
            return student.sum() * 0.
        loss = 0.
        if self.logit_weight > 0:
            if preds_S is None or preds_T is None:
                raise ValueError(
                    'CRKDResolutionAwareLoss: logit_weight > 0 needs preds_S '
                    'and preds_T in loss_forward_mappings (or set '
                    'logit_weight=0).')
            loss = self.logit_weight * soft_logit_kl(preds_S, preds_T.detach(),
                                                     self.tau)
        if self.feature_weight > 0:
            if s_feature is None or t_feature is None:
                raise ValueError(
                    'CRKDResolutionAwareLoss: feature_weight > 0 needs '
                    's_feature and t_feature in loss_forward_mappings (or '
                    'set feature_weight=0).')
            loss = loss + self.feature_weight * feature_mse(
                s_feature, t_feature.detach())
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'tau={self.tau}, logit_weight={self.logit_weight}, '
                f'feature_weight={self.feature_weight}, '
                f'loss_weight={self.loss_weight}')


__all__ = [
    'CRKDResolutionAwareLoss', 'soft_logit_kl', 'feature_mse', 'resize_like'
]
