# A ConvLSTM video predictor trained on embedded 1-digit moving digits
# (32x32 frames, 10 frames in -> 10 predicted), small enough for a CPU
# (measured ~0.8-1.5 s per iteration on one CPU thread, batch 16).
# TMU's sources are pretrained like this (1- and 2-digit sets); the paper's
# sources are 4-layer, hidden-64, patch-4 predictors on 64x64 Moving MNIST.
_base_ = [
    '../_base_/video_prediction_iter_runtime.py',
    '../_base_/datasets/moving_digits_32px.py',
    '../_base_/models/convlstm_predictor.py'
]
# patch 2: 32x32x1 frames -> 16x16x4; true frames fed with probability
# 1 -> 0 over the first 2,500 iterations (the model base's sampling_step)
model = dict(hidden_channels=32, num_layers=2, patch_size=2)

# input / ground-truth / predicted frames of one validation clip (clip 0 of
# batch 10) at every validation, in <work_dir>/<timestamp>/vis_data/
# vis_image/ (validation only: training iterations are untouched)
custom_hooks = [
    dict(type='mmrazor.VideoPredictionVisHook', interval=10, max_clips=1)
]
