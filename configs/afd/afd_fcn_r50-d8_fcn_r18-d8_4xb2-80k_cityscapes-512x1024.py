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
    '../_base_/models/cityscapes_fcn_r50_r18.py',
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

model = dict(
    architecture=_base_.cityscapes_student_model,
    teachers=dict(
        teacher=dict(cfg=_base_.cityscapes_teacher_model, ckpt=teacher_ckpt)),
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
