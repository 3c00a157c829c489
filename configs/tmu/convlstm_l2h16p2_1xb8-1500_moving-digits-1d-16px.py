# TMU source 1 in the CPU results setting (configs/tmu/README.md): a
# 2-layer hidden-16 ConvLSTM pretrained on 1-digit moving digits, 16x16
# frames, 10 -> 10, 1,500 iterations of batch 8 (~2 min on one idle thread).
_base_ = [
    '../_base_/video_prediction_iter_runtime.py',
    '../_base_/datasets/moving_digits_16px.py',
    '../_base_/models/convlstm_predictor.py'
]
max_iters = 1500
# patch 2: 16x16x1 frames -> 8x8x4; true frames fed with probability
# 1 -> 0 over the first 1,200 iterations
model = dict(
    hidden_channels=16, num_layers=2, patch_size=2, sampling_step=1 / 1200)
train_dataloader = dict(dataset=dict(num_digits=1))
val_dataloader = dict(dataset=dict(num_digits=1))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
