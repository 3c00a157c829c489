# SKD stage 2, parameter transfer: SKDSpatioTemporalModel loads the trunks of
# the two stage-1 students (architecture.trunk.* -> spatial_trunk.* and
# temporal_trunk.*), freezes them (no gradient, BN in eval mode) and trains
# only the fusion head on the ground truth, on frames t and t+1 at 32x32.
# The trunks are loaded by the model's init_weights, before training; a
# missing or mismatching checkpoint is a one-line error naming its keys.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/embedded_saliency_clips.py',
    '../_base_/skd_iter_runtime.py',
]
model = _base_.skd_spatiotemporal
model.trunk_checkpoints = dict(
    spatial='work_dirs/skd-stage1_fcn-r18w16-os4_skd-s-32px_1xb16-1000i_'
    'aerial-clips-frame/iter_1000.pth',
    temporal='work_dirs/skd-stage1_fcn-r18w16-os4_skd-t-32px_1xb16-1000i_'
    'aerial-clips-pair/iter_1000.pth')
