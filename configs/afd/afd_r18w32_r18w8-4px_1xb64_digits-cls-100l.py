# Low-resolution transfer setting, AFD + KD (the paper's total): the teacher
# (ResNet-18 w32, 8x8 digits, all labels) as it is, the width-8 student at
# 4x4 through a ResolutionView, with 100 labels. Only the student's input
# differs from the 8x8 row afd_r18w32_r18w8_1xb64_digits-cls-100l.py: the
# AFD settings (stages 1-3 on both sides, beta=200, d=32) are not tuned for
# 4x4. The student's maps are then 4x4, 2x2 and 1x1 against the teacher's
# 8x8, 4x4 and 2x2; AFD pools each student map to the teacher map's size.
# 'area' = 2x2 averaging, as in
# configs/kd/kd_logits_r18w32_r18w8-4px_1xb64_digits-cls-100l.py.
_base_ = ['./afd_r18w32_r18w8_1xb64_digits-cls-100l.py']

student_view = dict(type='ResolutionView', size=4, mode='area')
model = dict(student_view=student_view)
