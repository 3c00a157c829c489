"""Modules that stay in the student at inference: the TMU feature adapter
and the builder that installs it after a module of any OpenMMLab model."""
from .tmu_adapted_model import build_tmu_adapted_model
from .tmu_feature_adapter import TMUFeatureAdapter

__all__ = ['TMUFeatureAdapter', 'build_tmu_adapted_model']
