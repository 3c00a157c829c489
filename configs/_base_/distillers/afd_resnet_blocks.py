# AFD (Show, Attend and Distill; Ji, Heo, Park; AAAI 2021) over every
# residual block of a ResNet teacher (named 'teacher') and student: the
# attention-based feature loss L_AFD, weighted by beta. The meta-network is
# sized from a dry forward when the algorithm is built
# (ShapeInferringDistiller), so no channel list is written here.
#
# A config lists this file with its model, data, schedule and runtime bases
# (none of which may define `model`) and sets:
#   model.architecture, model.teachers.teacher (cfg, ckpt), model.input_shape
#   (one preprocessed input, for the dry forward);
# and may override:
#   model.distiller.{student,teacher}_recorders.blocks.source (the layers;
#   teacher sources start with 'teacher.'),
#   model.distiller.distill_losses.loss_afd (qk_dim d, loss_weight beta),
#   custom_hooks (the heat-map interval).
model = dict(
    _scope_='mmrazor',
    type='MultiTeacherDistill',
    distiller=dict(
        type='ShapeInferringDistiller',
        student_recorders=dict(
            blocks=dict(
                type='ModuleListOutputs', source=['backbone.layer*.*'])),
        teacher_recorders=dict(
            blocks=dict(
                type='ModuleListOutputs', source=['teacher.backbone.layer*.*'
                                                  ])),
        distill_losses=dict(
            # beta=200 and d=128: the paper's CIFAR-100 values
            loss_afd=dict(type='AFDLoss', qk_dim=128, loss_weight=200.)),
        loss_forward_mappings=dict(
            loss_afd=dict(
                s_features=dict(recorder='blocks', from_student=True),
                t_features=dict(recorder='blocks', from_student=False)))))

# Heat map of the mean attention (teacher blocks x student blocks) in
# <work_dir>/<timestamp>/vis_data/vis_image/ (and TensorBoard if enabled).
custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=500)]
