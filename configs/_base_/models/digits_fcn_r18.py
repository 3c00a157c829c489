# mmseg FCN (dilated ResNetV1c-18, output stride 8) for the 64x64 digits
# segmentation set: 11 classes (background + 10 digits). Width 16 teacher,
# width 8 student; no pretrained weights (nothing is downloaded). A third
# model, the width 8 student for the 32x32 view, has output stride 4 (see
# seg_lr_student_model below).
norm_cfg = dict(type='BN', requires_grad=True)
seg_data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[77.7, 77.7, 77.7],
    std=[95.8, 95.8, 95.8],
    bgr_to_rgb=False,
    pad_val=0,
    seg_pad_val=255,
    size=(64, 64))


def _fcn(width, strides=(1, 2, 1, 1)):
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
            strides=strides,
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
# The low-resolution (LR) student reads the scenes at 32x32 (half the side).
# Its network stride is halved as the image is: output stride 4 (no stride
# in stage 2), same dilations. From stage 2 on its maps are 8x8 at 32x32,
# the size of the HR models' maps at 64x64, so each cell covers the same
# part of the scene (8x8 px) and its logits are 8x8 like the teacher's.
# With output stride 8 the 32x32 student had 4x4 logits, one cell per
# 16x16 px, coarser than most digits: it predicted background everywhere.
# Chosen from this geometry, not from validation scores.
seg_lr_student_model = _fcn(8, strides=(1, 1, 1, 1))
del _fcn
