"""SKD's final spatiotemporal model: two transferred, frozen trunks and a
trained fusion head."""
from typing import Dict, List, Optional, Union

import torch
from mmrazor.registry import MODELS
from torch import Tensor, nn

from .base_saliency_model import BaseSaliencyModel
from .skd_temporal_trunk import check_frame_pair
from .trunk_transfer import load_student_trunk

TRUNKS = ('spatial', 'temporal')


@MODELS.register_module()
class SKDSpatioTemporalModel(BaseSaliencyModel):
    """Spatial trunk on frame t, temporal trunk on (t, t+1), fusion head.

    Stage 2 of SKD (Li, Fu, Zhao, Ge, IEEE TIP 29, 2020, arXiv 1904.04992):
    the model reuses both stage-1 students' trunks (parameter transfer),
    keeps them frozen and trains only the fusion head on the ground truth.

    Frozen trunks (``freeze_trunks=True``): no parameter requires a
    gradient, they run under ``no_grad`` and stay in eval mode whatever
    ``train()`` is called with (BatchNorm statistics never move), so their
    weights and buffers are bit-identical after training.

    The trunks are loaded by :meth:`init_weights` (what the Runner calls
    before training; ``load_trunks`` does it by hand), following the prefix
    mapping of :mod:`.trunk_transfer`: ``architecture.trunk.*`` or
    ``trunk.*`` of each student -> ``spatial_trunk.*`` /
    ``temporal_trunk.*``. A missing or mismatching checkpoint is a one-line
    ``CheckpointError`` with the first missing/unexpected keys.

    Args:
        spatial_trunk (dict): defaults to ``SKDSpatialTrunk``.
        temporal_trunk (dict): defaults to ``SKDTemporalTrunk``.
        fusion_head (dict): its ``in_channels`` default to the trunks'.
            Defaults to ``SKDFusionHead``.
        trunk_checkpoints (dict, optional): ``spatial`` and/or
            ``temporal`` -> stage-1 student checkpoint. Defaults to None
            (trunks keep their initial weights).
        freeze_trunks (bool): freeze both trunks. Defaults to True.
        loss_saliency, data_preprocessor, init_cfg: see
            :class:`BaseSaliencyModel`.

    Shapes: ``extract_logits`` (N, T >= 2, C, h, w) -> (N, 1, h, w).
    """

    def __init__(
            self,
            spatial_trunk: dict = dict(type='SKDSpatialTrunk'),
            temporal_trunk: dict = dict(type='SKDTemporalTrunk'),
            fusion_head: dict = dict(type='SKDFusionHead'),
            trunk_checkpoints: Optional[Dict[str, str]] = None,
            freeze_trunks: bool = True,
            loss_saliency: Union[dict,
                                 List[dict]] = dict(type='SKDSaliencyMSELoss'),
            data_preprocessor: Optional[Union[dict, nn.Module]] = None,
            init_cfg: Optional[dict] = None):
        super().__init__(loss_saliency, data_preprocessor, init_cfg)
        trunk_checkpoints = dict(trunk_checkpoints or {})
        unknown = sorted(set(trunk_checkpoints) - set(TRUNKS))
        if unknown:
            raise ValueError(f'trunk_checkpoints has unknown keys {unknown}; '
                             f'use {TRUNKS}.')
        self.trunk_checkpoints = trunk_checkpoints
        self.spatial_trunk = MODELS.build(
            dict(spatial_trunk, _scope_='mmrazor'))
        self.temporal_trunk = MODELS.build(
            dict(temporal_trunk, _scope_='mmrazor'))
        head = dict(fusion_head, _scope_='mmrazor')
        head.setdefault('in_channels', (self.spatial_trunk.out_channels,
                                        self.temporal_trunk.out_channels))
        self.fusion_head = MODELS.build(head)
        self.freeze_trunks = freeze_trunks
        if freeze_trunks:
            for param in self.trunk_parameters():
                param.requires_grad = False
        self.train(self.training)

    def trunk_parameters(self):
        """Parameters of both trunks (the transferred part)."""
        yield from self.spatial_trunk.parameters()
        yield from self.temporal_trunk.parameters()

    def load_trunks(self) -> None:
        """Load each trunk named in ``trunk_checkpoints`` (see the class
        doc for the mapping and the errors)."""
        for name in TRUNKS:
            path = self.trunk_checkpoints.get(name)
            if path:
                trunk = getattr(self, f'{name}_trunk')
                load_student_trunk(trunk, path, f'{name}_trunk',
                                   f'model.trunk_checkpoints.{name}')
                trunk._is_init = True

    def init_weights(self) -> None:
        """Initialise as usual, then load the transferred trunks."""
        super().init_weights()
        self.load_trunks()

    def extract_logits(self, inputs: Tensor) -> Tensor:
        inputs = check_frame_pair(inputs, type(self).__name__)
        with torch.set_grad_enabled(torch.is_grad_enabled()
                                    and not self.freeze_trunks):
            feats = [
                self.spatial_trunk(inputs[:, 0]),
                self.temporal_trunk(inputs[:, :2])
            ]
        return self.fusion_head(feats)

    def train(self, mode: bool = True) -> 'SKDSpatioTemporalModel':
        """Set the train mode; frozen trunks stay in eval mode."""
        super().train(mode)
        if getattr(self, 'freeze_trunks', False):
            self.spatial_trunk.eval()
            self.temporal_trunk.eval()
        return self
