# A second source teacher for the TMU feature adapter (configs/tmu/), trained
# on other data than the 8x8 teacher: the digits at 4x4 (each 8x8 digit
# shrunk by 2x2 averaging, as for the 4x4 student), all 1,400 labels. Same
# network (ResNet-18, CIFAR stem, width 32) and schedule as
# teacher_r18w32_1xb64_digits-cls.py.
_base_ = ['./teacher_r18w32_1xb64_digits-cls.py']
img_size = 4
train_dataloader = dict(dataset=dict(img_size=img_size))
val_dataloader = dict(dataset=dict(img_size=img_size))
test_dataloader = val_dataloader
