# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) for semantic
# segmentation on the embedded digits scenes, mmseg models: the FCN
# teacher of configs/baselines (dilated ResNetV1c-18, width 16) -> the
# width-8 FCN student. Loss: the student's own CE + beta * L_AFD over every
# residual block of the backbone (8 teacher maps, 8 student maps; 16x16 in
# stage 1, 8x8 in the dilated stages 2-4 at 64x64 inputs).
# Ours: no logit term (pixel-wise logit KD is another method, e.g. CWD in
# configs/kd); beta=200 is the paper's CIFAR value, not tuned here.
# Train the teacher first:
#   configs/baselines/teacher_fcn-r18w16_1xb8_digits-seg.py
_base_ = [
    '../_base_/models/digits_fcn_r18.py',
    '../_base_/datasets/digits_seg.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/afd_resnet_blocks.py',
]
default_scope = 'mmseg'
teacher_ckpt = 'work_dirs/teacher_fcn-r18w16_1xb8_digits-seg/iter_1500.pth'

model = dict(
    architecture={{_base_.seg_student_model}},
    teachers=dict(
        teacher=dict(cfg={{_base_.seg_teacher_model}}, ckpt=teacher_ckpt)),
    input_shape=(3, 64, 64),
    distiller=dict(
        distill_losses=dict(
            # ours: d = the widest recorded student map (64 channels)
            loss_afd=dict(qk_dim=64))))

val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='SegLocalVisualizer')  # named per run by the Runner
