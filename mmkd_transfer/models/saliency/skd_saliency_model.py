"""A compact SKD student: a trunk and a deconvolution head."""
from typing import List, Optional, Union

from mmrazor.registry import MODELS
from torch import Tensor, nn

from .base_saliency_model import BaseSaliencyModel


@MODELS.register_module()
class SKDSaliencyModel(BaseSaliencyModel):
    """SKD's spatial or temporal student: ``head(trunk(inputs))``.

    Li, Fu, Zhao, Ge, *Spatiotemporal Knowledge Distillation for Efficient
    Estimation of Aerial Video Saliency*, IEEE TIP 29, 2020 (arXiv
    1904.04992). The spatial student is ``trunk=SKDSpatialTrunk`` on frame t
    (N, C, h, w), the temporal student ``trunk=SKDTemporalTrunk`` on the
    pair (N, 2, C, h, w); both at low resolution, given by the view of the
    algorithm or of the data preprocessor. The trunk (all but the head) is
    what stage 2 transfers.

    Args:
        trunk (dict): trunk config, e.g. ``dict(type='SKDSpatialTrunk')``.
        head (dict): head config; its ``in_channels`` defaults to the
            trunk's ``out_channels``. Defaults to ``SKDDeconvHead``.
        loss_saliency, data_preprocessor, init_cfg: see
            :class:`BaseSaliencyModel`.
    """

    def __init__(
            self,
            trunk: dict,
            head: dict = dict(type='SKDDeconvHead'),
            loss_saliency: Union[dict,
                                 List[dict]] = dict(type='SKDSaliencyMSELoss'),
            data_preprocessor: Optional[Union[dict, nn.Module]] = None,
            init_cfg: Optional[dict] = None):
        super().__init__(loss_saliency, data_preprocessor, init_cfg)
        self.trunk = MODELS.build(dict(trunk, _scope_='mmrazor'))
        head = dict(head, _scope_='mmrazor')
        head.setdefault('in_channels', self.trunk.out_channels)
        self.head = MODELS.build(head)

    def extract_logits(self, inputs: Tensor) -> Tensor:
        return self.head(self.trunk(inputs))
