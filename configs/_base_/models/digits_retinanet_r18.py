# mmdet RetinaNet (ResNet-18 + FPN) for the 64x64 digits detection set (10
# classes, digits 16-28 px). Anchors start at 16 px (octave_base_scale=2 at
# stride 8). Width 16 teacher, width 8 student; both FPNs are 64 wide so FPN
# features can be distilled without a connector. No pretrained weights. A
# third model, the width 8 student for the 32x32 view, starts its FPN at
# stride 4 (see det_lr_student_model below).
_base_ = ['./retinanet_head_parts.py']
det_data_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=[77.7, 77.7, 77.7],
    std=[95.8, 95.8, 95.8],
    bgr_to_rgb=False,
    pad_size_divisor=32)


def _retinanet(width, first_stage=1):
    # the FPN starts at backbone stage `first_stage` (stride 4 * 2**stage)
    # and has 5 levels; each level's anchors start at 2x its stride
    stages = range(first_stage, 4)
    first_stride = 4 * 2**first_stage
    return dict(
        _scope_='mmdet',
        type='RetinaNet',
        data_preprocessor=det_data_preprocessor,
        backbone=dict(
            type='ResNet',
            depth=18,
            base_channels=width,
            num_stages=4,
            out_indices=tuple(stages),
            frozen_stages=-1,
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=False,
            style='pytorch',
            init_cfg=None),
        neck=dict(
            type='FPN',
            in_channels=[width * 2**stage for stage in stages],
            out_channels=64,
            start_level=0,
            add_extra_convs='on_input',
            num_outs=5),
        bbox_head=dict(
            type='RetinaHead',
            num_classes=10,
            in_channels=64,
            stacked_convs=2,
            feat_channels=64,
            anchor_generator=dict(
                type='AnchorGenerator',
                octave_base_scale=2,
                scales_per_octave=3,
                ratios=[0.5, 1.0, 2.0],
                strides=[first_stride * 2**level for level in range(5)]),
            **_base_.retinanet_head_losses),
        train_cfg=_base_.retinanet_train_cfg,
        test_cfg=dict(_base_.retinanet_test_cfg, max_per_img=20))


det_teacher_model = _retinanet(16)
det_student_model = _retinanet(8)
# The low-resolution (LR) student reads the scenes at 32x32 (half the side),
# where the digits are 8-14 px. Its network stride is halved as the image
# is: the FPN starts at stage 0 (stride 4; levels at strides 4-64) and its
# anchors at 8 px (octave_base_scale=2 at stride 4), so anchor/stride and
# anchor/object ratios are the HR model's. FPN level i of this student at
# 32x32 has the size of level i of the HR models at 64x64 (8x8, 4x4, ...).
# With the HR model's strides and 16-25 px anchors at 32x32, no anchor
# matched a digit well and the student stayed at a few % mAP. Chosen from
# this geometry, not from validation scores.
det_lr_student_model = _retinanet(8, first_stage=0)
del _retinanet
