# AVS1K (aerial video saliency, 1,000 clips; the data set of SKD) read from
# local folders by AVS1KDataset: data_root/{trainSet,validSet,testSet}/
# {Frame,Ground[,Fixation]}/<clip>/... (see the dataset's docstring). Nothing
# is downloaded. Items are frames t and t+1 resized to 256x256, the high
# resolution (HR) of the teachers (our choice; the students read 64x64).
# Use with default_scope='mmrazor' and custom_imports=['mmkd_transfer'].
#
# mmengine fills base values in when the base is read: a derived config that
# changes a variable below (e.g. data_root) must also set the fields that use
# it, or pass --cfg-options train_dataloader.dataset.data_root=... etc.
data_root = 'data/AVS1K'
clip_len = 2
frame_size = 256
avs1k_data = dict(
    type='AVS1KDataset',
    data_root=data_root,
    clip_len=clip_len,
    frame_size=frame_size)

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(avs1k_data, split='train'))
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(avs1k_data, split='val'))
test_dataloader = dict(val_dataloader, dataset=dict(avs1k_data, split='test'))

val_evaluator = dict(type='SaliencyMetric')
test_evaluator = val_evaluator
