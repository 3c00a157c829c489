# CRKD (Feng, Lai, Xie; IEEE TIP 2021) for semantic segmentation on
# Cityscapes with mmseg models and mmseg's dataset, schedule and runtime:
# the HR teacher, FCN R50-d8 (mmseg model zoo), reads the 512x1024 crops;
# the LR student, FCN R18-d8, reads them at 256x512 (r = 2, 4x fewer
# pixels) and is scored against the full-resolution ground truth
# (seg_target='keep': mmseg resizes its logits to the map's size).
# Terms (our forms, see README): resolution-aware KD on the decode head's
# logits (the student's resized to the teacher's) plus a feature term on
# the last backbone stage (512 -> 2048 channels by a 1x1 conv, then resized
# to the teacher's map by the loss); relation pair loss, MMD² and an
# adversarial term on the globally pooled last-stage features. Untuned; not
# run by us (no Cityscapes on this machine); the model builds in a test.
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/models/cityscapes_fcn_r50_r18.py',
    '../_base_/distillers/crkd_seg_logits_stage4.py',
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
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, seg_target='keep'),
    # the teacher only gives its logits and features (no loss of its own)
    teachers=dict(
        teacher=dict(
            cfg=_base_.cityscapes_teacher_model,
            ckpt=teacher_ckpt,
            mode='tensor')),
    # checks the views and sizes the discriminator (widths only): a small
    # dummy input is enough
    input_shape=(3, 64, 128),
    distiller=dict(
        # 512 -> 2048 channels on the LR map; crops of any size: the loss
        # resizes the result to the teacher's map at every step
        connectors=dict(
            proj=dict(
                type='ConvModuleConnector',
                in_channel=512,
                out_channel=2048,
                kernel_size=1,
                act_cfg=None)),
        distill_losses=dict(
            # the feature term is summed over 2048 channels x H x W: 1e-4
            # keeps it near the CE at init (ours, not tuned)
            loss_rad=dict(feature_weight=1e-4))),
    # pooled (N, 2048) features
    discriminator=dict(hidden_channels=256))

# mmseg's schedule_80k optimizer (SGD 0.01) for the student and the
# connector, Adam for the discriminator; the poly schedule applies to all
student_optim = dict(
    optimizer=_base_.optim_wrapper.optimizer,
    clip_grad=_base_.optim_wrapper.clip_grad)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=student_optim,
    distiller=student_optim,
    discriminator=_base_.crkd_discriminator_optim)

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')

# mmseg's runtime names the visualizer 'visualizer'; without a fixed name
# the Runner names it per run, so runs in one process keep their dirs
visualizer = dict(
    _delete_=True,
    type='SegLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')])
