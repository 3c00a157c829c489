# CWD (channel-wise distillation, Shu et al., ICCV 2021) with a low-resolution
# student view, MultiTeacherDistill; not CRKD:
# the 64x64 digits scenes go to the FCN width 16 teacher as they are and to
# the FCN width 8 student at 32x32 (ResolutionView, 4x fewer pixels). The
# student's output stride is 4 (seg_lr_student_model), half the teacher's,
# so its logits are 8x8 at 32x32 like the teacher's at 64x64.
# seg_target='keep': the student is scored against the 64x64 ground truth
# (mmseg resizes its logits to the map's size in loss_by_feat). The logits
# are distilled at that size too: both recorders catch the output of
# mmseg's `resize` inside loss_by_feat, so teacher and student logits are
# 64x64 whatever each model's input resolution.
_base_ = [
    '../_base_/models/digits_fcn_r18.py',
    '../_base_/datasets/digits_seg.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/cwd_logits.py',
]
default_scope = 'mmseg'
teacher_ckpt = 'work_dirs/teacher_fcn-r18w16_1xb8_digits-seg/iter_1500.pth'
upsampled_logits = dict(
    type='FunctionOutputs',
    source='mmseg.models.decode_heads.decode_head.resize')

model = dict(
    architecture={{_base_.seg_lr_student_model}},
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, seg_target='keep'),
    teachers=dict(
        t_hr=dict(cfg={{_base_.seg_teacher_model}}, ckpt=teacher_ckpt)),
    input_shape=(3, 64, 64),
    distiller=dict(
        student_recorders=dict(logits=upsampled_logits),
        teacher_recorders=dict(logits=upsampled_logits)))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='SegLocalVisualizer')  # named per run by the Runner
