# TMU source 2 in the CPU results setting: source 1's predictor and schedule
# (convlstm_l2h16p2_1xb8-1500_moving-digits-1d-16px.py) on 2-digit clips.
_base_ = ['./convlstm_l2h16p2_1xb8-1500_moving-digits-1d-16px.py']
train_dataloader = dict(dataset=dict(num_digits=2))
val_dataloader = dict(dataset=dict(num_digits=2))
test_dataloader = val_dataloader
