# The SKD Adam schedule (skd_adam_iter.py) for AVS1K: 20k iterations,
# validation every 2k (our length; the paper's is not stated in what we
# could read), a 500-iteration warm-up.
_base_ = ['./skd_adam_iter.py']
max_iters = 20000
val_interval = 2000
skd_warmup, skd_cosine = _base_.param_scheduler
param_scheduler = [
    dict(skd_warmup, end=500),
    dict(skd_cosine, begin=500, end=max_iters),
]
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
