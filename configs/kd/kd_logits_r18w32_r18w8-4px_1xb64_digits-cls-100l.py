# Low-resolution transfer setting, plain logit KD (Hinton et al. 2015) with
# MultiTeacherDistill: one batch of 8x8 digits; the teacher (ResNet-18 w32,
# trained on all 1,400 labels at 8x8) sees it as it is, the width-8 student
# sees it at 4x4 through a ResolutionView, learns from the teacher's soft
# labels on all 1,400 training images and has the task loss on 100.
# 'area' = 2x2 averaging, the resize the 4x4 student-alone config's dataset
# uses (configs/baselines/student_r18w8-4px_1xb64_digits-cls-100l.py).
# tau=4 and weight 1 as in the 8x8 KD config (not tuned).
_base_ = [
    '../_base_/models/digits_resnet18_cifar.py',
    '../_base_/datasets/digits_cls.py',
    '../_base_/schedules/digits_cls.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmpretrain'
num_labelled = 100
train_dataloader = dict(dataset=dict(num_labelled=num_labelled))

teacher_ckpt = 'work_dirs/teacher_r18w32_1xb64_digits-cls/epoch_30.pth'
# one preprocessor for teacher and student (the Runner puts this top-level
# dict, merged with the dataset base's mean/std, into model=...)
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')
student_view = dict(type='ResolutionView', size=4, mode='area')

model = dict(
    _scope_='mmrazor',
    type='MultiTeacherDistill',
    architecture={{_base_.student_model}},
    student_view=student_view,
    teachers=dict(
        teacher=dict(cfg={{_base_.teacher_model}}, ckpt=teacher_ckpt)),
    # the view is checked on one 8x8 input when the model is built
    input_shape=(3, 8, 8),
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        # teacher recorder sources start with the teacher's name
        teacher_recorders=dict(
            fc=dict(type='ModuleOutputs', source='teacher.head.fc')),
        distill_losses=dict(
            loss_kl=dict(type='KLDivergence', tau=4, loss_weight=1.0)),
        loss_forward_mappings=dict(
            loss_kl=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc')))))

# scores the student on its 4x4 view, then the teacher as teacher.*
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
