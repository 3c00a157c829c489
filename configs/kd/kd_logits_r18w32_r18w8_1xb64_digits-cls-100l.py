# Plain logit KD (Hinton et al. 2015) with MMRazor's KLDivergence, through
# this plugin's MultiTeacherDistill with one teacher (tested equal to
# MMRazor's SingleTeacherDistill): the source teacher's soft labels on all
# 1,400 target images, the task loss on the 100 labelled ones only.
_base_ = [
    '../baselines/student_r18w8_1xb64_digits-cls-100l.py',
    '../_base_/distillers/kd_logits.py',
]

teacher_ckpt = 'work_dirs/teacher_r18w32_1xb64_digits-cls/epoch_30.pth'
# The algorithm preprocesses the batch once for teacher and student; the
# Runner injects this top-level dict (merged with the dataset base's mean/std)
# into model=... . The prefix makes it resolve under the mmrazor scope.
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='MultiTeacherDistill',
    architecture={{_base_.student_model}},
    teachers=dict(
        teacher=dict(cfg={{_base_.teacher_model}}, ckpt=teacher_ckpt)),
    distiller=dict(type='ConfigurableDistiller', **_base_.kd_logits_distiller))

# scores the student, then the teacher as teacher.*
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
