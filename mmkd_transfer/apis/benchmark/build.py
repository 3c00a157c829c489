"""Building what a config benchmark measures: the Runner's model and
optimizer wrapper, and one real training batch."""
import copy
import logging
import tempfile
import time
import warnings
from typing import Optional

from .algorithm import get_student, get_teachers


def drop_teacher_checkpoints(cfg) -> None:
    """Set every teacher checkpoint of ``cfg.model`` to None, in place.

    Benchmarks use untrained teachers: the weights do not change the cost,
    and the checkpoints need not exist on the measuring machine.
    """
    model = cfg.model
    if 'teacher_ckpt' in model:
        model.teacher_ckpt = None
    for teacher in (model.get('teachers') or {}).values():
        if isinstance(teacher, dict) and 'ckpt' in teacher:
            teacher['ckpt'] = None


def build_from_config(cfg,
                      batch_size: Optional[int] = None,
                      work_dir: Optional[str] = None):
    """The Runner's model and optimizer wrapper, and one real train batch.

    Nothing is trained; teacher checkpoints are dropped (an untrained teacher
    costs the same) and ``cfg`` itself is left as it was. The runner logs
    into ``work_dir`` (default: a new temporary folder, which the caller
    removes): only errors while it builds (the algorithm's warning that a
    teacher has no checkpoint is the intended state here), then warnings.

    Args:
        cfg (Config): a distillation config.
        batch_size (int, optional): overrides the train batch size.
        work_dir (str, optional): where the Runner logs.

    Returns:
        tuple: (runner, algorithm, optim_wrapper, data) with ``data`` one
        batch of the config's train dataloader, before preprocessing.
    """
    from mmengine.runner import Runner

    from mmkd_transfer.config_checks import ConfigWarning, check_config
    cfg = copy.deepcopy(cfg)
    drop_teacher_checkpoints(cfg)
    if batch_size is not None:
        cfg.train_dataloader.batch_size = batch_size
    cfg.work_dir = work_dir or tempfile.mkdtemp(prefix='mmkd_benchmark_')
    cfg.log_level = 'ERROR'
    cfg.experiment_name = f'benchmark_{time.time_ns()}'
    cfg.pop('load_from', None)
    cfg.resume = False
    with warnings.catch_warnings():
        # teachers without a checkpoint are the intended state here
        warnings.simplefilter('ignore', ConfigWarning)
        check_config(cfg)
    runner = Runner.from_cfg(cfg)
    for logger in [runner.logger, *runner.logger.handlers]:
        logger.setLevel(logging.WARNING)
    algorithm = runner.model
    # a clear error now if the config is not a distillation algorithm
    get_student(algorithm)
    get_teachers(algorithm)
    optim_wrapper = runner.build_optim_wrapper(cfg.optim_wrapper)
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=runner.seed)
    data = next(iter(loader))
    return runner, algorithm, optim_wrapper, data
