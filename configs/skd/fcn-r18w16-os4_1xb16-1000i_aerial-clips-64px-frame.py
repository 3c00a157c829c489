# SKD's spatial teacher on the embedded aerial clips: mmseg FCN (ResNetV1c-18
# width 16, output stride 4, one output channel) on frame t at 64x64 (HR),
# trained on the ground-truth saliency map with a soft (sigmoid) BCE. The
# teacher is ours: the paper's teachers are not public.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/embedded_saliency_clips.py',
    '../_base_/skd_iter_runtime.py',
]
model = _base_.spatial_teacher
