# SKD stage 2 on AVS1K: the two AVS1K stage-1 students' trunks, frozen, and a
# trained fusion head, on frames t and t+1 at 64x64.
_base_ = [
    '../_base_/models/skd_aerial_clips.py',
    '../_base_/datasets/avs1k_clips.py',
    '../_base_/skd_avs1k_runtime.py',
]
model = _base_.skd_spatiotemporal
model.data_preprocessor.view = [
    _base_.frame_pair, dict(type='ResolutionView', size=64)
]
model.trunk_checkpoints = dict(
    spatial='work_dirs/skd-stage1_fcn-r18w16-os4_skd-s-64px_1xb16-20k_'
    'avs1k-frame/iter_20000.pth',
    temporal='work_dirs/skd-stage1_fcn-r18w16-os4_skd-t-64px_1xb16-20k_'
    'avs1k-pair/iter_20000.pth')
