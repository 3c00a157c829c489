# SKD stage 1, temporal: the temporal teacher (FCN on frames t and t+1
# stacked, 64x64) teaches the temporal student (siamese frame-difference
# trunk, both frames at 32x32): L = rho*MSE(S, sigmoid(T)) + MSE(S, G),
# rho = 1.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/embedded_saliency_clips.py',
    '../_base_/skd_iter_runtime.py',
]
model = _base_.skd_stage1_temporal
model.teachers.temporal.ckpt = (
    'work_dirs/fcn-r18w16-os4_1xb16-1000i_aerial-clips-64px-pair/'
    'iter_1000.pth')
# scores the student (32x32 input, 64x64 ground truth), then the teacher
val_cfg = dict(type='MultiTeacherValLoop')
