# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) for semantic
# segmentation on Cityscapes with mmseg models and mmseg's own dataset,
# schedule and runtime: FCN R50-d8 teacher (mmseg model zoo) -> FCN R18-d8
# student, both as in mmseg's fcn_r{50,18}-d8_4xb2-80k_cityscapes-512x1024.
# Loss: the student's CE (+ auxiliary head) + beta * L_AFD over every
# residual block (teacher 16 maps, student 8).
# Ours: no logit term; beta=200 is the paper's CIFAR value, untested here.
# Not run by us (no Cityscapes on this machine); the model builds in a test.
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/distillers/afd_resnet_blocks.py',
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


model = dict(
    architecture=_fcn(18, 512, 128, 64),
    teachers=dict(
        teacher=dict(cfg=_fcn(50, 2048, 512, 256), ckpt=teacher_ckpt)),
    # the build-time dry forward only reads channel counts (AFD reads the
    # spatial sizes at every step), so a small dummy input is enough
    input_shape=(3, 64, 64))

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=2000)]

# mmseg's/mmdet's runtime names the visualizer 'visualizer'; without a fixed
# name the Runner names it per run, so runs in one process keep their dirs
visualizer = dict(
    _delete_=True,
    type='SegLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')])
