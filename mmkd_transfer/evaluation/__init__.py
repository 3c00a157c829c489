"""Evaluation: metrics of the video predictors, registered in MMRazor's
``METRICS``."""
from .frame_metrics import frame_mae, frame_mse, frame_psnr, frame_ssim
from .video_prediction_metric import VideoPredictionMetric

__all__ = [
    'VideoPredictionMetric', 'frame_mae', 'frame_mse', 'frame_psnr',
    'frame_ssim'
]
