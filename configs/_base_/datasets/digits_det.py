# Embedded digits detection: 64x64 scenes of 1-3 digits, one box per digit
# (tight box of its ink), 10 classes '0'..'9', 300 train / 100 val, generated
# into data_root on first use (COCO layout). Use with default_scope='mmdet'
# and custom_imports=['mmkd_transfer'].
#
# CocoMetric reads its ann_file when it is built; the runner builds the
# dataloader (whose dataset generates the files) first. A script that builds
# the metric alone must call
# mmkd_transfer.datasets.digits_det_dataset.ensure_digits_det(data_root).
#
# mmengine fills base values in when the base is read: a derived config that
# changes a variable below must also set the fields that use it.
dataset_type = 'DigitsDetDataset'
data_root = 'data/digits_det/'
img_size = 64  # side the images are resized to (64 = as generated)
train_batch_size = 8
val_batch_size = 8

# no flips: a mirrored digit is not a digit
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=True),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]

train_dataloader = dict(
    batch_size=train_batch_size,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=1),
        pipeline=train_pipeline),
)
val_dataloader = dict(
    batch_size=val_batch_size,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/val/'),
        test_mode=True,
        pipeline=test_pipeline),
)
test_dataloader = val_dataloader

val_evaluator = dict(
    type='CocoMetric',
    ann_file=data_root + 'annotations/instances_val.json',
    metric='bbox',
    format_only=False)
test_evaluator = val_evaluator
