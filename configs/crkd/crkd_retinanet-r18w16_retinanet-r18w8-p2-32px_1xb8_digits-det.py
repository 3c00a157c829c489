# CRKD (Feng, Lai, Xie; IEEE TIP 2021) for detection on the embedded digits
# scenes: the HR teacher (RetinaNet, ResNet-18 width 16, FPN from stride 8)
# reads the 64x64 scenes; the LR student (RetinaNet width 8, FPN from stride
# 4, anchors from 8 px: det_lr_student_model) reads them at 32x32 (4x fewer
# pixels). The view rescales the boxes, img_shape, pad_shape,
# batch_input_shape and scale_factor, so mmdet's losses and its rescaled
# predictions stay right (as in the plain-KD baseline
# configs/multi_teacher/pkd-lr-view_retinanet-r18w16_retinanet-r18w8-p2-32px_1xb8_digits-det.py).
# The student's halved strides keep the teacher's geometry: its FPN level i
# at 32x32 has the size of the teacher's level i at 64x64 (8x8, 4x4, ...).
# Terms (our forms, see README): resolution-aware feature distillation on
# student levels 0 and 1 (stride 4, 8) against teacher P3 and P4 (stride 8,
# 16), 8x8 and 4x4 on both sides; no logit term (RetinaNet's per-anchor
# sigmoid scores are no softmax over classes); relation pair loss, MMD² and
# an adversarial term on the globally pooled level-0 / P3 features.
_base_ = [
    '../_base_/models/digits_retinanet_r18.py',
    '../_base_/datasets/digits_det.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/crkd_dense.py',
]
default_scope = 'mmdet'
teacher_ckpt = ('work_dirs/teacher_retinanet-r18w16_1xb8_digits-det/'
                'iter_1500.pth')


def _fpn(level, from_student):
    return dict(recorder='fpn', from_student=from_student, data_idx=level)


def _rad(level):
    # ||.||² summed over the teacher level's 64 x H x W values: divided by
    # their number, a per-value mean (set before any run, not tuned)
    size = 8 // 2**level
    return dict(
        type='CRKDResolutionAwareLoss',
        logit_weight=0.,
        feature_weight=1.0 / (64 * size * size),
        loss_weight=1.0)


model = dict(
    architecture={{_base_.det_lr_student_model}},
    # 64 * 0.5 = 32 is already a multiple of the largest backbone stride
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, pad_size_divisor=32),
    # the teacher only gives its FPN features (no loss of its own)
    teachers=dict(
        teacher=dict(
            cfg={{_base_.det_teacher_model}}, ckpt=teacher_ckpt,
            mode='tensor')),
    input_shape=(3, 64, 64),
    distiller=dict(
        student_recorders=dict(fpn=dict(type='ModuleOutputs', source='neck')),
        teacher_recorders=dict(
            fpn=dict(type='ModuleOutputs', source='teacher.neck')),
        # No connectors: student levels 0/1 already have the size of
        # teacher P3/P4 and both FPNs are 64 wide, so a ResizeProjectConnector
        # would be the identity. The losses are named after the teacher's
        # levels.
        distill_losses=dict(loss_rad_p3=_rad(0), loss_rad_p4=_rad(1)),
        loss_forward_mappings=dict(
            loss_rad_p3=dict(
                s_feature=_fpn(0, True), t_feature=_fpn(0, False)),
            loss_rad_p4=dict(
                s_feature=_fpn(1, True), t_feature=_fpn(1, False)),
            loss_pair=dict(s_feature=_fpn(0, True), t_feature=_fpn(0, False)),
            loss_mmd=dict(s_feature=_fpn(0, True), t_feature=_fpn(0, False)))),
    # an MLP on the pooled (N, 64) level-0 / P3 features (it pools maps
    # itself)
    discriminator=dict(hidden_channels=128),
    adversarial_inputs=dict(student=_fpn(0, True), teacher=_fpn(0, False)))
del _fpn, _rad

# one optimizer per attribute of the algorithm: the student and the
# distiller (parameter-free here) with the schedule's AdamW and clipping,
# the discriminator with Adam (lr 1e-4, betas (0.5, 0.999));
# param_scheduler (warm-up + poly) applies to all of them
student_optim = dict(
    optimizer=_base_.optim_wrapper.optimizer,
    clip_grad=_base_.optim_wrapper.clip_grad)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=student_optim,
    discriminator=_base_.crkd_discriminator_optim)

val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='DetLocalVisualizer')  # named per run by the Runner
