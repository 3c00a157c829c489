"""Train a model (teacher, student or distillation algorithm) from a config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                                 [--cfg-options k=v ...] [--launcher pytorch]
                                 [--debug]

Also what ``mim train mmkd_transfer CONFIG`` runs. Problems that can be seen
before training (missing ``custom_imports``, a dataset path or teacher
checkpoint that does not exist, a work dir used by another run, nothing or
something damaged to resume) fail here with a one-line error on stderr
(``--debug`` or ``MMKD_DEBUG=1`` adds the traceback). Training stops at the
first non-finite loss (:class:`mmkd_transfer.engine.hooks.FiniteLossHook`).
"""
import argparse
import os.path as osp
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Train with mmkd_transfer')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or without a value from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='enable automatic-mixed-precision training')
    from mmkd_transfer.cli import add_cfg_options, parse_tool_args
    add_cfg_options(parser)
    return parse_tool_args(parser, argv)


def build_cfg(args):
    # the plugin's compat fixes first: an mmcls-era config's ``mmcls::``
    # bases resolve to mmpretrain only once they are applied
    from mmkd_transfer.cli import load_tool_config
    cfg = load_tool_config(args)
    if args.amp:
        wrapper = cfg.optim_wrapper
        if wrapper.get('constructor') is not None:
            for sub in wrapper.values():
                if isinstance(sub, dict) and sub.get('type') == 'OptimWrapper':
                    sub.update(type='AmpOptimWrapper', loss_scale='dynamic')
        else:
            wrapper.update(type='AmpOptimWrapper', loss_scale='dynamic')
    if args.resume is not None:
        cfg.load_from = None  # resolve_resume picks the checkpoint
    return cfg


def add_finite_loss_hook(cfg):
    """Stop at the first NaN/inf loss; never checkpoint non-finite weights.

    Added after the config checks (the user's config does not use the
    plugin for it), with the plugin import, so the dumped config runs as is.
    """
    hooks = list(cfg.get('custom_hooks') or [])
    if not any(
            str(h.get('type', '')).endswith('FiniteLossHook') for h in hooks):
        hooks.append(dict(type='mmrazor.FiniteLossHook'))
    cfg.custom_hooks = hooks
    custom = dict(cfg.get('custom_imports') or {})
    imports = custom.get('imports', [])
    imports = [imports] if isinstance(imports, str) else list(imports)
    if 'mmkd_transfer' not in imports:
        cfg.custom_imports = dict(custom, imports=imports + ['mmkd_transfer'])


def _warn(message):
    print(
        f'{osp.basename(sys.argv[0]) or "train.py"}: warning: {message}',
        file=sys.stderr)


def resolve_resume(cfg, resume):
    """Choose the checkpoint to resume, before anything is built.

    ``--resume`` alone takes the work dir's last checkpoint, or the newest
    intact one if that is damaged (with a warning naming it); with nothing
    to resume it says so and trains from scratch. An explicit path must be
    an intact checkpoint.
    """
    from mmkd_transfer.checkpoint_io import (check_checkpoint_file,
                                             latest_intact_checkpoint)
    from mmkd_transfer.config_checks import ConfigError
    if resume is None:
        return
    if resume == 'auto':
        path, warning = latest_intact_checkpoint(cfg.work_dir)
        if path is None:
            _warn(f'--resume: no checkpoint to resume in {cfg.work_dir} (no '
                  'last_checkpoint, no epoch_N.pth/iter_N.pth): training '
                  'from scratch.')
            cfg.resume, cfg.load_from = False, None
            return
        if warning:
            _warn(warning)
    else:
        path = resume
        if not osp.isfile(osp.expanduser(path)) and '://' not in path:
            raise ConfigError(
                f'--resume {path!r} does not exist: pass an existing '
                'checkpoint (e.g. WORK_DIR/epoch_N.pth), or --resume alone '
                'for the latest one in the work dir.')
        check_checkpoint_file(path, deep=True)
    cfg.resume, cfg.load_from = True, path


def check_resume_target(runner, path):
    """Refuse to resume from another model's checkpoint or a bare export."""
    from mmengine.model import is_model_wrapper

    from mmkd_transfer.checkpoint_io import (check_resumable,
                                             load_checkpoint_dict)
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    check_resumable(load_checkpoint_dict(path), model, path)


def main(argv=None):
    args = parse_args(argv)
    cfg = build_cfg(args)
    from mmkd_transfer.cli import build_runner
    from mmkd_transfer.config_checks import check_config
    from mmkd_transfer.work_dir_lock import WorkDirLock
    check_config(cfg)
    add_finite_loss_hook(cfg)
    resume = args.resume
    if resume is None and cfg.get('resume'):  # resume = True in the config
        resume = cfg.get('load_from') or 'auto'
    with WorkDirLock(cfg.work_dir):
        resolve_resume(cfg, resume)
        runner = build_runner(cfg)
        if cfg.get('resume') and cfg.get('load_from'):
            check_resume_target(runner, cfg.load_from)
        runner.train()
    return runner


if __name__ == '__main__':
    from mmkd_transfer.cli import run_tool
    run_tool(main)
