# AFD in the paper's CIFAR-100 setting (Show, Attend and Distill: Knowledge
# Distillation via Attention-based Feature Matching; Ji, Heo, Park; AAAI
# 2021): teacher -> student of the WRN-40-2 -> WRN-16-2 shapes (mmpretrain
# ResNet_CIFAR, 3 stages, widths 32/64/128; 13 -> 6 blocks, see
# ../_base_/models/afd_cifar100_resnet.py), with the paper's loss
#   CE + 0.9 * tau^2 * KL(tau=4) + 200 * L_AFD
# over every residual block and the paper's schedule (SGD 0.05, momentum
# 0.9, wd 5e-4, batch 64, 240 epochs, lr x0.1 at 150/180/210).
# Train the teacher first:
#   configs/baselines/teacher_r34s3w32_1xb64-240e_cifar100.py
_base_ = [
    '../_base_/datasets/cifar100_bs64.py',
    '../_base_/models/afd_cifar100_resnet.py',
    '../_base_/schedules/cifar100_240e.py',
    '../_base_/default_runtime.py',
    '../_base_/distillers/afd_resnet_blocks.py',
    '../_base_/distillers/kd_logits.py',
]
default_scope = 'mmpretrain'

# ---- paths: set these (a base's variables do not reach this file's
# fields, so the dataloaders are set again below) ----
data_root = 'data/cifar100'
teacher_ckpt = 'work_dirs/teacher_r34s3w32_1xb64-240e_cifar100/epoch_240.pth'

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader

# the algorithm preprocesses once for both models (see configs/kd)
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')

model = dict(
    architecture={{_base_.cifar_student}},
    teachers=dict(
        teacher=dict(cfg={{_base_.cifar_teacher}}, ckpt=teacher_ckpt)),
    input_shape=(3, 32, 32),
    # logit KD added to the AFD distiller, with the paper's weight 0.9
    distiller=dict(
        _base_.kd_logits_distiller,
        distill_losses=dict(
            loss_kl=dict(type='KLDivergence', tau=4, loss_weight=0.9))))

val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
default_hooks = dict(logger=dict(interval=100))
custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=782)]
