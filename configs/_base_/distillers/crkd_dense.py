# CRKD (Feng, Lai, Xie; IEEE TIP 2021) between an HR teacher (named
# 'teacher') and an LR student of a dense task (segmentation, detection):
# the algorithm with its discriminator, the relation pair loss and MMD² on
# globally pooled feature maps, and the adversarial loss. The forms are ours
# (see docs/methods/crkd.md).
#
# A config lists this file (or crkd_seg_logits_stage4.py) with its model,
# data, schedule and runtime bases (none of which may define `model`) and
# sets:
#   model.architecture, model.teachers.teacher (cfg, ckpt, mode='tensor'),
#   model.student_view, model.input_shape (one HR input, for the dry run),
#   model.distiller: recorders, connectors, the resolution-aware loss(es)
#   and every loss_forward_mappings entry (loss_pair, loss_mmd included),
#   model.adversarial_inputs, model.discriminator.hidden_channels,
#   optim_wrapper with SeparateOptimWrapperConstructor and
#   discriminator=_base_.crkd_discriminator_optim.
model = dict(
    _scope_='mmrazor',
    type='AdversarialMultiTeacherDistill',
    # a student view that does not lower the resolution warns
    expect_lower_resolution=True,
    distiller=dict(
        type='ShapeInferringDistiller',
        distill_losses=dict(
            loss_pair=dict(
                type='CRKDPairwiseLoss',
                mode='relation',
                pool_maps=True,
                loss_weight=1.0),
            loss_mmd=dict(type='CRKDMMDLoss', pool_maps=True,
                          loss_weight=1.0))),
    # an MLP on the pooled (N, C) features (it pools maps itself)
    discriminator=dict(type='PooledFeatureDiscriminator'),
    adversarial_loss=dict(type='CRKDAdversarialLoss', loss_weight=0.1),
    discriminator_steps=1)

# the discriminator's own optimizer (Adam, lr 1e-4, betas (0.5, 0.999)): an
# entry of SeparateOptimWrapperConstructor's dict
crkd_discriminator_optim = dict(
    optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999)))

# distributed runs: the algorithm averages each optimizer's gradients over
# the ranks itself (DDP cannot follow its separate optimizer steps)
model_wrapper_cfg = dict(type='mmrazor.SelfSyncedDataParallel')
