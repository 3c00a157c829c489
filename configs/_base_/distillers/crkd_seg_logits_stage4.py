# CRKD (see crkd_dense.py) for an mmseg EncoderDecoder pair: the
# resolution-aware loss on the decode head's logits (the student's resized
# to the teacher's) plus its feature term on the last backbone stage,
# projected by a connector named 'proj'; the relation pair loss, MMD² and
# the adversarial term on the globally pooled last-stage features (MMD² and
# the discriminator see the projected student features).
#
# A config sets what crkd_dense.py asks for except the recorders and the
# mappings, and:
#   model.distiller.connectors.proj (and connector_targets if sized by the
#   dry run), model.distiller.distill_losses.loss_rad.feature_weight.
_base_ = ['./crkd_dense.py']

# record specs: the last backbone stage (out_indices (0, 1, 2, 3))
student_stage4 = dict(recorder='backbone', from_student=True, data_idx=3)
teacher_stage4 = dict(recorder='backbone', from_student=False, data_idx=3)

model = dict(
    distiller=dict(
        student_recorders=dict(
            logits=dict(type='ModuleOutputs', source='decode_head.conv_seg'),
            backbone=dict(type='ModuleOutputs', source='backbone')),
        teacher_recorders=dict(
            logits=dict(
                type='ModuleOutputs', source='teacher.decode_head.conv_seg'),
            backbone=dict(type='ModuleOutputs', source='teacher.backbone')),
        distill_losses=dict(
            loss_rad=dict(
                type='CRKDResolutionAwareLoss', tau=4.0, loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_rad=dict(
                preds_S=dict(recorder='logits', from_student=True),
                preds_T=dict(recorder='logits', from_student=False),
                s_feature=dict(student_stage4, connector='proj'),
                t_feature=teacher_stage4),
            loss_pair=dict(s_feature=student_stage4, t_feature=teacher_stage4),
            loss_mmd=dict(
                s_feature=dict(student_stage4, connector='proj'),
                t_feature=teacher_stage4))),
    adversarial_inputs=dict(
        student=dict(student_stage4, connector='proj'),
        teacher=teacher_stage4))
