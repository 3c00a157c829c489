# CRKD (Feng, Lai, Xie; IEEE TIP 2021) on a classifier's pooled embeddings,
# the teacher named 'teacher': resolution-aware KD on the `head.fc` logits,
# the relation pair loss and MMD² on the `neck` (GAP) embeddings, the
# student's projected to the teacher's width by a ResizeProjectConnector
# sized from the dry run (identity at equal widths), and the adversarial
# term on the same embeddings. The forms are ours (see
# docs/methods/crkd.md).
#
# Two variables rather than `model`, so the file combines with any model
# base. A config uses them as
#   model = dict(type='AdversarialMultiTeacherDistill', ...,
#                distiller=_base_.crkd_pooled_distiller,
#                discriminator=dict(type='PooledFeatureDiscriminator', ...),
#                **_base_.crkd_pooled_adversarial)

# record specs of the pooled embeddings (the neck returns a 1-tuple)
student_embedding = dict(recorder='gap', from_student=True, data_idx=0)
teacher_embedding = dict(recorder='gap', from_student=False, data_idx=0)

crkd_pooled_distiller = dict(
    type='ShapeInferringDistiller',
    student_recorders=dict(
        fc=dict(type='ModuleOutputs', source='head.fc'),
        gap=dict(type='ModuleOutputs', source='neck')),
    teacher_recorders=dict(
        fc=dict(type='ModuleOutputs', source='teacher.head.fc'),
        gap=dict(type='ModuleOutputs', source='teacher.neck')),
    connectors=dict(proj=dict(type='ResizeProjectConnector')),
    distill_losses=dict(
        loss_rad=dict(
            type='CRKDResolutionAwareLoss', tau=4.0, loss_weight=1.0),
        loss_pair=dict(
            type='CRKDPairwiseLoss', mode='relation', loss_weight=1.0),
        loss_mmd=dict(type='CRKDMMDLoss', loss_weight=1.0)),
    loss_forward_mappings=dict(
        loss_rad=dict(
            preds_S=dict(recorder='fc', from_student=True),
            preds_T=dict(recorder='fc', from_student=False)),
        loss_pair=dict(
            s_feature=student_embedding, t_feature=teacher_embedding),
        loss_mmd=dict(
            s_feature=dict(student_embedding, connector='proj'),
            t_feature=teacher_embedding)))

crkd_pooled_adversarial = dict(
    adversarial_inputs=dict(
        student=dict(student_embedding, connector='proj'),
        teacher=teacher_embedding),
    adversarial_loss=dict(type='CRKDAdversarialLoss', loss_weight=0.1),
    discriminator_steps=1)

# distributed runs: the algorithm averages each optimizer's gradients over
# the ranks itself (DDP cannot follow its separate optimizer steps)
model_wrapper_cfg = dict(type='mmrazor.SelfSyncedDataParallel')
