# CRKD (Feng, Lai, Xie; IEEE TIP 2021) for segmentation on the embedded
# digits scenes: the HR teacher (FCN, ResNetV1c-18 width 16, output stride 8)
# reads the 64x64 scenes; the LR student (FCN width 8, output stride 4:
# seg_lr_student_model) reads them at 32x32 (4x fewer pixels) and is scored
# against the 64x64 ground truth (seg_target='keep': mmseg resizes its
# logits to the map's size in the loss and to img_shape in predict), as in
# the plain-KD baseline
# configs/multi_teacher/cwd-lr-view_fcn-r18w16_fcn-r18w8-d4-32px_1xb8_digits-seg.py.
# The student's halved stride keeps the teacher's geometry: its logits and
# last-stage maps are 8x8 at 32x32, like the teacher's at 64x64.
# Terms (our forms, see README): resolution-aware KD on the decode head's
# logits (both 8x8, no resize) plus a feature term on the last backbone
# stage (student 64x8x8 -> 128x8x8 by a 1x1 conv connector sized by the dry
# run); relation pair loss, MMD² and an adversarial term on the globally
# pooled last-stage features.
_base_ = [
    '../_base_/models/digits_fcn_r18.py',
    '../_base_/datasets/digits_seg.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/crkd_seg_logits_stage4.py',
]
default_scope = 'mmseg'
teacher_ckpt = 'work_dirs/teacher_fcn-r18w16_1xb8_digits-seg/iter_1500.pth'

model = dict(
    architecture={{_base_.seg_lr_student_model}},
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, seg_target='keep'),
    # the teacher only gives its logits and features (no loss of its own)
    teachers=dict(
        teacher=dict(
            cfg={{_base_.seg_teacher_model}}, ckpt=teacher_ckpt,
            mode='tensor')),
    input_shape=(3, 64, 64),
    distiller=dict(
        # 64x8x8 -> 128x8x8 (1x1 conv only: the sizes already agree),
        # sized by the dry run
        connectors=dict(proj=dict(type='ResizeProjectConnector')),
        connector_targets=dict(proj=_base_.teacher_stage4),
        distill_losses=dict(
            # feature term summed over the teacher's 128x8x8 values:
            # 1/(128*64) makes it a per-value mean (set before any run, not
            # tuned)
            loss_rad=dict(feature_weight=1.0 / (128 * 64)))),
    # pooled (N, 128) features
    discriminator=dict(hidden_channels=128))

# one optimizer per attribute of the algorithm: the student and the
# distiller (connector) with the schedule's AdamW and clipping, the
# discriminator with Adam (lr 1e-4, betas (0.5, 0.999)); param_scheduler
# (warm-up + poly) applies to all three
student_optim = dict(
    optimizer=_base_.optim_wrapper.optimizer,
    clip_grad=_base_.optim_wrapper.clip_grad)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=student_optim,
    distiller=student_optim,
    discriminator=_base_.crkd_discriminator_optim)

# scores the student (32x32 input, 64x64 ground truth), then the teacher
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='SegLocalVisualizer')  # named per run by the Runner
