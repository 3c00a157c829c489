# Row "plain KD" of the AFD results table: configs/kd's logit KD
# (KLDivergence, tau=4) with the 50-label split of the AFD benchmark. The
# teacher (configs/baselines/teacher_r18w32_1xb64_digits-cls.py) saw all 1,400
# labels; the student sees 50 labels and the teacher's soft labels on all
# 1,400 training images.
_base_ = ['../kd/kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py']

num_labelled = 50
train_dataloader = dict(dataset=dict(num_labelled=num_labelled))
