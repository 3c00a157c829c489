# CRKD (Feng, Lai, Xie; IEEE TIP 2021) on the low-resolution transfer
# benchmark: the HR teacher (ResNet-18 width 32, trained on the 8x8 digits
# with all labels) reads each batch at 8x8; the LR student (ResNet-18 width
# 8) reads the same batch at 4x4 (4x fewer pixels) and learns from the
# teacher on all 1,400 images, with the task loss on 100 labelled ones.
# Terms (the forms are ours, the paper's code is not public; see README):
# resolution-aware KD on logits, relation pair loss and MMD² on the pooled
# embeddings (the student's projected to the teacher's width), and an
# adversarial term from a discriminator with its own optimizer.
_base_ = ['../baselines/student_r18w8_1xb64_digits-cls-100l.py']

teacher_ckpt = 'work_dirs/teacher_r18w32_1xb64_digits-cls/epoch_30.pth'
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

# record specs of the pooled embeddings (the neck returns a 1-tuple)
student_embedding = dict(recorder='gap', from_student=True, data_idx=0)
teacher_embedding = dict(recorder='gap', from_student=False, data_idx=0)

model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='AdversarialMultiTeacherDistill',
    architecture={{_base_.student_model}},
    teachers=dict(
        teacher=dict(cfg={{_base_.teacher_model}}, ckpt=teacher_ckpt)),
    # 8x8 -> 4x4 by area averaging: the very input of the 4x4 student-alone
    # and plain-KD rows of the benchmark (configs/demo.yml)
    student_view=dict(type='ResolutionView', size=4, mode='area'),
    # one 8x8 input: views are checked, the connector and the discriminator
    # are sized from a dry forward, and a student view that is not LR warns
    input_shape=(3, 8, 8),
    expect_lower_resolution=True,
    distiller=dict(
        type='ShapeInferringDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc'),
            gap=dict(type='ModuleOutputs', source='neck')),
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='teacher.head.fc'),
            gap=dict(type='ModuleOutputs', source='teacher.neck')),
        # 64 -> 256 Linear, sized by the dry run, trained with the student
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
                t_feature=teacher_embedding))),
    discriminator=dict(type='PooledFeatureDiscriminator', hidden_channels=128),
    adversarial_inputs=dict(
        student=dict(student_embedding, connector='proj'),
        teacher=teacher_embedding),
    adversarial_loss=dict(type='CRKDAdversarialLoss', loss_weight=0.1),
    discriminator_steps=1)

# one optimizer per attribute of the algorithm: the student, the distiller
# (connector), the discriminator (METHODS' Adam, lr 1e-4, betas (0.5, 0.999))
student_optimizer = dict(
    type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
optim_wrapper = dict(
    _delete_=True,
    constructor='mmrazor.SeparateOptimWrapperConstructor',
    architecture=dict(optimizer=student_optimizer),
    distiller=dict(optimizer=student_optimizer),
    discriminator=dict(
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.5, 0.999))))

# scores the student (on its 4x4 view), then the teacher as teacher.*
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
