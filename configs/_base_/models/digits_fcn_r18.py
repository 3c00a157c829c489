# mmseg FCN (dilated ResNetV1c-18, output stride 8) for the 64x64 digits
# segmentation set: 11 classes (background + 10 digits). Width 16 teacher,
# width 8 student; no pretrained weights (nothing is downloaded).
norm_cfg = dict(type='BN', requires_grad=True)
seg_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[77.7, 77.7, 77.7],
    std=[95.8, 95.8, 95.8],
    bgr_to_rgb=False,
    pad_val=0,
    seg_pad_val=255,
    size=(64, 64))


def _fcn(width):
    return dict(
        _scope_='mmseg',
        type='EncoderDecoder',
        data_preprocessor=seg_data_preprocessor,
        backbone=dict(
            type='ResNetV1c',
            depth=18,
            stem_channels=width,
            base_channels=width,
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
            in_channels=width * 8,
            in_index=3,
            channels=width * 4,
            num_convs=1,
            concat_input=False,
            dropout_ratio=0.1,
            num_classes=11,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


seg_teacher_model = _fcn(16)
seg_student_model = _fcn(8)
del _fcn
