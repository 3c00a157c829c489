# FPN feature distillation for detection through this plugin with MMRazor's
# PKDLoss (Cao et al., NeurIPS 2022): RetinaNet width 16 teacher -> width 8
# student on the embedded digits set. The teacher runs in 'tensor' mode (no
# loss of its own, no labels), as MMRazor's FpnTeacherDistill runs it.
_base_ = [
    '../_base_/models/digits_retinanet_r18.py',
    '../_base_/datasets/digits_det.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/pkd_fpn.py',
]
default_scope = 'mmdet'
teacher_ckpt = ('work_dirs/teacher_retinanet-r18w16_1xb8_digits-det/'
                'iter_1500.pth')

model = dict(
    architecture={{_base_.det_student_model}},
    teachers=dict(
        teacher=dict(
            cfg={{_base_.det_teacher_model}}, ckpt=teacher_ckpt,
            mode='tensor')))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='DetLocalVisualizer')  # named per run by the Runner
