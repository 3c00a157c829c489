# The CIFAR-100 schedule of Show, Attend and Distill (Ji, Heo, Park; AAAI
# 2021): SGD 0.05, momentum 0.9, wd 5e-4, batch 64 (see the dataset base),
# 240 epochs, lr x0.1 at epochs 150/180/210.
max_epochs = 240
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    type='MultiStepLR', by_epoch=True, milestones=[150, 180, 210], gamma=0.1)
train_cfg = dict(by_epoch=True, max_epochs=max_epochs, val_interval=10)
val_cfg = dict()
test_cfg = dict()
