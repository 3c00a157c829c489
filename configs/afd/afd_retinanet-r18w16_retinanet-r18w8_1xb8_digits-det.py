# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) for object
# detection on the embedded digits scenes, mmdet models: the RetinaNet
# teacher of configs/baselines (ResNet-18 width 16 + FPN) -> the width-8
# student. Loss: the student's own focal + L1 losses + beta * L_AFD over
# every residual block of the backbone (8 maps) and the FPN outputs P3-P5
# (3 maps), the same 11 layers on both sides.
# Ours: P6/P7 are left out here because on 64x64 scenes they are 1x1 maps,
# whose AT vector is the constant 1 (distance identically zero); the COCO
# config records all five levels. No logit term; beta=200 is the paper's
# CIFAR value, not tuned here.
# Train the teacher first:
#   configs/baselines/teacher_retinanet-r18w16_1xb8_digits-det.py
_base_ = [
    '../_base_/models/digits_retinanet_r18.py',
    '../_base_/datasets/digits_det.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/afd_resnet_blocks.py',
]
default_scope = 'mmdet'
teacher_ckpt = 'work_dirs/teacher_retinanet-r18w16_1xb8_digits-det/iter_1500.pth'  # noqa: E501
features = ['backbone.layer*.*', 'neck.fpn_convs.[0-2]']

model = dict(
    architecture={{_base_.det_student_model}},
    teachers=dict(
        teacher=dict(cfg={{_base_.det_teacher_model}}, ckpt=teacher_ckpt)),
    input_shape=(3, 64, 64),
    distiller=dict(
        student_recorders=dict(blocks=dict(source=features)),
        teacher_recorders=dict(
            blocks=dict(source=['teacher.' + f for f in features])),
        distill_losses=dict(
            # ours: d = the widest recorded student map (64 channels)
            loss_afd=dict(qk_dim=64))))

val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='DetLocalVisualizer')  # named per run by the Runner
