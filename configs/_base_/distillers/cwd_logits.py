# CWD (channel-wise distillation; Shu et al., ICCV 2021): MMRazor's
# ChannelWiseDivergence between the student's and the teacher's
# segmentation logits, through MultiTeacherDistill.
#
# A config lists this file with its model, data, schedule and runtime bases
# (none of which may define `model`) and sets:
#   model.architecture, model.teachers,
#   model.distiller.{student,teacher}_recorders.logits (where each side's
#   logits are recorded; teacher sources start with the teacher's name).
model = dict(
    _scope_='mmrazor',
    type='MultiTeacherDistill',
    distiller=dict(
        type='ConfigurableDistiller',
        distill_losses=dict(
            loss_cwd=dict(type='ChannelWiseDivergence', tau=1, loss_weight=3)),
        loss_forward_mappings=dict(
            loss_cwd=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits')))))
