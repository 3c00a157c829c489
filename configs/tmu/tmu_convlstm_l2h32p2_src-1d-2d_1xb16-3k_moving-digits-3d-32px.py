# TMU on embedded moving digits (32x32 frames, 10 frames in -> 10 predicted):
# a 2-layer ConvLSTM target on 3-digit clips whose first cell is a TMU cell,
# learning from two frozen sources pretrained on 1- and 2-digit clips
# (convlstm_l2h32p2_1xb16-3k_moving-digits-{1d,2d}-32px.py; train them
# first, or point the *_ckpt variables at their checkpoints).
# Each iteration: the target's scheduled-sampling mask, the two sources on
# the target's clips with that mask (tensor mode, frozen), the target's
# next-frame loss plus the memory loss lambda_mem * L_mem (TMUMemoryLoss,
# the release's form; lambda_mem is
# model.distiller.distill_losses.loss_mem.loss_weight = 1, and 0 reproduces
# the release: L_mem logged, not optimised); then, as the release trains,
# the same on the clips reversed in time (reverse_second_step) with its own
# optimizer step.
# Cost (tools/benchmark.py --entry tmu-transfer --threads 1, batch 8, one
# busy CPU thread): ~4.4 s per direction, ~2x a scratch ConvLSTM step; an
# iteration here runs two directions at batch 16.
_base_ = [
    '../_base_/video_prediction_iter_runtime.py',
    '../_base_/datasets/moving_digits_32px.py',
    '../_base_/models/convlstm_predictor.py',
    '../_base_/distillers/tmu_step_memories.py'
]
# where tools/train.py leaves the two source configs' last checkpoints
source_1d_ckpt = ('work_dirs/convlstm_l2h32p2_1xb16-3k_moving-digits-1d-32px/'
                  'iter_3000.pth')
source_2d_ckpt = ('work_dirs/convlstm_l2h32p2_1xb16-3k_moving-digits-2d-32px/'
                  'iter_3000.pth')

# the sources' predictor (the model base: hidden 32, 2 layers, patch 2,
# true frames fed with probability 1 -> 0 over the first 2,500 iterations);
# the target is the same with a TMU cell. The algorithm's preprocessor
# reads the clips, so the predictors need none of their own.
predictor = dict(_base_.model)
predictor.pop('data_preprocessor')
model = dict(
    _base_.tmu_transfer,  # TMUTransferDistill, memory distiller, L_mem
    _delete_=True,
    # 'mean' memory mix (ours): see "Memory mix" in configs/tmu/README.md
    architecture=dict(predictor, **_base_.tmu_architecture),
    teachers=dict(
        src_1d=dict(cfg=predictor, ckpt=source_1d_ckpt),
        src_2d=dict(cfg=predictor, ckpt=source_2d_ckpt)),
    reverse_second_step=True,
    input_shape=(20, 1, 32, 32))

# the 3-digit target set; the sources read the target's clips
train_dataloader = dict(dataset=dict(num_digits=3))
val_dataloader = dict(dataset=dict(num_digits=3))
test_dataloader = val_dataloader
