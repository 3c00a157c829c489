# SKD's spatial student trained alone (no teacher; the baseline of stage 1):
# SKDSaliencyModel with the spatial trunk on frame t at 32x32 (LR, half the
# teachers' side), its map upsampled to 64x64 and regressed on the ground
# truth (MSE).
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/embedded_saliency_clips.py',
    '../_base_/skd_iter_runtime.py',
]
model = _base_.spatial_student
