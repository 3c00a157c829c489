# PKD (Cao et al., NeurIPS 2022) with a low-resolution student view,
# MultiTeacherDistill; not CRKD:
# RetinaNet width 16 (FPN from stride 8) sees the 64x64 scenes, RetinaNet
# width 8 with the strides halved (FPN from stride 4, anchors from 8 px:
# det_lr_student_model) sees them at 32x32. The view rescales the boxes,
# img_shape, pad_shape, batch_input_shape and scale_factor, so mmdet's own
# losses and its rescaled predictions stay right. The teacher runs in
# 'tensor' mode (no loss of its own, like MMRazor's FpnTeacherDistill). FPN
# level i of the 32x32 student has the spatial size of level i of the 64x64
# teacher (both FPNs are 64 wide), so PKD pairs level i with level i, on the
# two levels CRKD's feature term uses (8x8 and 4x4).
_base_ = [
    '../_base_/models/digits_retinanet_r18.py',
    '../_base_/datasets/digits_det.py',
    '../_base_/digits_iter_runtime.py',
    '../_base_/distillers/pkd_fpn.py',
]
default_scope = 'mmdet'
teacher_ckpt = ('work_dirs/teacher_retinanet-r18w16_1xb8_digits-det/'
                'iter_1500.pth')


def _pkd(level):
    return dict(
        preds_S=dict(from_student=True, recorder='fpn', data_idx=level),
        preds_T=dict(from_student=False, recorder='fpn', data_idx=level))


model = dict(
    architecture={{_base_.det_lr_student_model}},
    # 64 * 0.5 = 32 is already a multiple of the largest backbone stride
    student_view=dict(
        type='ResolutionView', scale_factor=0.5, pad_size_divisor=32),
    teachers=dict(
        t_hr=dict(
            cfg={{_base_.det_teacher_model}}, ckpt=teacher_ckpt,
            mode='tensor')),
    input_shape=(3, 64, 64),
    distiller=dict(
        teacher_recorders=dict(fpn=dict(source='t_hr.neck')),
        # two level pairs (0 and 1) instead of the base's one loss on all
        # levels
        distill_losses=dict(
            _delete_=True,
            loss_pkd0=dict(type='PKDLoss', loss_weight=3),
            loss_pkd1=dict(type='PKDLoss', loss_weight=3)),
        loss_forward_mappings=dict(
            _delete_=True, loss_pkd0=_pkd(0), loss_pkd1=_pkd(1))))
del _pkd

find_unused_parameters = True
val_cfg = dict(_delete_=True, type='mmrazor.MultiTeacherValLoop')
visualizer = dict(type='DetLocalVisualizer')  # named per run by the Runner
