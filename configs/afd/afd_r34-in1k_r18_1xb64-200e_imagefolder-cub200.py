# AFD in the paper's transfer-learning setting (Show, Attend and Distill;
# Ji, Heo, Park; AAAI 2021): an ImageNet-pretrained ResNet-34 (mmpretrain,
# frozen) guides a ResNet-18 trained from scratch on a target dataset such
# as CUB-200-2011, stored as an ImageFolder (one sub-folder per class):
#   <data_root>/train/<class>/*.jpg   <data_root>/test/<class>/*.jpg
# Loss: CE + beta * L_AFD over every residual block (teacher 16 maps,
# student 8). The teacher's classifier is for ImageNet's 1,000 classes, so
# there is no logit KD term and the teacher is not evaluated on the target.
# beta=50 comes from a third-party ImageNet R34->R18 port of AFD, not from
# the paper. The schedule below is ours (not from the paper; not run here).
_base_ = [
    '../_base_/datasets/imagefolder_cub200.py',
    '../_base_/models/cub200_resnet.py',
    '../_base_/default_runtime.py',
    '../_base_/distillers/afd_resnet_blocks.py',
]
default_scope = 'mmpretrain'

# ---- paths: set these (or override with --cfg-options) ----
data_root = 'data/cub200'
# mmpretrain's ImageNet ResNet-34 as a local file; download it once from
# download.openmmlab.com/mmclassification/v0/resnet/ (file name below)
teacher_ckpt = 'checkpoints/resnet34_8xb32_in1k_20210831-f257d4e6.pth'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

model = dict(
    teachers=dict(
        teacher=dict(
            # the source model: mmpretrain's resnet34_8xb32_in1k, as trained
            cfg=_base_.imagenet_resnet34,
            ckpt=teacher_ckpt,
            # the ImageNet head has no target labels: features only
            mode='tensor')),
    # the target model, randomly initialised
    architecture=_base_.cub200_resnet18,
    # the build-time dry forward only reads channel counts (AFD reads the
    # spatial sizes at every step), so a small dummy input is enough
    input_shape=(3, 64, 64),
    distiller=dict(distill_losses=dict(loss_afd=dict(loss_weight=50.))))

# ours: SGD 0.1, momentum 0.9, wd 5e-4, batch 64, 200 epochs, cosine
max_epochs = 200
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type='CosineAnnealingLR',
    by_epoch=True,
    T_max=max_epochs,
    begin=0,
    end=max_epochs)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
val_cfg = dict()  # the student only: the teacher has ImageNet classes
test_cfg = dict()
default_hooks = dict(logger=dict(interval=50))
