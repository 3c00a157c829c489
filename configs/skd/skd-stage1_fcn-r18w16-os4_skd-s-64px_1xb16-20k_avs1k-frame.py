# SKD stage 1, spatial, on AVS1K: the spatial teacher (frame t, 256x256)
# teaches the spatial student on frame t at 64x64 (the paper's student
# input side): L = rho*MSE(S, sigmoid(T)) + MSE(S, G), rho = 1.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/avs1k_clips.py',
    '../_base_/skd_avs1k_runtime.py',
]
model = _base_.skd_stage1_spatial
model.input_shape = (2, 3, 256, 256)
model.student_view = [_base_.frame_t, dict(type='ResolutionView', size=64)]
model.teachers.spatial.ckpt = (
    'work_dirs/fcn-r18w16-os4_1xb16-20k_avs1k-256px-frame/iter_20000.pth')
val_cfg = dict(type='MultiTeacherValLoop')
