# CRKD (Feng, Lai, Xie; IEEE TIP 2021) for object detection on COCO with
# mmdet models and mmdet's dataset, schedule and runtime: the HR teacher,
# RetinaNet R-50 FPN (mmdet model zoo), reads the images as mmdet's
# pipeline gives them (1333x800); the LR student, RetinaNet R-18 FPN, reads
# them at half the size (r = 2, 4x fewer pixels). The view rescales the
# boxes, img_shape, pad_shape, batch_input_shape and scale_factor, so the
# student's losses and its predictions (in original-image coordinates) stay
# right. Terms (our forms, see README): resolution-aware feature
# distillation on FPN P3 and P4 (both FPNs are 256 wide; the loss resizes
# the student's level to the teacher's of the same stride at every step,
# whatever the image size), no logit term (per-anchor sigmoid scores);
# relation pair loss, MMD² and an adversarial term on the globally pooled P3
# features. Untuned; not run by us (no COCO on this machine); the model
# builds in a test.
_base_ = [
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
    '../_base_/models/coco_retinanet_r50_r18.py',
    '../_base_/distillers/crkd_dense.py',
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


def _fpn(level, from_student):
    return dict(recorder='fpn', from_student=from_student, data_idx=level)


def _rad(level_size):
    # ||.||² summed over 256 x H x W values; 1 / (256 * level_size) keeps
    # it near a per-value mean at 1333x800 (ours, not tuned)
    return dict(
        type='CRKDResolutionAwareLoss',
        logit_weight=0.,
        feature_weight=1.0 / (256 * level_size),
        loss_weight=1.0)


# The student is randomly initialised, so nothing is frozen. To start it
# from ImageNet weights as mmdet does, set
# model.architecture.backbone.init_cfg=dict(type='Pretrained',
# checkpoint=<local torchvision resnet18 file>) with frozen_stages=1 and
# norm_eval=True.
model = dict(
    architecture=_base_.coco_student_model,
    # the resized batch is padded to a multiple of the largest FPN stride
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, pad_size_divisor=32),
    # the teacher only gives its FPN features (no loss of its own)
    teachers=dict(
        teacher=dict(
            cfg=_base_.coco_teacher_model, ckpt=teacher_ckpt, mode='tensor')),
    # checks the views and sizes the discriminator (widths only): a small
    # dummy input is enough
    input_shape=(3, 128, 128),
    distiller=dict(
        student_recorders=dict(fpn=dict(type='ModuleOutputs', source='neck')),
        teacher_recorders=dict(
            fpn=dict(type='ModuleOutputs', source='teacher.neck')),
        distill_losses=dict(
            loss_rad_p3=_rad(100 * 167), loss_rad_p4=_rad(50 * 84)),
        loss_forward_mappings=dict(
            loss_rad_p3=dict(
                s_feature=_fpn(0, True), t_feature=_fpn(0, False)),
            loss_rad_p4=dict(
                s_feature=_fpn(1, True), t_feature=_fpn(1, False)),
            loss_pair=dict(s_feature=_fpn(0, True), t_feature=_fpn(0, False)),
            loss_mmd=dict(s_feature=_fpn(0, True), t_feature=_fpn(0, False)))),
    # an MLP on the pooled (N, 256) P3 features (it pools maps itself)
    discriminator=dict(hidden_channels=256),
    adversarial_inputs=dict(student=_fpn(0, True), teacher=_fpn(0, False)))
del _fpn, _rad

# mmdet's retinanet_r18_fpn_1x_coco optimizer for the student, Adam for the
# discriminator; the 1x schedule applies to both
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9,
                       weight_decay=0.0001)),
    discriminator=_base_.crkd_discriminator_optim)
find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')

# mmdet's runtime names the visualizer 'visualizer'; without a fixed name
# the Runner names it per run, so runs in one process keep their dirs
visualizer = dict(
    _delete_=True,
    type='DetLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')])
