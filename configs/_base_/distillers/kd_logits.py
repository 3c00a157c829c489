# Logit KD (Hinton et al. 2015): MMRazor's KLDivergence (tau=4; it already
# multiplies by tau^2) between a classifier's `head.fc` outputs on the
# student and on the teacher named 'teacher'.
#
# Recorders, loss and mapping of a distiller, as one variable rather than
# `model`, so that this file combines with a fragment that defines `model`
# (e.g. afd_resnet_blocks.py adds AFD's terms to the same distiller). A
# config lists this file among its bases and uses it as
#   distiller=dict(type='ConfigurableDistiller', **_base_.kd_logits_distiller)
# or merges it into an inherited distiller:
#   model = dict(distiller=_base_.kd_logits_distiller)
kd_logits_distiller = dict(
    student_recorders=dict(fc=dict(type='ModuleOutputs', source='head.fc')),
    # teacher recorder sources start with the teacher's name
    teacher_recorders=dict(
        fc=dict(type='ModuleOutputs', source='teacher.head.fc')),
    distill_losses=dict(
        loss_kl=dict(type='KLDivergence', tau=4, loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_kl=dict(
            preds_S=dict(from_student=True, recorder='fc'),
            preds_T=dict(from_student=False, recorder='fc'))))
