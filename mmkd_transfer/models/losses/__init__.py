"""Losses: distillation losses in ``mmrazor.registry.MODELS``, task losses
in their task's registry (``LabelledCrossEntropyLoss``: mmpretrain)."""
from .afd_attention import AFDAttention
from .afd_loss import AFDLoss
from .crkd_adversarial_loss import CRKDAdversarialLoss
from .crkd_mmd_loss import CRKDMMDLoss
from .crkd_pairwise_loss import CRKDPairwiseLoss
from .crkd_rad_loss import CRKDResolutionAwareLoss
from .labelled_cross_entropy_loss import LabelledCrossEntropyLoss
from .skd_saliency_cc_loss import SKDSaliencyCCLoss
from .skd_saliency_kl_loss import SKDSaliencyKLLoss
from .skd_saliency_mse_loss import SKDSaliencyMSELoss
from .tmu_adapter_memory_loss import TMUAdapterMemoryLoss
from .tmu_memory_loss import TMUMemoryLoss

__all__ = [
    'AFDAttention', 'AFDLoss', 'CRKDAdversarialLoss', 'CRKDMMDLoss',
    'CRKDPairwiseLoss', 'CRKDResolutionAwareLoss', 'LabelledCrossEntropyLoss',
    'SKDSaliencyCCLoss', 'SKDSaliencyKLLoss', 'SKDSaliencyMSELoss',
    'TMUAdapterMemoryLoss', 'TMUMemoryLoss'
]
