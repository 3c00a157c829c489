# SKD's temporal teacher on the embedded aerial clips: the spatial teacher's
# FCN with 6 input channels, reading frames t and t+1 stacked in the channels
# (FrameView, channel_stacked) at 64x64 (HR); its map is that of frame t.
# Ours: the paper's temporal teacher is not public.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/embedded_saliency_clips.py',
    '../_base_/skd_iter_runtime.py',
]
model = _base_.temporal_teacher
