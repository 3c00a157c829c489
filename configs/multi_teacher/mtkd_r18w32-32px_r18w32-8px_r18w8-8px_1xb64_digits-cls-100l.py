# Two teachers, each on its own view of one batch, and a low-resolution
# student (MultiTeacherDistill): the batch is loaded at 32x32;
#   t_hr  sees it as it is (32x32), trained at 32x32;
#   t_lr  sees it resized to 8x8, trained at 8x8;
#   the student sees it resized to 8x8 (the 16x cheaper input of CRKD) and
#   learns from both teachers' soft labels on all 1,400 target images, with
#   the task loss on 100 labelled ones.
_base_ = [
    '../_base_/models/digits_resnet18_cifar.py',
    '../_base_/datasets/digits_cls.py',
    '../_base_/schedules/digits_cls.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmpretrain'
img_size = 32
num_labelled = 100
train_dataloader = dict(
    dataset=dict(img_size=img_size, num_labelled=num_labelled))
val_dataloader = dict(dataset=dict(img_size=img_size))
test_dataloader = val_dataloader

hr_teacher_ckpt = 'work_dirs/teacher_r18w32_1xb64_digits-cls-32px/epoch_30.pth'
lr_teacher_ckpt = 'work_dirs/teacher_r18w32_1xb64_digits-cls/epoch_30.pth'
# one preprocessor for all models (the teachers' own are not used)
data_preprocessor = dict(type='mmpretrain.ClsDataPreprocessor')
lr_view = dict(type='ResolutionView', size=8)


def _kl(recorder):
    return dict(
        preds_S=dict(from_student=True, recorder='fc'),
        preds_T=dict(from_student=False, recorder=recorder))


model = dict(
    _scope_='mmrazor',
    type='MultiTeacherDistill',
    architecture={{_base_.student_model}},
    student_view=lr_view,
    teachers=dict(
        t_hr=dict(cfg={{_base_.teacher_model}}, ckpt=hr_teacher_ckpt),
        t_lr=dict(
            cfg={{_base_.teacher_model}}, ckpt=lr_teacher_ckpt, view=lr_view)),
    # views are checked on one 32x32 input when the model is built
    input_shape=(3, img_size, img_size),
    distiller=dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            fc=dict(type='ModuleOutputs', source='head.fc')),
        # teacher recorder sources start with the teacher's name
        teacher_recorders=dict(
            fc_hr=dict(type='ModuleOutputs', source='t_hr.head.fc'),
            fc_lr=dict(type='ModuleOutputs', source='t_lr.head.fc')),
        distill_losses=dict(
            loss_kl_hr=dict(type='KLDivergence', tau=4, loss_weight=0.5),
            loss_kl_lr=dict(type='KLDivergence', tau=4, loss_weight=0.5)),
        loss_forward_mappings=dict(
            loss_kl_hr=_kl('fc_hr'), loss_kl_lr=_kl('fc_lr'))))
del _kl

# scores the student (on its view), then each teacher as t_hr.*, t_lr.*
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
