# TMU in the CPU results setting (configs/tmu/README.md): the 3-digit target
# of convlstm_l2h16p2_1xb8-500_moving-digits-3d-16px.py (same predictor,
# data and schedule) with a TMU first cell, learning from the two frozen
# 16x16 sources convlstm_l2h16p2_1xb8-1500_moving-digits-{1d,2d}-16px.py
# (train them first, or point the *_ckpt variables at their checkpoints).
# lambda_mem = 1 (model.distiller.distill_losses.loss_mem.loss_weight, from
# tmu_step_memories.py; the paper trains with L_mem); the _lambda0 config
# sets it to 0 (the release's objective).
# One optimizer step per iteration, as the scratch and fine-tuned rows: the
# release's time-reversed second step (reverse_second_step) would give TMU
# twice their updates.
_base_ = [
    './convlstm_l2h16p2_1xb8-500_moving-digits-3d-16px.py',
    '../_base_/distillers/tmu_step_memories.py'
]
source_1d_ckpt = ('work_dirs/convlstm_l2h16p2_1xb8-1500_moving-digits-1d-16px/'
                  'iter_1500.pth')
source_2d_ckpt = ('work_dirs/convlstm_l2h16p2_1xb8-1500_moving-digits-2d-16px/'
                  'iter_1500.pth')

predictor = _base_.model  # the target's predictor, also the sources'
model = dict(
    _base_.tmu_transfer,  # TMUTransferDistill, memory distiller, L_mem
    _delete_=True,
    # 'mean' memory mix (ours): see "Memory mix" in configs/tmu/README.md
    architecture=dict(predictor, **_base_.tmu_architecture),
    teachers=dict(
        src_1d=dict(cfg=predictor, ckpt=source_1d_ckpt),
        src_2d=dict(cfg=predictor, ckpt=source_2d_ckpt)),
    reverse_second_step=False,
    input_shape=(20, 1, 16, 16))
