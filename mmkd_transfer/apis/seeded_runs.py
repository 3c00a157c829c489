"""Train a config under a given seed in this process and read its accuracy.

Used by the comparison runner (:mod:`.comparison`): every row of a results
table is one config trained over several seeds on the same data split.
"""
import os.path as osp
import statistics
import time


def load_seeded_config(path, work_dir, seed, log_interval=50, **overrides):
    """Load ``path`` with its work dir, seed and top-level overrides set."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    cfg.work_dir = work_dir
    # unique name: two runs started within one second must not share a log
    cfg.experiment_name = f'seed{seed}_{time.time_ns()}'
    cfg.randomness = dict(seed=seed, deterministic=False)
    if 'logger' in cfg.get('default_hooks', {}):
        cfg.default_hooks.logger.interval = log_interval
    for key, value in overrides.items():
        cfg[key] = value
    return cfg


def final_checkpoint(cfg, work_dir):
    """The checkpoint a config's training leaves last in ``work_dir``:
    ``epoch_<max_epochs>.pth`` or, for iteration-based training,
    ``iter_<max_iters>.pth`` (what mmengine's CheckpointHook names it)."""
    if cfg.train_cfg.get('max_epochs'):
        return osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    return osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')


def train_and_validate(cfg, metric='accuracy/top1', train=True):
    """Train (optionally) and validate; return the final value of ``metric``
    (a list of values when ``metric`` is a list of keys).

    Reads the metric from the message hub, because MMRazor's
    ``SingleTeacherDistillValLoop.run`` does not return its metrics.
    """
    from mmengine.runner import Runner

    from mmkd_transfer.config_checks import check_config
    check_config(cfg)
    runner = Runner.from_cfg(cfg)
    if train:
        runner.train()
    runner.val()
    if isinstance(metric, str):
        return runner.message_hub.get_scalar(f'val/{metric}').current()
    return [
        runner.message_hub.get_scalar(f'val/{m}').current() for m in metric
    ]


def format_mean_std(values, digits=1):
    """'mean ± std' over seeds (sample std), or the value for one seed."""
    if len(values) == 1:
        return f'{values[0]:.{digits}f}'
    return (f'{statistics.mean(values):.{digits}f} ± '
            f'{statistics.stdev(values):.{digits}f}')
