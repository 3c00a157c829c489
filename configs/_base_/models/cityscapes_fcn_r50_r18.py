# FCN R50-d8 (teacher) and FCN R18-d8 (student) as in mmseg's
# fcn_r{50,18}-d8_4xb2-80k_cityscapes-512x1024, for the Cityscapes
# distillation configs (AFD, CRKD). Model dicts only: the dataset, its paths
# and crop_size come from mmseg's _base_/datasets/cityscapes.py, which every
# such config lists (mmengine refuses a key defined by two bases).
norm_cfg = dict(type='SyncBN', requires_grad=True)
seg_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(512, 1024))  # mmseg's Cityscapes crop_size


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


cityscapes_teacher_model = _fcn(50, 2048, 512, 256)
cityscapes_student_model = _fcn(18, 512, 128, 64)
del _fcn
