# Detection teacher on the embedded digits set: mmdet RetinaNet, ResNet-18
# width 16 + FPN.
_base_ = [
    '../_base_/models/digits_retinanet_r18.py',
    '../_base_/datasets/digits_det.py',
    '../_base_/schedules/digits_iter.py',
    '../_base_/default_runtime.py',
]
default_scope = 'mmdet'
model = {{_base_.det_teacher_model}}
visualizer = dict(type='DetLocalVisualizer')  # named per run by the Runner
default_hooks = dict(
    logger=dict(interval=20, log_metric_by_epoch=False),
    checkpoint=dict(by_epoch=False, interval={{_base_.val_interval}}))
log_processor = dict(by_epoch=False)
