# The TMU target trained from scratch in the CPU results setting: source 1's
# predictor (convlstm_l2h16p2_1xb8-1500_moving-digits-1d-16px.py) on 3-digit
# clips, 500 iterations of batch 8 over 1,000 training clips (a short
# target training, where a transfer matters most, and what a shared 2-core
# CPU allows for 12 runs); true frames fed with probability 1 -> 0 over the
# first 400 iterations.
_base_ = ['./convlstm_l2h16p2_1xb8-1500_moving-digits-1d-16px.py']
max_iters = 500
model = dict(sampling_step=1 / 400)
train_dataloader = dict(dataset=dict(num_digits=3, num_clips=1000))
val_dataloader = dict(dataset=dict(num_digits=3))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
