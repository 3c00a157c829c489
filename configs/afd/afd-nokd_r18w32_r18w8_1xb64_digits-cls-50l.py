# Ablation row: AFD's feature term alone, CE(labelled) + beta * L_AFD, no
# logit KD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021). Shows what
# the attention-matched features transfer by themselves.
_base_ = ['./afd_r18w32_r18w8_1xb64_digits-cls-50l.py']

blocks = ['backbone.layer[1-3].*']

model = dict(
    distiller=dict(
        _delete_=True,
        type='AFDDistiller',
        student_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=blocks)),
        teacher_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=blocks)),
        distill_losses=dict(
            # as in the AFD + KD config: d = the widest student map (ours)
            loss_afd=dict(type='AFDLoss', qk_dim=32, loss_weight=200.)),
        loss_forward_mappings=dict(
            loss_afd=dict(
                s_features=dict(recorder='blocks', from_student=True),
                t_features=dict(recorder='blocks', from_student=False)))))
