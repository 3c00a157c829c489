# The CPU results setting of configs/tmu/README.md: moving digits in a 16x16
# canvas (8x8 digits, scikit-learn's native size, 1 pixel per frame), 10
# frames in -> 10 predicted, batch 8 (the paper's). A training step of a
# 2-layer hidden-16 ConvLSTM costs a tenth of one of the 32x32 source config
# (measured on one idle thread, batch 16: 76 vs 812 ms).
_base_ = ['./moving_digits_32px.py']
small = dict(frame_size=16, digit_size=8, speed=1.0)
train_dataloader = dict(batch_size=8, dataset=small)
val_dataloader = dict(dataset=small)
test_dataloader = val_dataloader
