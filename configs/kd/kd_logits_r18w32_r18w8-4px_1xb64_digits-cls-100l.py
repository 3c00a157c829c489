# Low-resolution transfer setting, plain logit KD: one batch of 8x8 digits;
# the teacher (ResNet-18 w32, trained on all 1,400 labels at 8x8) sees it as
# it is, the width-8 student sees it at 4x4 through a ResolutionView, learns
# from the teacher's soft labels on all 1,400 training images and has the
# task loss on 100. Everything else (tau=4, weight 1, schedule) as in the
# 8x8 row kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py.
# 'area' = 2x2 averaging, the resize the 4x4 student-alone config's dataset
# uses (configs/baselines/student_r18w8-4px_1xb64_digits-cls-100l.py).
_base_ = ['./kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py']

student_view = dict(type='ResolutionView', size=4, mode='area')
model = dict(
    student_view=student_view,
    # the view is checked on one 8x8 input when the model is built
    input_shape=(3, 8, 8))
