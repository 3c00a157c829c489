# SKD's temporal teacher on AVS1K: frames t and t+1 stacked in the channels,
# 256x256 (HR).
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/avs1k_clips.py',
    '../_base_/skd_avs1k_runtime.py',
]
model = _base_.temporal_teacher
