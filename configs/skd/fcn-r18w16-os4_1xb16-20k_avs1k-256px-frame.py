# SKD's spatial teacher on AVS1K: the embedded-clip teacher's FCN on frame t
# at 256x256 (HR). Set data_root in ../_base_/datasets/avs1k_clips.py or with
# --cfg-options (see README).
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/avs1k_clips.py',
    '../_base_/skd_avs1k_runtime.py',
]
model = _base_.spatial_teacher
