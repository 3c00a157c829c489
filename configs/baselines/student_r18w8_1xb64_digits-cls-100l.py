# The target student trained alone: a 16x smaller ResNet-18 (width 8) that
# sees only 100 labelled digits (the other 1,300 carry no loss here).
_base_ = [
    '../_base_/models/digits_resnet18_cifar.py',
    '../_base_/datasets/digits_cls.py',
    '../_base_/schedules/digits_cls.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmpretrain'
num_labelled = 100
train_dataloader = dict(dataset=dict(num_labelled=num_labelled))
model = {{_base_.student_model}}
