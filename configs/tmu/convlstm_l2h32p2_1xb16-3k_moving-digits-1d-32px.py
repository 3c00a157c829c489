# A ConvLSTM video predictor trained on embedded 1-digit moving digits
# (32x32 frames, 10 frames in -> 10 predicted), small enough for a CPU
# (measured ~1.5 s per iteration on one busy CPU thread, batch 16).
# TMU's sources are pretrained like this (1- and 2-digit sets); the paper's
# sources are 4-layer, hidden-64, patch-4 predictors on 64x64 Moving MNIST.
_base_ = ['../_base_/default_runtime.py']
default_scope = 'mmrazor'

input_frames = 10
pred_frames = 10
max_iters = 3000
val_interval = 1000

model = dict(
    type='ConvLSTMPredictor',
    in_channels=1,
    hidden_channels=32,
    num_layers=2,
    filter_size=5,
    patch_size=2,  # 32x32x1 frames -> 16x16x4
    input_frames=input_frames,
    pred_frames=pred_frames,
    # true frames fed with probability 1 -> 0 over the first 2,500 iterations
    sampling_start=1.0,
    sampling_step=4e-4,
    sampling_seed=0,
    data_preprocessor=dict(type='VideoPredictionDataPreprocessor'))

clip = dict(
    type='MovingDigitsDataset',
    num_digits=1,
    input_frames=input_frames,
    pred_frames=pred_frames,
    frame_size=32,
    digit_size=12,
    speed=1.5)
train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**clip, split='train', num_clips=2000, seed=0))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**clip, split='val', num_clips=200, seed=1))
test_dataloader = val_dataloader
val_evaluator = dict(type='VideoPredictionMetric')
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3),
    clip_grad=dict(max_norm=1.0, norm_type=2))
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=val_interval)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    logger=dict(log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval=val_interval))
log_processor = dict(by_epoch=False)

# input / ground-truth / predicted frames of one validation clip (clip 0 of
# batch 10) at every validation, in <work_dir>/<timestamp>/vis_data/
# vis_image/ (validation only: training iterations are untouched)
custom_hooks = [
    dict(type='mmrazor.VideoPredictionVisHook', interval=10, max_clips=1)
]
