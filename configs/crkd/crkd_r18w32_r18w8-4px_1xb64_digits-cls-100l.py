# CRKD (Feng, Lai, Xie; IEEE TIP 2021) on the low-resolution transfer
# benchmark: the HR teacher (ResNet-18 width 32, trained on the 8x8 digits
# with all labels) reads each batch at 8x8; the LR student (ResNet-18 width
# 8) reads the same batch at 4x4 (4x fewer pixels) and learns from the
# teacher on all 1,400 images, with the task loss on 100 labelled ones.
# Terms (the forms are ours, the paper's code is not public; see README):
# resolution-aware KD on logits, relation pair loss and MMD² on the pooled
# embeddings (the student's projected to the teacher's width), and an
# adversarial term from a discriminator with its own optimizer.
_base_ = [
    '../baselines/student_r18w8_1xb64_digits-cls-100l.py',
    '../_base_/distillers/crkd_pooled.py',
]

teacher_ckpt = 'work_dirs/teacher_r18w32_1xb64_digits-cls/epoch_30.pth'
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

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
    distiller=_base_.crkd_pooled_distiller,
    discriminator=dict(type='PooledFeatureDiscriminator', hidden_channels=128),
    **_base_.crkd_pooled_adversarial)

# one optimizer per attribute of the algorithm: the student, the distiller
# (connector), the discriminator (Adam, lr 1e-4, betas (0.5, 0.999))
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
