# CIFAR-100 teacher and student for the paper's model-compression setting,
# used by configs/afd. mmpretrain 1.2 has no WideResNet, so we use
# mmpretrain's ResNet_CIFAR (3x3 stem, no max-pool) cut to 3 stages of
# widths 32/64/128 at 32/16/8 px, the stage layout of WRN-d-2:
# - teacher "R34-s3-w32": stages (3, 4, 6) = 13 blocks, 2.1M params
#   (WRN-40-2: 6+6+6 = 18 blocks, 2.2M);
# - student "R18-s3-w32": stages (2, 2, 2) = 6 blocks, 0.7M params
#   (WRN-16-2: 2+2+2 = 6 blocks, 0.7M).
# Unlike WRNs these blocks are post-activation (BasicBlock, ReLU after the
# sum) and have no dropout. _scope_ lets the dicts be built under mmrazor.
cifar_teacher = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=34,
        stem_channels=32,
        base_channels=32,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))

cifar_student = dict(
    _scope_='mmpretrain',
    type='ImageClassifier',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        stem_channels=32,
        base_channels=32,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
