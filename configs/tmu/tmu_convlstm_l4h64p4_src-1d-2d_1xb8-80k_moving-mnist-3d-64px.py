# TMU in the paper's setting (not trainable on a CPU): a 4-layer hidden-64
# ConvLSTM target on 3-digit Moving MNIST (a file in the mnist_test_seq.npy
# layout that you generate; set data_root and ann_file) whose first cell is
# a TMU cell, learning from the frozen 1- and 2-digit sources
# convlstm_l4h64p4_1xb8-80k_moving-mnist-{1d,2d}-64px.py. As the release's
# script/tmu.sh: Adam lr 3e-4, batch 8, 80k iterations, scheduled sampling
# 1 -> 0 over 50k iterations, the time-reversed second step; and L_mem
# optimised with lambda_mem = 1 (loss_mem's loss_weight; the release
# computes it but does not).
_base_ = [
    './convlstm_l4h64p4_1xb8-80k_moving-mnist-2d-64px.py',
    '../_base_/distillers/tmu_step_memories.py'
]
ann_file = 'moving_mnist_3digit.npy'
source_1d_ckpt = ('work_dirs/convlstm_l4h64p4_1xb8-80k_moving-mnist-1d-64px/'
                  'iter_80000.pth')
source_2d_ckpt = ('work_dirs/convlstm_l4h64p4_1xb8-80k_moving-mnist-2d-64px/'
                  'iter_80000.pth')

predictor = _base_.model  # the target's predictor, also the sources'
model = dict(
    _base_.tmu_transfer,  # TMUTransferDistill, memory distiller, L_mem
    _delete_=True,
    # 'mean' memory mix (ours): see "Memory mix" in configs/tmu/README.md
    architecture=dict(predictor, **_base_.tmu_architecture),
    teachers=dict(
        src_1d=dict(cfg=predictor, ckpt=source_1d_ckpt),
        src_2d=dict(cfg=predictor, ckpt=source_2d_ckpt)),
    reverse_second_step=True,
    input_shape=(20, 1, 64, 64))
train_dataloader = dict(dataset=dict(ann_file=ann_file))
val_dataloader = dict(dataset=dict(ann_file=ann_file))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=3e-4))
