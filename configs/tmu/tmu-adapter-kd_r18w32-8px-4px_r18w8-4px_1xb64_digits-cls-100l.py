# The TMU feature adapter plus plain logit KD (tau = 4, weight 1) from the
# 8x8 source `digits`: everything of
# tmu-adapter_r18w32-8px-4px_r18w8-4px_1xb64_digits-cls-100l.py, and the
# distiller of configs/kd/kd_logits_r18w32_r18w8-4px_1xb64_digits-cls-100l.py
# added (as the benchmark's AFD row adds KD to AFD). It says whether the
# transferred memory adds anything on top of the soft labels.
_base_ = [
    './tmu-adapter_r18w32-8px-4px_r18w8-4px_1xb64_digits-cls-100l.py',
    '../_base_/distillers/kd_logits.py',
]
_kd = _base_.kd_logits_distiller
# the fragment's teacher is called 'teacher'; here it is the source 'digits'
_kd.teacher_recorders.fc.source = 'digits.head.fc'
model = dict(distiller=_kd)
del _kd
