# Detection teacher on the embedded digits set: mmdet RetinaNet, ResNet-18
# width 16 + FPN.
_base_ = [
    '../_base_/models/digits_retinanet_r18.py',
    '../_base_/datasets/digits_det.py',
    '../_base_/digits_iter_runtime.py',
]
default_scope = 'mmdet'
model = {{_base_.det_teacher_model}}
visualizer = dict(type='DetLocalVisualizer')  # named per run by the Runner
