# The parts of a RetinaNet that mmdet's retinanet_r50_fpn base fixes and our
# model bases share: box coder, focal and L1 losses, anchor assignment and
# test-time NMS. A model base builds its bbox_head and train/test settings
# from them, e.g.
#   bbox_head=dict(..., **_base_.retinanet_head_losses),
#   train_cfg=_base_.retinanet_train_cfg,
#   test_cfg=dict(_base_.retinanet_test_cfg, max_per_img=20)
retinanet_head_losses = dict(
    bbox_coder=dict(
        type='DeltaXYWHBBoxCoder',
        target_means=[.0, .0, .0, .0],
        target_stds=[1.0, 1.0, 1.0, 1.0]),
    loss_cls=dict(
        type='FocalLoss',
        use_sigmoid=True,
        gamma=2.0,
        alpha=0.25,
        loss_weight=1.0),
    loss_bbox=dict(type='L1Loss', loss_weight=1.0))
retinanet_train_cfg = dict(
    assigner=dict(
        type='MaxIoUAssigner',
        pos_iou_thr=0.5,
        neg_iou_thr=0.4,
        min_pos_iou=0,
        ignore_iof_thr=-1),
    sampler=dict(type='PseudoSampler'),
    allowed_border=-1,
    pos_weight=-1,
    debug=False)
retinanet_test_cfg = dict(
    nms_pre=1000,
    min_bbox_size=0,
    score_thr=0.05,
    nms=dict(type='nms', iou_threshold=0.5),
    max_per_img=100)
