# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) on the embedded
# digits transfer benchmark, with the paper's total loss:
#   CE(labelled) + KD (same weight as the plain-KD row) + beta * L_AFD.
# The AFD-only ablation plus the logit KD term of
# kd_logits_r18w32_r18w8_1xb64_digits-cls-50l.py (the plain-KD row): only
# the AFD term differs from that row.
_base_ = ['./afd-nokd_r18w32_r18w8_1xb64_digits-cls-50l.py']

model = dict(
    distiller=dict(
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='teacher.head.fc')),
        distill_losses=dict(
            # as in the plain-KD row (the paper uses 0.9; ours: keep the
            # rows comparable)
            loss_kl=dict(type='KLDivergence', tau=4, loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))
