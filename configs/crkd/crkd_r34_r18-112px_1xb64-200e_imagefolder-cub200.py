# CRKD (Feng, Lai, Xie; IEEE TIP 2021) on an ImageFolder dataset such as
# CUB-200-2011 (one sub-folder per class):
#   <data_root>/train/<class>/*.jpg   <data_root>/test/<class>/*.jpg
# The HR teacher is a ResNet-34 trained on the target classes at 224x224
# (train it first, e.g. with mmpretrain's resnet34 config on this dataset,
# and set teacher_ckpt); the LR student, a ResNet-18, reads the same crops
# at 112x112 (r = 2, 4x fewer pixels). Terms as in the digits config (our
# forms, see README) on the logits and the pooled 512-d embeddings. The
# schedule is ours (not from the paper). Not run by us (no CUB on this
# machine); the model builds in a test.
_base_ = [
    '../_base_/datasets/imagefolder_cub200.py',
    '../_base_/models/cub200_resnet.py',
    '../_base_/default_runtime.py',
    '../_base_/distillers/crkd_pooled.py',
]
default_scope = 'mmpretrain'

# ---- paths: set these (or override with --cfg-options) ----
data_root = 'data/cub200'
teacher_ckpt = 'work_dirs/teacher_r34_cub200/epoch_200.pth'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

model = dict(
    _scope_='mmrazor',
    type='AdversarialMultiTeacherDistill',
    architecture=_base_.cub200_resnet18,
    teachers=dict(teacher=dict(cfg=_base_.cub200_resnet34, ckpt=teacher_ckpt)),
    student_view=dict(type='ResolutionView', scale_factor=0.5),
    # the dry forward only reads the embeddings' widths: a small input
    input_shape=(3, 64, 64),
    expect_lower_resolution=True,
    distiller=_base_.crkd_pooled_distiller,
    discriminator=dict(type='PooledFeatureDiscriminator', hidden_channels=256),
    **_base_.crkd_pooled_adversarial)

# ours: SGD 0.1, momentum 0.9, wd 5e-4, batch 64, 200 epochs, cosine (all
# optimizers); the discriminator with Adam (lr 1e-4, betas (0.5, 0.999))
max_epochs = 200
optim_wrapper = dict(
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4)),
    discriminator=dict(
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))
param_scheduler = dict(
    type='CosineAnnealingLR',
    by_epoch=True,
    T_max=max_epochs,
    begin=0,
    end=max_epochs)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
# scores the student (on its 112x112 view), then the teacher as teacher.*
val_cfg = dict(type='mmrazor.MultiTeacherValLoop')
test_cfg = dict()
default_hooks = dict(logger=dict(interval=50))
