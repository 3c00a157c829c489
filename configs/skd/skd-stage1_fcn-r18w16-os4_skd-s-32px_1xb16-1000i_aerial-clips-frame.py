# SKD stage 1, spatial: the spatial teacher (FCN, frame t, 64x64) teaches the
# spatial student (frame t, 32x32): L = rho*MSE(S, sigmoid(T)) + MSE(S, G),
# rho = 1, the teacher's map upsampled to the student's, the student's map
# upsampled to the ground truth's 64x64 for its own term.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/embedded_saliency_clips.py',
    '../_base_/skd_iter_runtime.py',
]
model = _base_.skd_stage1_spatial
model.teachers.spatial.ckpt = (
    'work_dirs/fcn-r18w16-os4_1xb16-1000i_aerial-clips-64px-frame/'
    'iter_1000.pth')
# scores the student (32x32 input, 64x64 ground truth), then the teacher
val_cfg = dict(type='MultiTeacherValLoop')
