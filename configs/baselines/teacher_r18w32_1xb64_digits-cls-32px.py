# High-resolution source teacher for the multi-teacher example: the digits
# ResNet-18 (width 32) trained on all 1,400 labels at 32x32.
_base_ = ['./teacher_r18w32_1xb64_digits-cls.py']
img_size = 32
train_dataloader = dict(dataset=dict(img_size=img_size))
val_dataloader = dict(dataset=dict(img_size=img_size))
test_dataloader = val_dataloader
