# Runtime shared by the embedded-data configs (CPU-friendly, seeded).
# Task configs set default_scope to their task package (mmpretrain, mmseg,
# mmdet); distillation algorithms use model=dict(_scope_='mmrazor', ...).
custom_imports = dict(imports=['mmkd_transfer'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', interval=1, max_keep_ckpts=2, save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='gloo'),
)
vis_backends = [dict(type='LocalVisBackend')]
log_processor = dict(by_epoch=True, window_size=10)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
# Add dict(type='TensorboardVisBackend') to write TensorBoard event files.
visualizer = dict(type='Visualizer', vis_backends=vis_backends)
