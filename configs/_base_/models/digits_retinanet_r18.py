# mmdet RetinaNet (ResNet-18 + FPN) for the 64x64 digits detection set (10
# classes, digits 16-28 px). Anchors start at 16 px (octave_base_scale=2 at
# stride 8). Width 16 teacher, width 8 student; both FPNs are 64 wide so FPN
# features can be distilled without a connector. No pretrained weights.
det_data_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=[77.7, 77.7, 77.7],
    std=[95.8, 95.8, 95.8],
    bgr_to_rgb=False,
    pad_size_divisor=32)


def _retinanet(width):
    return dict(
        _scope_='mmdet',
        type='RetinaNet',
        data_preprocessor=det_data_preprocessor,
        backbone=dict(
            type='ResNet',
            depth=18,
            base_channels=width,
            num_stages=4,
            out_indices=(1, 2, 3),
            frozen_stages=-1,
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=False,
            style='pytorch',
            init_cfg=None),
        neck=dict(
            type='FPN',
            in_channels=[width * 2, width * 4, width * 8],
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
                strides=[8, 16, 32, 64, 128]),
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[.0, .0, .0, .0],
                target_stds=[1.0, 1.0, 1.0, 1.0]),
            loss_cls=dict(
                type='FocalLoss',
                use_sigmoid=True,
                gamma=2.0,
                alpha=0.25,
                loss_weight=1.0),
            loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
        train_cfg=dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.4,
                min_pos_iou=0,
                ignore_iof_thr=-1),
            sampler=dict(type='PseudoSampler'),
            allowed_border=-1,
            pos_weight=-1,
            debug=False),
        test_cfg=dict(
            nms_pre=1000,
            min_bbox_size=0,
            score_thr=0.05,
            nms=dict(type='nms', iou_threshold=0.5),
            max_per_img=20))


det_teacher_model = _retinanet(16)
det_student_model = _retinanet(8)
del _retinanet
