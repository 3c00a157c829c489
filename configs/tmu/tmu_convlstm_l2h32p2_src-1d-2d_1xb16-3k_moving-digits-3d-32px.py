# TMU on embedded moving digits (32x32 frames, 10 frames in -> 10 predicted):
# a 2-layer ConvLSTM target on 3-digit clips whose first cell is a TMU cell,
# learning from two frozen sources pretrained on 1- and 2-digit clips
# (convlstm_l2h32p2_1xb16-3k_moving-digits-{1d,2d}-32px.py; train them
# first, or point the *_ckpt variables at their checkpoints).
# Each iteration: the target's scheduled-sampling mask, the two sources on
# the target's clips with that mask (tensor mode, frozen), the target's
# next-frame loss plus the memory loss lambda_mem * L_mem (TMUMemoryLoss,
# the release's form); then, as the release trains, the same on the clips
# reversed in time (reverse_second_step) with its own optimizer step.
# Cost (tools/benchmark.py --entry tmu-transfer --threads 1, batch 8, one
# busy CPU thread): ~4.4 s per direction, ~2x a scratch ConvLSTM step; an
# iteration here runs two directions at batch 16.
_base_ = ['../_base_/default_runtime.py']
default_scope = 'mmrazor'

input_frames = 10
pred_frames = 10
max_iters = 3000
val_interval = 1000
lambda_mem = 1.0  # 0 reproduces the release (L_mem logged, not optimised)
source_1d_ckpt = ('work_dirs/convlstm_l2h32p2_1xb16-3k_moving-digits-1d-32px/'
                  'iter_3000.pth')
source_2d_ckpt = ('work_dirs/convlstm_l2h32p2_1xb16-3k_moving-digits-2d-32px/'
                  'iter_3000.pth')

# the predictor of the sources; the target is the same with a TMU cell
predictor = dict(
    in_channels=1,
    hidden_channels=32,
    num_layers=2,
    filter_size=5,
    patch_size=2,  # 32x32x1 frames -> 16x16x4
    input_frames=input_frames,
    pred_frames=pred_frames,
    # true frames fed with probability 1 -> 0 over the first 2,500
    # iterations; the sources get the target's mask
    sampling_start=1.0,
    sampling_step=4e-4,
    sampling_seed=0)

model = dict(
    type='TMUTransferDistill',
    # memory_mix keeps its default, 'sum' (the paper's and release's form)
    architecture=dict(type='TMUPredictor', num_sources=2, **predictor),
    teachers=dict(
        src_1d=dict(
            cfg=dict(type='ConvLSTMPredictor', **predictor),
            ckpt=source_1d_ckpt),
        src_2d=dict(
            cfg=dict(type='ConvLSTMPredictor', **predictor),
            ckpt=source_2d_ckpt)),
    reverse_second_step=True,
    input_shape=(input_frames + pred_frames, 1, 32, 32),
    data_preprocessor=dict(type='VideoPredictionDataPreprocessor'),
    distiller=dict(
        type='ConfigurableDistiller',
        # D^m_t, the memory the TMU cell distils for source m, every step
        student_recorders=dict(
            memories=dict(type='StepMemories', source='cells.0.distillers.*')),
        # C^m_t, the memory of source m's first cell, every step
        teacher_recorders=dict(
            memories=dict(
                type='StepMemories',
                source=['src_1d.cells.0', 'src_2d.cells.0'])),
        distill_losses=dict(
            loss_mem=dict(type='TMUMemoryLoss', loss_weight=lambda_mem)),
        loss_forward_mappings=dict(
            loss_mem=dict(
                distilled=dict(
                    recorder='memories', from_student=True, record_idx=None),
                source_memories=dict(
                    recorder='memories', from_student=False,
                    record_idx=None)))))

clip = dict(
    type='MovingDigitsDataset',
    num_digits=3,
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
