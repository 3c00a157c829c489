# AFD in the paper's CIFAR-100 setting (Show, Attend and Distill: Knowledge
# Distillation via Attention-based Feature Matching; Ji, Heo, Park; AAAI
# 2021): teacher -> student of the WRN-40-2 -> WRN-16-2 shapes (mmpretrain
# ResNet_CIFAR, 3 stages, widths 32/64/128; 13 -> 6 blocks, see
# ../_base_/models/afd_cifar100_resnet.py), with the paper's loss
#   CE + 0.9 * tau^2 * KL(tau=4) + 200 * L_AFD
# over every residual block and the paper's schedule (SGD 0.05, momentum
# 0.9, wd 5e-4, batch 64, 240 epochs, lr x0.1 at 150/180/210).
_base_ = ['./teacher_r34s3w32_1xb64-240e_cifar100.py']

# ---- paths: set these (a base's variables do not reach this file's
# fields, so the dataloaders are set again below) ----
data_root = 'data/cifar100'
teacher_ckpt = 'work_dirs/teacher_r34s3w32_1xb64-240e_cifar100/epoch_240.pth'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
blocks = ['backbone.layer*.*']

# the algorithm preprocesses once for both models (see configs/kd)
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

model = dict(
    _delete_=True,
    _scope_='mmrazor',
    type='DryRunSingleTeacherDistill',
    architecture={{_base_.cifar_student}},
    teacher={{_base_.cifar_teacher}},
    teacher_ckpt=teacher_ckpt,
    input_shape=(3, 32, 32),
    distiller=dict(
        type='AFDDistiller',
        student_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=blocks),
            fc=dict(type='ModuleOutputs', source='head.fc')),
        teacher_recorders=dict(
            blocks=dict(type='ModuleListOutputs', source=blocks),
            fc=dict(type='ModuleOutputs', source='head.fc')),
        distill_losses=dict(
            loss_afd=dict(type='AFDLoss', qk_dim=128, loss_weight=200.),
            # MMRazor's KLDivergence already multiplies by tau^2
            loss_kl=dict(type='KLDivergence', tau=4, loss_weight=0.9)),
        loss_forward_mappings=dict(
            loss_afd=dict(
                s_features=dict(recorder='blocks', from_student=True),
                t_features=dict(recorder='blocks', from_student=False)),
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))

val_cfg = dict(_delete_=True, type='mmrazor.SingleTeacherDistillValLoop')
custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=782)]
