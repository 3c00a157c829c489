# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) for semantic
# segmentation on the embedded digits scenes, mmseg models: the FCN
# teacher of configs/kd (dilated ResNetV1c-18, width 16) -> the width-8 FCN
# student. Loss: the student's own CE + beta * L_AFD over every residual
# block of the backbone (8 teacher maps, 8 student maps; 16x16 in stage 1,
# 8x8 in the dilated stages 2-4 at 64x64 inputs).
# Ours: no logit term (pixel-wise logit KD is another method, e.g. CWD in
# configs/kd); beta=200 is the paper's CIFAR value, not tuned here.
# Train the teacher first: configs/kd/teacher_fcn-r18w16_1xb8_digits-seg.py
_base_ = ['../kd/teacher_fcn-r18w16_1xb8_digits-seg.py']

teacher_ckpt = 'work_dirs/teacher_fcn-r18w16_1xb8_digits-seg/iter_1500.pth'
blocks = ['backbone.layer*.*']

model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='DryRunSingleTeacherDistill',
    architecture={{_base_.seg_student_model}},
    teacher={{_base_.seg_teacher_model}},
    teacher_ckpt=teacher_ckpt,
    input_shape=(3, 64, 64),
    distiller=dict(
        type='AFDDistiller',
        student_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=blocks)),
        teacher_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=blocks)),
        distill_losses=dict(
            # ours: d = the widest recorded student map (64 channels)
            loss_afd=dict(type='AFDLoss', qk_dim=64, loss_weight=200.)),
        loss_forward_mappings=dict(
            loss_afd=dict(
                s_features=dict(recorder='blocks', from_student=True),
                t_features=dict(recorder='blocks', from_student=False)))))

val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=500)]
