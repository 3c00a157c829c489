# Embedded moving digits (scikit-learn's digits bouncing in a 32x32 canvas),
# 10 frames in -> 10 predicted, generated in memory. Configs set the digits
# per clip with train_dataloader.dataset.num_digits (and val_...): 1 and 2
# for TMU's sources, 3 for the target. Val clips use the digits' val split.
input_frames = 10
pred_frames = 10

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
