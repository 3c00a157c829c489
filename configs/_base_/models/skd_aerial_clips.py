# SKD (Li, Fu, Zhao, Ge; "Spatiotemporal Knowledge Distillation for
# Efficient Estimation of Aerial Video Saliency", IEEE TIP 2020) models for
# clips of frames t and t+1 (N, 2, 3, H, W):
# - teachers: mmseg FCN, ResNetV1c-18 width 16 (digits_fcn_r18.py's
#   teacher), output stride 4, one output channel (a saliency map after a
#   sigmoid, soft BCE against the map); the
#   spatial one reads frame t, the temporal one frames t and t+1 stacked in
#   the channels (6 input channels); both at the high resolution (HR);
# - students (configs/skd/README.md): SKDSaliencyModel with the spatial or
#   the temporal (siamese, frame-difference) trunk, at the low resolution
#   (LR, HR x student_scale);
# - the spatiotemporal model of stage 2 (both trunks, frozen, + fusion head);
# - the stage-1 distillation algorithms: each student regresses its
#   teacher's map (rho = 1) and the ground truth (its own MSE).
# Each model carries a data preprocessor with its view, used when it is
# trained alone; inside MultiTeacherDistill the algorithm's preprocessor
# (no view) runs and each model gets its view from the algorithm instead.
# Our choices (not given by the paper): the teachers, student_scale = 1/2,
# the normalisation.
_base_ = ['./digits_fcn_r18.py']  # the teachers' FCN
student_scale = 0.5
rho = 1.0  # weight of the teacher term: L = rho*MSE(S, T) + MSE(S, G)
clip_shape = (2, 3, 64, 64)  # one preprocessed clip before any view

frame_t = dict(type='FrameView', frames=0)
frame_pair = dict(type='FrameView', frames=(0, 1))
frame_pair_stacked = dict(
    type='FrameView', frames=(0, 1), out_layout='channel_stacked')
to_lr = dict(type='ResolutionView', scale_factor=student_scale)
spatial_student_view = [frame_t, to_lr]
temporal_student_view = [frame_pair, to_lr]

clip_preprocessor = dict(
    type='mmrazor.SaliencyClipDataPreprocessor',
    mean=[127.5, 127.5, 127.5],
    std=[64.0, 64.0, 64.0])


def _fcn(in_channels, view):
    # the digits segmentation teacher (width 16), at output stride 4 (no
    # stride-2 stage) and with one output channel: a map after a sigmoid
    fcn = _base_.seg_teacher_model
    return dict(
        fcn,
        data_preprocessor=dict(clip_preprocessor, view=view),
        backbone=dict(
            fcn.backbone, in_channels=in_channels, strides=(1, 1, 1, 1)),
        decode_head=dict(
            fcn.decode_head,
            num_classes=1,
            out_channels=1,
            threshold=0.5,
            loss_decode=dict(fcn.decode_head.loss_decode, use_sigmoid=True)))


def _student(trunk, view):
    return dict(
        _scope_='mmrazor',
        type='SKDSaliencyModel',
        trunk=dict(type=trunk),
        head=dict(type='SKDDeconvHead', channels=(64, 16)),
        loss_saliency=dict(type='SKDSaliencyMSELoss'),
        data_preprocessor=dict(clip_preprocessor, view=view))


def _stage1(student, student_view, name, teacher, teacher_view):
    return dict(
        _scope_='mmrazor',
        type='MultiTeacherDistill',
        data_preprocessor=clip_preprocessor,
        architecture=student,
        student_view=student_view,
        # the teacher only gives its map (no loss of its own)
        teachers={
            name:
            dict(cfg=teacher, ckpt=None, view=teacher_view, mode='tensor')
        },
        input_shape=clip_shape,  # views checked at build (clip too short)
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(
                logits=dict(type='ModuleOutputs', source='head')),
            teacher_recorders=dict(
                logits=dict(
                    type='ModuleOutputs',
                    source=f'{name}.decode_head.conv_seg')),
            distill_losses=dict(
                loss_teacher_map=dict(
                    type='SKDSaliencyMSELoss',
                    target_activation='sigmoid',
                    loss_weight=rho)),
            loss_forward_mappings=dict(
                loss_teacher_map=dict(
                    preds_S=dict(recorder='logits', from_student=True),
                    preds_T=dict(recorder='logits', from_student=False)))))


spatial_teacher = _fcn(3, frame_t)
temporal_teacher = _fcn(6, frame_pair_stacked)
spatial_student = _student('SKDSpatialTrunk', spatial_student_view)
temporal_student = _student('SKDTemporalTrunk', temporal_student_view)
skd_stage1_spatial = _stage1(spatial_student, spatial_student_view, 'spatial',
                             spatial_teacher, frame_t)
skd_stage1_temporal = _stage1(temporal_student, temporal_student_view,
                              'temporal', temporal_teacher, frame_pair_stacked)
skd_spatiotemporal = dict(
    _scope_='mmrazor',
    type='SKDSpatioTemporalModel',
    spatial_trunk=dict(type='SKDSpatialTrunk'),
    temporal_trunk=dict(type='SKDTemporalTrunk'),
    fusion_head=dict(
        type='SKDFusionHead', channels=128, deconv_channels=(64, 16)),
    trunk_checkpoints=None,
    freeze_trunks=True,
    loss_saliency=dict(type='SKDSaliencyMSELoss'),
    data_preprocessor=dict(clip_preprocessor, view=temporal_student_view))
del _fcn, _student, _stage1
