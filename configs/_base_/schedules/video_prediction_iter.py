# Iteration-based Adam schedule of the embedded video-prediction configs:
# constant learning rate (as the PredRNN/TMU releases), gradient clipping,
# a checkpoint at every validation.
max_iters = 3000
val_interval = 1000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3),
    clip_grad=dict(max_norm=1.0, norm_type=2))
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
