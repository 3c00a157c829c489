"""Evaluation: metrics of the video predictors and of saliency prediction,
registered in MMRazor's ``METRICS``."""
from .frame_metrics import frame_mae, frame_mse, frame_psnr, frame_ssim
from .saliency_metric import SaliencyMetric
from .video_prediction_metric import VideoPredictionMetric

__all__ = [
    'SaliencyMetric', 'VideoPredictionMetric', 'frame_mae', 'frame_mse',
    'frame_psnr', 'frame_ssim'
]
