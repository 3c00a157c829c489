"""CRKD's adversarial term: a discriminator tells teacher (HR) from student
(LR) embeddings, the student learns to fool it.

Feng, Lai, Xie, *Resolution-aware Knowledge Distillation for Efficient
Inference*, IEEE TIP 30, 2021, train a discriminator adversarially to shrink
the feature gap the change of resolution causes. No code is public; we use
the standard non-saturating GAN objectives on the discriminator's logits:

- discriminator: BCE(D(z_t), 1) + BCE(D(z_s), 0), with z_s detached;
- student (generator): BCE(D(z_s), 1), with D frozen.
"""
import torch
import torch.nn.functional as F
from mmrazor.registry import MODELS
from torch import Tensor, nn


def discriminator_bce(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """BCE(real, 1) + BCE(fake, 0), each averaged over its samples.

    Args:
        real_logits (Tensor): D's logits on teacher embeddings, (N,).
        fake_logits (Tensor): D's logits on student embeddings, (M,).

    Returns:
        Tensor: scalar.
    """
    real = F.binary_cross_entropy_with_logits(real_logits,
                                              torch.ones_like(real_logits))
    fake = F.binary_cross_entropy_with_logits(fake_logits,
                                              torch.zeros_like(fake_logits))
    return real + fake


def generator_bce(fake_logits: Tensor) -> Tensor:
    """BCE(D(z_s), 1), the non-saturating student objective, (N,) ->
    scalar."""
    return F.binary_cross_entropy_with_logits(fake_logits,
                                              torch.ones_like(fake_logits))


@MODELS.register_module()
class CRKDAdversarialLoss(nn.Module):
    """CRKD's adversarial term on a discriminator's logits.

    Feng, Lai, Xie, *Resolution-aware Knowledge Distillation for Efficient
    Inference*, IEEE TIP 30, 2021; the objectives are the standard
    non-saturating GAN ones (ours, no code is public)::

        forward:             loss_weight · BCE(D(z_s), 1)
        discriminator_loss:  BCE(D(z_t), 1) + BCE(D(z_s), 0)

    The discriminator's loss is not weighted: it trains only D, in D's own
    optimizer. An algorithm with a discriminator step (e.g.
    ``AdversarialMultiTeacherDistill``) calls both.

    Args:
        loss_weight (float): λ_adv, weight of the student's term; 0
            switches the adversarial part off. Defaults to 1.0.

    Examples:
        >>> adversarial_loss = dict(type='CRKDAdversarialLoss',
        ...                         loss_weight=0.1)
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        if loss_weight < 0:
            raise ValueError(f'loss_weight must be >= 0, got {loss_weight!r}.')
        self.loss_weight = float(loss_weight)

    def forward(self, fake_logits: Tensor) -> Tensor:
        """The student's weighted term.

        Args:
            fake_logits (Tensor): D's logits on student embeddings, (N,).

        Returns:
            Tensor: scalar, ``loss_weight · BCE(D(z_s), 1)``.
        """
        return self.loss_weight * generator_bce(fake_logits)

    @staticmethod
    def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
        """The discriminator's term, see :func:`discriminator_bce`."""
        return discriminator_bce(real_logits, fake_logits)

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}'


__all__ = ['CRKDAdversarialLoss', 'discriminator_bce', 'generator_bce']
