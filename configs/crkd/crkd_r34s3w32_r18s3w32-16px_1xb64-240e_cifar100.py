# CRKD (Feng, Lai, Xie; IEEE TIP 2021) on CIFAR-100 with a 32 -> 16 px
# student: the HR teacher (ResNet_CIFAR "R34-s3-w32", trained alone by
# configs/baselines/teacher_r34s3w32_1xb64-240e_cifar100.py) reads the 32x32
# images; the LR student ("R18-s3-w32") reads them at 16x16 (r = 2, 4x
# fewer pixels). Terms as in the digits config (our forms, see README):
# resolution-aware KD on logits, relation pair loss and MMD² on the pooled
# 128-d embeddings, and an adversarial term from a discriminator with its
# own optimizer. Schedule: the CIFAR-100 schedule of
# ../_base_/schedules/cifar100_240e.py for the student. Not run by us (no
# CIFAR-100 on this machine); the model builds in a test.
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/models/afd_cifar100_resnet.py',
    '../_base_/schedules/cifar100_240e.py',
    '../_base_/default_runtime.py',
    '../_base_/distillers/crkd_pooled.py',
]
default_scope = 'mmpretrain'

# ---- paths: set these (a base's variables do not reach this file's
# fields, so the dataloaders are set again below) ----
data_root = 'data/cifar100'
teacher_ckpt = 'work_dirs/teacher_r34s3w32_1xb64-240e_cifar100/epoch_240.pth'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

# the algorithm preprocesses once, then gives each model its view
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

model = dict(
    _scope_='mmrazor',
    type='AdversarialMultiTeacherDistill',
    architecture={{_base_.cifar_student}},
    teachers=dict(
        teacher=dict(cfg={{_base_.cifar_teacher}}, ckpt=teacher_ckpt)),
    student_view=dict(type='ResolutionView', scale_factor=0.5),
    input_shape=(3, 32, 32),
    expect_lower_resolution=True,
    distiller=_base_.crkd_pooled_distiller,
    discriminator=dict(type='PooledFeatureDiscriminator', hidden_channels=256),
    **_base_.crkd_pooled_adversarial)

# the student (and the distiller, parameter-free at equal widths) with the
# schedule's SGD; the discriminator with Adam (lr 1e-4, betas (0.5, 0.999))
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4)),
    discriminator=dict(
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))

# scores the student (on its 16x16 view), then the teacher as teacher.*
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
default_hooks = dict(logger=dict(interval=100))
