# A TMU source in the paper's setting (not trainable on a CPU): a 4-layer
# hidden-64 ConvLSTM (filter 5, patch 4: 64x64x1 frames -> 16x16x16) on
# 2-digit Moving MNIST, 10 -> 10, batch 8, 80k iterations; true frames fed
# with probability 1 -> 0 over the first 50k iterations (2e-5 per
# iteration), Adam lr 1e-4 and no gradient clipping, as the authors'
# release trains its ConvLSTM (script/convlstm_mnist.sh).
# Set data_root (and ann_file) to your Moving MNIST copy.
_base_ = [
    '../_base_/video_prediction_iter_runtime.py',
    '../_base_/datasets/moving_mnist_64px.py',
    '../_base_/models/convlstm_predictor.py'
]
max_iters = 80000
val_interval = 5000
model = dict(
    hidden_channels=64, num_layers=4, patch_size=4, sampling_step=2e-5)
optim_wrapper = dict(optimizer=dict(lr=1e-4), clip_grad=None)
train_cfg = dict(max_iters=max_iters, val_interval=val_interval)
default_hooks = dict(checkpoint=dict(interval=val_interval))
