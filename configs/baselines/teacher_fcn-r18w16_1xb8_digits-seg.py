# Segmentation teacher on the embedded digits set: mmseg FCN, ResNetV1c-18
# width 16, output stride 8.
_base_ = [
    '../_base_/models/digits_fcn_r18.py',
    '../_base_/datasets/digits_seg.py',
    '../_base_/digits_iter_runtime.py',
]
default_scope = 'mmseg'
model = {{_base_.seg_teacher_model}}
visualizer = dict(type='SegLocalVisualizer')  # named per run by the Runner
