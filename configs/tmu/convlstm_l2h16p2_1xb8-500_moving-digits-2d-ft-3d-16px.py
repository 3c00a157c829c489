# The TMU target fine-tuned from source 2 (2 digits: the source closest to
# the target, chosen before any run): the 3-digit target config
# (convlstm_l2h16p2_1xb8-500_moving-digits-3d-16px.py) starting from the
# trained 2-digit source's weights. The source has the same architecture,
# so its whole checkpoint loads as the starting point (mmengine's
# ``load_from``: weights only, the optimizer and iteration start afresh).
# The checkpoint also holds the source's scheduled-sampling counter, so the
# fine-tuning continues the source's schedule (own predictions only) rather
# than feeding true frames again. Set source_ckpt to your source checkpoint
# (default: where tools/train.py leaves it), or pass --cfg-options
# load_from=... .
_base_ = ['./convlstm_l2h16p2_1xb8-500_moving-digits-3d-16px.py']
source_ckpt = ('work_dirs/convlstm_l2h16p2_1xb8-1500_moving-digits-2d-16px/'
               'iter_1500.pth')
load_from = source_ckpt
