# SKD stage 1, temporal, on AVS1K: the temporal teacher (t and t+1 stacked,
# 256x256) teaches the temporal student on frames t and t+1 at 64x64.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/avs1k_clips.py',
    '../_base_/skd_avs1k_runtime.py',
]
model = _base_.skd_stage1_temporal
model.input_shape = (2, 3, 256, 256)
model.student_view = [_base_.frame_pair, dict(type='ResolutionView', size=64)]
model.teachers.temporal.ckpt = (
    'work_dirs/fcn-r18w16-os4_1xb16-20k_avs1k-256px-pair/iter_20000.pth')
val_cfg = dict(type='MultiTeacherValLoop')
