# Teacher for the paper's CIFAR-100 setting (Show, Attend and Distill; Ji,
# Heo, Park; AAAI 2021): a WRN-40-2-sized ResNet_CIFAR (3 stages, 13 blocks,
# widths 32/64/128; see ../_base_/models/afd_cifar100_resnet.py), trained
# alone with the paper's schedule. The authors ship a trained WRN-40-2; it
# does not load into this model, so train this one first.
_base_ = [
    'mmpretrain::_base_/datasets/cifar100_bs16.py',
    '../_base_/models/afd_cifar100_resnet.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmpretrain'

# where CIFAR-100 lies (the python version: cifar-100-python/ inside);
# never downloaded at run time
data_root = 'data/cifar100'
train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(data_root=data_root, download=False))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(data_root=data_root, download=False))
test_dataloader = val_dataloader

model = {{_base_.cifar_teacher}}

# the paper's schedule: SGD 0.05, momentum 0.9, wd 5e-4, batch 64,
# 240 epochs, lr x0.1 at epochs 150/180/210
max_epochs = 240
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[150, 180, 210], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
val_cfg = dict()
test_cfg = dict()
default_hooks = dict(logger=dict(interval=100))
