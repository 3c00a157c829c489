# The runtime of the SKD AVS1K configs: skd_iter_runtime.py with 20k
# iterations, validation (and a checkpoint) every 2k (our length; the paper's
# is not stated in what we could read), a 500-iteration warm-up and sparser
# logging and overlays.
_base_ = ['./skd_iter_runtime.py']
max_iters = 20000
val_interval = 2000
skd_warmup, skd_cosine = _base_.param_scheduler
param_scheduler = [
    dict(skd_warmup, end=500),
    dict(skd_cosine, begin=500, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=val_interval))
custom_hooks = [dict(type='SaliencyOverlayHook', interval=50, max_samples=2)]
