"""Saliency models: SKD's compact students, its spatiotemporal model and
their parts, and the clip data preprocessor (mmseg segmentors with one
output channel are the teachers)."""
from .base_saliency_model import BaseSaliencyModel, stack_gt_saliency
from .clip_data_preprocessor import SaliencyClipDataPreprocessor
from .skd_conv_stem import SKDConvStem
from .skd_deconv_head import SKDDeconvHead
from .skd_fusion_head import SKDFusionHead
from .skd_saliency_model import SKDSaliencyModel
from .skd_spatial_trunk import SKDSpatialTrunk
from .skd_spatiotemporal_model import SKDSpatioTemporalModel
from .skd_temporal_trunk import SKDTemporalTrunk, check_frame_pair
from .trunk_transfer import load_student_trunk, student_trunk_state

__all__ = [
    'BaseSaliencyModel', 'SaliencyClipDataPreprocessor', 'SKDConvStem',
    'SKDDeconvHead', 'SKDFusionHead', 'SKDSaliencyModel', 'SKDSpatialTrunk',
    'SKDSpatioTemporalModel', 'SKDTemporalTrunk', 'check_frame_pair',
    'load_student_trunk', 'stack_gt_saliency', 'student_trunk_state'
]
