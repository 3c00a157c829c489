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

# record specs of the pooled embeddings (the neck returns a 1-tuple)
student_embedding = dict(recorder='gap', from_student=True, data_idx=0)
teacher_embedding = dict(recorder='gap', from_student=False, data_idx=0)

model = dict(
    _scope_='mmrazor',
    type='AdversarialMultiTeacherDistill',
    architecture={{_base_.cifar_student}},
    teachers=dict(
        teacher=dict(cfg={{_base_.cifar_teacher}}, ckpt=teacher_ckpt)),
    student_view=dict(type='ResolutionView', scale_factor=0.5),
    input_shape=(3, 32, 32),
    expect_lower_resolution=True,
    distiller=dict(
        type='ShapeInferringDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc'),
            gap=dict(type='ModuleOutputs', source='neck')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='teacher.head.fc'),
            gap=dict(type='ModuleOutputs', source='teacher.neck')),
        # both embeddings are 128-d: the dry run finds no projection to add
        # (kept so a student of another width only needs a new backbone)
        connectors=dict(proj=dict(type='ResizeProjectConnector')),
        distill_losses=dict(
            loss_rad=dict(
                type='CRKDResolutionAwareLoss', tau=4.0, loss_weight=1.0),
            loss_pair=dict(
                type='CRKDPairwiseLoss', mode='relation', loss_weight=1.0),
            loss_mmd=dict(type='CRKDMMDLoss', loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_rad=dict(
                preds_S=dict(recorder='fc', from_student=True),
                preds_T=dict(recorder='fc', from_student=False)),
            loss_pair=dict(
                s_feature=student_embedding, t_feature=teacher_embedding),
            loss_mmd=dict(
                s_feature=dict(student_embedding, connector='proj'),
                t_feature=teacher_embedding))),
    discriminator=dict(type='PooledFeatureDiscriminator', hidden_channels=256),
    adversarial_inputs=dict(
        student=dict(student_embedding, connector='proj'),
        teacher=teacher_embedding),
    adversarial_loss=dict(type='CRKDAdversarialLoss', loss_weight=0.1),
    discriminator_steps=1)

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
