# The embedded digits teacher and student: mmpretrain ResNet-18 with the
# CIFAR stem (3x3 conv, no max-pool), so 8x8 inputs keep spatial maps.
# _scope_ lets the same dicts be built under mmrazor's scope in KD configs.
# Both use LabelledCrossEntropyLoss: equal to cross-entropy when every sample
# is labelled, and it lets MMRazor run the teacher in mode='loss' on a batch
# with unlabelled (-1) samples.
teacher_model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        stem_channels=32,
        base_channels=32,
        num_stages=4,
        out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=256,
        loss=dict(type='LabelledCrossEntropyLoss')))

# 16x fewer parameters.
student_model = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        stem_channels=8,
        base_channels=8,
        num_stages=4,
        out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=64,
        loss=dict(type='LabelledCrossEntropyLoss')))
