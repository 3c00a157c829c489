# Teacher for the paper's CIFAR-100 setting (Show, Attend and Distill; Ji,
# Heo, Park; AAAI 2021): a WRN-40-2-sized ResNet_CIFAR (3 stages, 13 blocks,
# widths 32/64/128; see ../_base_/models/afd_cifar100_resnet.py), trained
# alone with the paper's schedule. The authors ship a trained WRN-40-2; it
# does not load into this model, so train this one first.
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/models/afd_cifar100_resnet.py',
    '../_base_/schedules/cifar100_240e.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmpretrain'

# where CIFAR-100 lies (the python version: cifar-100-python/ inside);
# never downloaded at run time
data_root = 'data/cifar100'
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

model = {{_base_.cifar_teacher}}
default_hooks = dict(logger=dict(interval=100))
