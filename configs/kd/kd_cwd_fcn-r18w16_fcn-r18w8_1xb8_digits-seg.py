# Logit distillation for segmentation through this plugin with MMRazor's
# ChannelWiseDivergence (Shu et al., ICCV 2021) and MultiTeacherDistill:
# FCN width 16 teacher -> FCN width 8 student on the embedded digits set.
_base_ = [
    '../_base_/models/digits_fcn_r18.py',
    '../_base_/datasets/digits_seg.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/cwd_logits.py',
]
default_scope = 'mmseg'
teacher_ckpt = 'work_dirs/teacher_fcn-r18w16_1xb8_digits-seg/iter_1500.pth'

model = dict(
    architecture={{_base_.seg_student_model}},
    teachers=dict(
        teacher=dict(cfg={{_base_.seg_teacher_model}}, ckpt=teacher_ckpt)),
    distiller=dict(
        student_recorders=dict(
            logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        teacher_recorders=dict(
            logits=dict(
                type='ModuleOutputs', source='teacher.decode_head.conv_seg'))))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='SegLocalVisualizer')  # named per run by the Runner
