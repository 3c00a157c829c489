# mmpretrain ResNets for the CUB-200 transfer configs (AFD, CRKD): a
# ResNet-18 and a ResNet-34 with a 200-class head, randomly initialised
# (nothing is downloaded at run time), and the ImageNet ResNet-34 as
# mmpretrain's resnet34_8xb32_in1k trained it (1,000 classes), whose weights
# a config loads from its teacher checkpoint. Model dicts only: the dataset
# and num_classes come from ../datasets/imagefolder_cub200.py.


def _resnet(depth, num_classes, topk):
    head = dict(
        type='LinearClsHead',
        num_classes=num_classes,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0))
    if topk is not None:
        head['topk'] = topk
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(
            type='ResNet',
            depth=depth,
            num_stages=4,
            out_indices=(3, ),
            style='pytorch'),
        neck=dict(type='GlobalAveragePooling'),
        head=head)


cub200_resnet18 = _resnet(18, 200, topk=(1, 5))
cub200_resnet34 = _resnet(34, 200, topk=(1, 5))
imagenet_resnet34 = _resnet(34, 1000, topk=None)
del _resnet
