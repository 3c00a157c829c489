# CRKD (Feng, Lai, Xie; IEEE TIP 2021) for segmentation on the embedded
# digits scenes: the HR teacher (FCN, ResNetV1c-18 width 16) reads the 64x64
# scenes; the LR student (FCN width 8) reads them at 32x32 (4x fewer pixels)
# and is scored against the 64x64 ground truth (seg_target='keep': mmseg
# resizes its logits to the map's size in the loss and to img_shape in
# predict), as in the plain-KD baseline
# configs/multi_teacher/cwd-lr-view_fcn-r18w16_fcn-r18w8-32px_1xb8_digits-seg.py.
# Terms (our forms, see README): resolution-aware KD on the decode head's
# logits (student 4x4 -> resized to the teacher's 8x8) plus a feature term on
# the last backbone stage (student 64x4x4 -> 128x8x8 by a connector sized by
# the dry run); relation pair loss, MMD² and an adversarial term on the
# globally pooled last-stage features.
_base_ = [
    '../_base_/models/digits_fcn_r18.py',
    '../_base_/datasets/digits_seg.py',
    '../_base_/schedules/digits_iter.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmseg'
teacher_ckpt = 'work_dirs/teacher_fcn-r18w16_1xb8_digits-seg/iter_1500.pth'

# record specs: the last backbone stage (out_indices (0, 1, 2, 3))
student_stage4 = dict(recorder='backbone', from_student=True, data_idx=3)
teacher_stage4 = dict(recorder='backbone', from_student=False, data_idx=3)

model = dict(
    _scope_='mmrazor',
    type='AdversarialMultiTeacherDistill',
    architecture={{_base_.seg_student_model}},
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, seg_target='keep'),
    # the teacher only gives its logits and features (no loss of its own)
    teachers=dict(
        teacher=dict(
            cfg={{_base_.seg_teacher_model}}, ckpt=teacher_ckpt,
            mode='tensor')),
    input_shape=(3, 64, 64),
    expect_lower_resolution=True,
    distiller=dict(
        type='ShapeInferringDistiller',
        student_recorders=dict(
            logits=dict(type='ModuleOutputs', source='decode_head.conv_seg'),
            backbone=dict(type='ModuleOutputs', source='backbone')),
        teacher_recorders=dict(
            logits=dict(
                type='ModuleOutputs', source='teacher.decode_head.conv_seg'),
            backbone=dict(type='ModuleOutputs', source='teacher.backbone')),
        # 64x4x4 -> 128x8x8 (bilinear resize, 1x1 conv), sized by the dry run
        connectors=dict(proj=dict(type='ResizeProjectConnector')),
        connector_targets=dict(proj=teacher_stage4),
        distill_losses=dict(
            # feature term summed over 128x8x8 values: 1/(128*64) makes it a
            # per-value mean (set before any run, not tuned)
            loss_rad=dict(
                type='CRKDResolutionAwareLoss',
                tau=4.0,
                feature_weight=1.0 / (128 * 64),
                loss_weight=1.0),
            loss_pair=dict(
                type='CRKDPairwiseLoss',
                mode='relation',
                pool_maps=True,
                loss_weight=1.0),
            loss_mmd=dict(type='CRKDMMDLoss', pool_maps=True,
                          loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_rad=dict(
                preds_S=dict(recorder='logits', from_student=True),
                preds_T=dict(recorder='logits', from_student=False),
                s_feature=dict(student_stage4, connector='proj'),
                t_feature=teacher_stage4),
            loss_pair=dict(s_feature=student_stage4, t_feature=teacher_stage4),
            loss_mmd=dict(
                s_feature=dict(student_stage4, connector='proj'),
                t_feature=teacher_stage4))),
    # an MLP on the pooled (N, 128) features (it pools maps itself)
    discriminator=dict(type='PooledFeatureDiscriminator', hidden_channels=128),
    adversarial_inputs=dict(
        student=dict(student_stage4, connector='proj'),
        teacher=teacher_stage4),
    adversarial_loss=dict(type='CRKDAdversarialLoss', loss_weight=0.1),
    discriminator_steps=1)

# one optimizer per attribute of the algorithm: the student and the
# distiller (connector) with the schedule's AdamW and clipping, the
# discriminator with Adam (lr 1e-4, betas (0.5, 0.999)); param_scheduler
# (warm-up + poly) applies to all three
student_optim = dict(
    optimizer=dict(type='AdamW', lr=3e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=10, norm_type=2))
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=student_optim,
    distiller=student_optim,
    discriminator=dict(
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))

# distributed runs: the algorithm averages each optimizer's gradients over
# the ranks itself (DDP cannot follow its separate optimizer steps)
model_wrapper_cfg = dict(type='mmrazor.SelfSyncedDataParallel')
# scores the student (32x32 input, 64x64 ground truth), then the teacher
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='SegLocalVisualizer')  # named per run by the Runner
default_hooks = dict(
    logger=dict(interval=20, log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval={{_base_.val_interval}}))
log_processor = dict(by_epoch=False)
