# Embedded digits classification (scikit-learn's 8x8 digits, in memory).
# Train 1,400 / val 397 (fixed stratified split). Use with
# default_scope='mmpretrain' and custom_imports=['mmkd_transfer'].
#
# Variables a derived config may override. mmengine fills base values in
# when the base is read, so a derived config that changes one of them must
# also set the field that uses it, e.g. the few-label transfer setting:
#   num_labelled = 100
#   train_dataloader = dict(dataset=dict(num_labelled=num_labelled))
dataset_type = 'DigitsClsDataset'
img_size = 8  # side of the images the model sees (8 = native)
num_labelled = None  # None: all labels; int count or float fraction
label_seed = 0  # which samples keep their label
train_batch_size = 64
val_batch_size = 128

data_preprocessor = dict(
    num_classes=10,
    # gray digits scaled to 0..255, replicated into 3 channels; mean and std
    # of the 8x8 train split (tests check them)
    mean=[77.7, 77.7, 77.7],
    std=[95.8, 95.8, 95.8],
    # the three channels are equal: no colour conversion needed
    to_rgb=False,
)

# images are arrays already (no LoadImageFromFile); flips would change digits
train_pipeline = [dict(type='PackInputs')]
test_pipeline = [dict(type='PackInputs')]

train_dataloader = dict(
    batch_size=train_batch_size,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type=dataset_type,
        split='train',
        img_size=img_size,
        num_labelled=num_labelled,
        label_seed=label_seed,
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=val_batch_size,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        type=dataset_type,
        split='val',
        img_size=img_size,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
