# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) for object
# detection on COCO with mmdet models and mmdet's own dataset, schedule and
# runtime: RetinaNet R-50 FPN teacher (mmdet model zoo) -> RetinaNet R-18
# FPN student, as in mmdet's retinanet_r{50,18}_fpn_1x_coco.
# Loss: the student's focal + L1 losses + beta * L_AFD over every residual
# block and all five FPN levels (teacher 16 + 5 maps, student 8 + 5).
# Ours: no logit term; beta=200 is the paper's CIFAR value, untested here.
# Not run by us (no COCO on this machine); the model builds in a test.
_base_ = [
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
    '../_base_/distillers/afd_resnet_blocks.py',
]
custom_imports = dict(imports=['mmkd_transfer'], allow_failed_imports=False)

# ---- paths: set these (or override with --cfg-options) ----
data_root = 'data/coco/'
# mmdet's RetinaNet R-50 FPN 1x COCO weights as a local file; download once
# from download.openmmlab.com/mmdetection/v2.0/retinanet/ (file name below)
teacher_ckpt = 'checkpoints/retinanet_r50_fpn_1x_coco_20200130-c2398f9e.pth'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator

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
            max_per_img=100))


# The student is randomly initialised, so nothing is frozen. To start it
# from ImageNet weights as mmdet does, set
# model.architecture.backbone.init_cfg=dict(type='Pretrained',
# checkpoint=<local torchvision resnet18 file>) with frozen_stages=1 and
# norm_eval=True.
# every residual block and all five FPN levels
features = ['backbone.layer*.*', 'neck.fpn_convs.*']
model = dict(
    architecture=_retinanet(18, [64, 128, 256, 512], -1, False),
    teachers=dict(
        teacher=dict(
            cfg=_retinanet(50, [256, 512, 1024, 2048], 1, True),
            ckpt=teacher_ckpt)),
    # the build-time dry forward only reads channel counts (AFD reads the
    # spatial sizes at every step), so a small dummy input is enough
    input_shape=(3, 64, 64),
    distiller=dict(
        student_recorders=dict(blocks=dict(source=features)),
        teacher_recorders=dict(
            blocks=dict(source=['teacher.' + f for f in features]))))

# mmdet's retinanet_r18_fpn_1x_coco settings
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))
find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=2000)]

# mmseg's/mmdet's runtime names the visualizer 'visualizer'; without a fixed
# name the Runner names it per run, so runs in one process keep their dirs
visualizer = dict(
    _delete_=True,
    type='DetLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')])
