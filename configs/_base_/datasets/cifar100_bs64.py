# CIFAR-100 (mmpretrain's dataset settings) at batch 64, read from a local
# folder (the python version: cifar-100-python/ inside), never downloaded at
# run time. Set data_root in the config (a base's variables do not reach
# the fields of the files that inherit it), or with --cfg-options.
_base_ = ['mmpretrain::_base_/datasets/cifar100_bs16.py']

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
