# The second source of the 32x32 TMU config: the 1-digit source's predictor
# and schedule (convlstm_l2h32p2_1xb16-3k_moving-digits-1d-32px.py) on
# 2-digit clips.
_base_ = ['./convlstm_l2h32p2_1xb16-3k_moving-digits-1d-32px.py']
train_dataloader = dict(dataset=dict(num_digits=2))
val_dataloader = dict(dataset=dict(num_digits=2))
test_dataloader = val_dataloader
