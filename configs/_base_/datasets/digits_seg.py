# Embedded digits semantic segmentation: 64x64 scenes of 1-3 digits, 11
# classes (background, '0'..'9'), 300 train / 100 val, generated into
# data_root on first use (mmseg folder layout). Use with
# default_scope='mmseg' and custom_imports=['mmkd_transfer'].
#
# mmengine fills base values in when the base is read: a derived config that
# changes a variable below must also set the fields that use it.
dataset_type = 'DigitsSegDataset'
data_root = 'data/digits_seg'
img_size = 64  # side the images are resized to (64 = as generated)
train_batch_size = 8
val_batch_size = 8

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=True),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=True),
    # after Resize: the metric compares at the original resolution
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]

train_dataloader = dict(
    batch_size=train_batch_size,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=val_batch_size,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=test_pipeline),
)
test_dataloader = val_dataloader

val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator
