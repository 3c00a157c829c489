# The runtime of the SKD AVS1K configs: as skd_iter_runtime.py with the 20k
# schedule (bases may not repeat a key, hence a file of its own).
_base_ = ['./default_runtime.py', './schedules/skd_adam_20k.py']
default_scope = 'mmrazor'
default_hooks = dict(
    logger=dict(interval=50, log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval={{_base_.val_interval}}))
log_processor = dict(by_epoch=False)
custom_hooks = [dict(type='SaliencyOverlayHook', interval=50, max_samples=2)]
