# The SKD Adam schedule (skd_adam_iter.py) for AVS1K: 20k iterations,
# validation every 2k (our length; the paper's is not stated in what we
# could read).
_base_ = ['./skd_adam_iter.py']
max_iters = 20000
val_interval = 2000
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=500),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        begin=500,
        end=max_iters,
        by_epoch=False),
]
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
