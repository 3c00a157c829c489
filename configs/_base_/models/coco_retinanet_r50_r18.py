# RetinaNet R-50 FPN (teacher) and R-18 FPN (student) as in mmdet's
# retinanet_r{50,18}_fpn_1x_coco, for the COCO distillation configs (AFD,
# CRKD). Model dicts only: dataset paths stay in each config (mmengine
# refuses a key defined by two bases).
_base_ = ['./retinanet_head_parts.py']
det_data_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=32)


def _retinanet(depth, in_channels, frozen_stages, norm_eval):
    # mmdet's configs/_base_/models/retinanet_r50_fpn.py; init_cfg None:
    # nothing is downloaded at run time.
    return dict(
        _scope_='mmdet',
        type='RetinaNet',
        data_preprocessor=det_data_preprocessor,
        backbone=dict(
            type='ResNet',
            depth=depth,
            num_stages=4,
            out_indices=(0, 1, 2, 3),
            frozen_stages=frozen_stages,
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=norm_eval,
            style='pytorch',
            init_cfg=None),
        neck=dict(
            type='FPN',
            in_channels=in_channels,
            out_channels=256,
            start_level=1,
            add_extra_convs='on_input',
            num_outs=5),
        bbox_head=dict(
            type='RetinaHead',
            num_classes=80,
            in_channels=256,
            stacked_convs=4,
            feat_channels=256,
            anchor_generator=dict(
                type='AnchorGenerator',
                octave_base_scale=4,
                scales_per_octave=3,
                ratios=[0.5, 1.0, 2.0],
                strides=[8, 16, 32, 64, 128]),
            **_base_.retinanet_head_losses),
        train_cfg=_base_.retinanet_train_cfg,
        test_cfg=_base_.retinanet_test_cfg)


coco_teacher_model = _retinanet(50, [256, 512, 1024, 2048], 1, True)
coco_student_model = _retinanet(18, [64, 128, 256, 512], -1, False)
del _retinanet
