# The segmentation student alone (no teacher) on the embedded digits set:
# mmseg FCN, ResNetV1c-18 width 8, output stride 8. The baseline row of the
# seg distillation tables (configs/afd/README.md).
_base_ = ['./teacher_fcn-r18w16_1xb8_digits-seg.py']
model = {{_base_.seg_student_model}}
