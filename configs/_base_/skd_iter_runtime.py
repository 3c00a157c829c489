# The runtime of the SKD configs: the default runtime and the Adam schedule,
# logging and checkpointing by iteration (a checkpoint at every validation).
# A config lists this file instead of those two (bases may not repeat a key,
# so default_hooks can only be overridden here, below both).
_base_ = ['./default_runtime.py', './schedules/skd_adam_iter.py']
default_scope = 'mmrazor'
default_hooks = dict(
    logger=dict(interval=20, log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval={{_base_.val_interval}}))
log_processor = dict(by_epoch=False)
# frame | ground truth | prediction overlays of the first 2 clips of every
# 4th validation batch, written by the visualizer's backends
custom_hooks = [dict(type='SaliencyOverlayHook', interval=4, max_samples=2)]
