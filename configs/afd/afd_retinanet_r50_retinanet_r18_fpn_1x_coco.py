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
    '../_base_/models/coco_retinanet_r50_r18.py',
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

# The student is randomly initialised, so nothing is frozen. To start it
# from ImageNet weights as mmdet does, set
# model.architecture.backbone.init_cfg=dict(type='Pretrained',
# checkpoint=<local torchvision resnet18 file>) with frozen_stages=1 and
# norm_eval=True.
# every residual block and all five FPN levels
features = ['backbone.layer*.*', 'neck.fpn_convs.*']
model = dict(
    architecture=_base_.coco_student_model,
    teachers=dict(
        teacher=dict(cfg=_base_.coco_teacher_model, ckpt=teacher_ckpt)),
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
