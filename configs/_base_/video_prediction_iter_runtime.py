# The runtime of the iteration-based video-prediction configs: the default
# runtime and the video_prediction_iter schedule, logging and checkpointing
# by iteration (a checkpoint at every validation). A config lists this file
# instead of those two (bases may not repeat a key).
_base_ = ['./default_runtime.py', './schedules/video_prediction_iter.py']
default_scope = 'mmrazor'
default_hooks = dict(
    logger=dict(log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval={{_base_.val_interval}}))
log_processor = dict(by_epoch=False)
