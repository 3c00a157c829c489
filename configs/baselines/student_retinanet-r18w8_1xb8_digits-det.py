# The detection student alone (no teacher) on the embedded digits set:
# mmdet RetinaNet, ResNet-18 width 8 + FPN. The baseline row of the det
# distillation tables (configs/afd/README.md).
_base_ = ['./teacher_retinanet-r18w16_1xb8_digits-det.py']
model = {{_base_.det_student_model}}
