# Low-resolution transfer setting, the student alone: the width-8 ResNet-18
# sees the digits at 4x4 (4x fewer pixels than the teacher's 8x8) and only
# 100 of the 1,400 training labels.
# The dataset shrinks every 8x8 digit by 2x2 averaging before rounding it
# to uint8; the distilled students of this setting get the same 4x4 images
# from the 8x8 batch through ResolutionView(size=4, mode='area'). Both are
# normalised with the 8x8 mean/std, so the inputs are equal up to that
# rounding (at most one gray level of 255; tests/tools/
# test_lr_benchmark_configs.py checks it).
_base_ = ['./student_r18w8_1xb64_digits-cls-100l.py']

img_size = 4
train_dataloader = dict(dataset=dict(img_size=img_size))
val_dataloader = dict(dataset=dict(img_size=img_size))
test_dataloader = val_dataloader
