# Source teacher for the embedded transfer benchmark: an mmpretrain
# ResNet-18 (CIFAR stem, width 32) trained on all 1,400 digits labels.
_base_ = [
    '../_base_/models/digits_resnet18_cifar.py',
    '../_base_/datasets/digits_cls.py',
    '../_base_/schedules/digits_cls.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmpretrain'
model = {{_base_.teacher_model}}
