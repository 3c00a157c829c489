# PKD (Cao et al., NeurIPS 2022): MMRazor's PKDLoss between the student's
# and the teacher's FPN outputs (every level, level i with level i), through
# MultiTeacherDistill. The teacher, named 'teacher', should run in 'tensor'
# mode (no loss of its own, no labels), as MMRazor's FpnTeacherDistill runs
# it.
#
# A config lists this file with its model, data, schedule and runtime bases
# (none of which may define `model`) and sets:
#   model.architecture, model.teachers;
# and may override:
#   model.distiller.teacher_recorders.fpn.source (another teacher name),
#   model.distiller.distill_losses / loss_forward_mappings (other level
#   pairs; `_delete_=True` replaces the single loss_pkd below).
model = dict(
    _scope_='mmrazor',
    type='MultiTeacherDistill',
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(fpn=dict(type='ModuleOutputs', source='neck')),
        teacher_recorders=dict(
            fpn=dict(type='ModuleOutputs', source='teacher.neck')),
        distill_losses=dict(loss_pkd=dict(type='PKDLoss', loss_weight=6)),
        loss_forward_mappings=dict(
            loss_pkd=dict(
                preds_S=dict(from_student=True, recorder='fpn'),
                preds_T=dict(from_student=False, recorder='fpn')))))
