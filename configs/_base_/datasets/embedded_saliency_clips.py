# Embedded aerial-like saliency clips (EmbeddedSaliencyClipDataset, generated
# at run time, deterministic): a camera pans over textured ground with parked
# vehicles while a few vehicles move on their own; the ground truth of frame
# t is a Gaussian density on the vehicles that move differently from the
# background. Items are (clip_len, 3, 64, 64) uint8 clips, frame t first,
# packed with a SegDataSample (gt_saliency = gt_sem_seg, gt_fixations).
# Use with default_scope='mmrazor' and custom_imports=['mmkd_transfer'].
#
# mmengine fills base values in when the base is read: a derived config that
# changes a variable below must also set the fields that use it.
clip_len = 2  # frames t and t+1 (the temporal models need both)
frame_size = 64  # the high resolution (HR) the teachers read
clip_data = dict(
    type='EmbeddedSaliencyClipDataset',
    clip_len=clip_len,
    frame_size=frame_size,
    seed=0)  # the data set's seed (fixed); training seeds vary separately

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(clip_data, split='train', num_clips=512))
val_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(clip_data, split='val', num_clips=128))
test_dataloader = val_dataloader

val_evaluator = dict(type='SaliencyMetric')
test_evaluator = val_evaluator
