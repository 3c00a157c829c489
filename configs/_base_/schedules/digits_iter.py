# Iteration-based AdamW schedule for the embedded seg/det configs (CPU-sized).
max_iters = 1500
val_interval = 500
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=3e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=50,
        end=max_iters,
        by_epoch=False),
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# Configs list it through ../digits_iter_runtime.py, which adds the
# iteration-based logging and checkpoints to the default runtime.
