# CRKD (Feng, Lai, Xie; IEEE TIP 2021) for semantic segmentation on
# Cityscapes with mmseg models and mmseg's dataset, schedule and runtime:
# the HR teacher, FCN R50-d8 (mmseg model zoo), reads the 512x1024 crops;
# the LR student, FCN R18-d8, reads them at 256x512 (r = 2, 4x fewer
# pixels) and is scored against the full-resolution ground truth
# (seg_target='keep': mmseg resizes its logits to the map's size).
# Terms (our forms, see README): resolution-aware KD on the decode head's
# logits (the student's resized to the teacher's) plus a feature term on
# the last backbone stage (512 -> 2048 channels by a 1x1 conv, then resized
# to the teacher's map by the loss); relation pair loss, MMD² and an
# adversarial term on the globally pooled last-stage features. Untuned; not
# run by us (no Cityscapes on this machine); the model builds in a test.
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    'mmseg::_base_/default_runtime.py',
]
custom_imports = dict(imports=['mmkd_transfer'], allow_failed_imports=False)

# ---- paths: set these (or override with --cfg-options) ----
data_root = 'data/cityscapes/'
# mmseg's FCN R50-d8 Cityscapes weights as a local file; download once from
# download.openmmlab.com/mmsegmentation/v0.5/fcn/ (file name below)
teacher_ckpt = 'checkpoints/fcn_r50-d8_512x1024_80k_cityscapes_20200606_113019-03aa804d.pth'  # noqa: E501

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

crop_size = (512, 1024)
norm_cfg = dict(type='SyncBN', requires_grad=True)
seg_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)


def _fcn(depth, channels, head_channels, aux_channels):
    # mmseg's configs/_base_/models/fcn_r50-d8.py with 19 classes; init_cfg
    # and pretrained None: nothing is downloaded at run time. To start the
    # student from ImageNet weights, set
    # model.architecture.backbone.init_cfg=dict(type='Pretrained',
    # checkpoint=<local resnet18_v1c file>).
    return dict(
        _scope_='mmseg',
        type='EncoderDecoder',
        data_preprocessor=seg_data_preprocessor,
        pretrained=None,
        backbone=dict(
            type='ResNetV1c',
            depth=depth,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1),
            norm_cfg=norm_cfg,
            norm_eval=False,
            style='pytorch',
            contract_dilation=True,
            init_cfg=None),
        decode_head=dict(
            type='FCNHead',
            in_channels=channels,
            in_index=3,
            channels=head_channels,
            num_convs=2,
            concat_input=True,
            dropout_ratio=0.1,
            num_classes=19,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
        auxiliary_head=dict(
            type='FCNHead',
            in_channels=channels // 2,
            in_index=2,
            channels=aux_channels,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.1,
            num_classes=19,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


# record specs: the last backbone stage (out_indices (0, 1, 2, 3))
student_stage4 = dict(recorder='backbone', from_student=True, data_idx=3)
teacher_stage4 = dict(recorder='backbone', from_student=False, data_idx=3)

model = dict(
    _scope_='mmrazor',
    type='AdversarialMultiTeacherDistill',
    architecture=_fcn(18, 512, 128, 64),
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, seg_target='keep'),
    # the teacher only gives its logits and features (no loss of its own)
    teachers=dict(
        teacher=dict(
            cfg=_fcn(50, 2048, 512, 256), ckpt=teacher_ckpt, mode='tensor')),
    # checks the views and sizes the discriminator (widths only): a small
    # dummy input is enough
    input_shape=(3, 64, 128),
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
        # 512 -> 2048 channels on the LR map; crops of any size: the loss
        # resizes the result to the teacher's map at every step
        connectors=dict(
            proj=dict(
                type='ConvModuleConnector',
                in_channel=512,
                out_channel=2048,
                kernel_size=1,
                act_cfg=None)),
        distill_losses=dict(
            # the feature term is summed over 2048 channels x H x W: 1e-4
            # keeps it near the CE at init (ours, not tuned)
            loss_rad=dict(
                type='CRKDResolutionAwareLoss',
                tau=4.0,
                feature_weight=1e-4,
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
    # an MLP on the pooled (N, 2048) features (it pools maps itself)
    discriminator=dict(type='PooledFeatureDiscriminator', hidden_channels=256),
    adversarial_inputs=dict(
        student=dict(student_stage4, connector='proj'),
        teacher=teacher_stage4),
    adversarial_loss=dict(type='CRKDAdversarialLoss', loss_weight=0.1),
    discriminator_steps=1)

# mmseg's schedule_80k optimizer (SGD 0.01) for the student and the
# connector, Adam for the discriminator; the poly schedule applies to all
student_optim = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0005),
    clip_grad=None)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=student_optim,
    distiller=student_optim,
    discriminator=dict(
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')

# mmseg's runtime names the visualizer 'visualizer'; without a fixed name
# the Runner names it per run, so runs in one process keep their dirs
visualizer = dict(
    _delete_=True,
    type='SegLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')])
