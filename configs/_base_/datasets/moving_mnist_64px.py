# Moving MNIST in the layout of mnist_test_seq.npy (T x N x 64 x 64 uint8;
# Srivastava et al., 2015), 10 frames in -> 10 predicted. data_root and
# ann_file are variables: point them at your copy (the standard file has 2
# digits per clip; the paper's 1- and 3-digit sets are files of the same
# layout you generate). The first 9,000 sequences train, the last 1,000
# validate (the authors' release reads separate train/valid files instead).
data_root = 'data/moving_mnist/'
ann_file = 'mnist_test_seq.npy'
input_frames = 10
pred_frames = 10

clip = dict(
    type='MovingMNISTDataset',
    data_root=data_root,
    ann_file=ann_file,
    input_frames=input_frames,
    pred_frames=pred_frames)
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(**clip, clip_range=(0, 9000)))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**clip, clip_range=(9000, 10000)))
test_dataloader = val_dataloader
val_evaluator = dict(type='VideoPredictionMetric')
test_evaluator = val_evaluator
