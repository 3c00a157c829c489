# SKD's temporal student trained alone (no teacher; the baseline of stage 1):
# SKDSaliencyModel with the siamese frame-difference trunk on frames t and
# t+1 at 32x32 (LR), regressed on the ground truth of frame t (MSE).
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/embedded_saliency_clips.py',
    '../_base_/skd_iter_runtime.py',
]
model = _base_.temporal_student
