# Low-resolution transfer setting, AFD (Show, Attend and Distill; Ji, Heo,
# Park; AAAI 2021) with the paper's total loss CE + KD + beta * L_AFD: the
# teacher (ResNet-18 w32, 8x8 digits, all labels) and the width-8 student
# at 4x4 (ResolutionView) with 100 labels. Only the AFD term differs from
# configs/kd/kd_logits_r18w32_r18w8-4px_1xb64_digits-cls-100l.py, and the
# AFD settings are those of the 8x8 config afd_r18w32_r18w8_1xb64_digits-
# cls-50l.py (not tuned for 4x4): every residual block of stages 1-3 on
# both sides, beta=200, d=32, KD as in the plain-KD row.
# At 4x4 the student's maps are 4x4, 2x2 and 1x1 (the teacher's 8x8, 4x4
# and 2x2); AFD pools each student map to the teacher map's size.
_base_ = ['../kd/kd_logits_r18w32_r18w8-4px_1xb64_digits-cls-100l.py']

blocks = ['backbone.layer[1-3].*']
teacher_blocks = ['teacher.backbone.layer[1-3].*']

model = dict(
    distiller=dict(
        _delete_=True,
        type='AFDDistiller',
        student_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=blocks),
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=teacher_blocks),
            fc=dict(type='ModuleOutputs', source='teacher.head.fc')),
        distill_losses=dict(
            loss_afd=dict(type='AFDLoss', qk_dim=32, loss_weight=200.),
            loss_kl=dict(type='KLDivergence', tau=4, loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_afd=dict(
                s_features=dict(recorder='blocks', from_student=True),
                t_features=dict(recorder='blocks', from_student=False)),
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))

custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=220)]
