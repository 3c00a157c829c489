# AVS1K (aerial video saliency, 1,000 clips; the data set of SKD) read from
# local folders by AVS1KDataset: data_root/{trainSet,validSet,testSet}/
# {Frame,Ground[,Fixation]}/<clip>/... (see the dataset's docstring). Nothing
# is downloaded. Frames and maps are resized to avs1k_frame_size, the high
# resolution (HR) of the teachers.
#
# Two variables rather than dataloaders, so a config that inherits an
# embedded-clip config swaps its data in:
#   train_dataloader = dict(dataset=dict(_delete_=True, **_base_.avs1k_train))
data_root = 'data/AVS1K'
avs1k_clip_len = 2
avs1k_frame_size = 256
avs1k_data = dict(
    type='AVS1KDataset',
    data_root=data_root,
    clip_len=avs1k_clip_len,
    frame_size=avs1k_frame_size)
avs1k_train = dict(avs1k_data, split='train')
avs1k_val = dict(avs1k_data, split='val')
