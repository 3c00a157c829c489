# Iteration-based Adam schedule of the SKD configs (lr 1e-3 as in the same
# group's UVA-Net release; CPU-sized on the embedded clips): the embedded
# seg/det schedule's warm-up, gradient clipping and loops, with Adam and a
# cosine decay.
_base_ = ['./digits_iter.py']
max_iters = 1000
val_interval = 500
optim_wrapper = dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3))
param_scheduler = [
    _base_.param_scheduler[0],  # linear warm-up over the first 50 iterations
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        begin=_base_.param_scheduler[0].end,
        end=max_iters,
        by_epoch=False),
]
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
