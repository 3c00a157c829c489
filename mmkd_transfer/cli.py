"""What the command-line tools share: one-line errors, config logged late.

A mistake the plugin recognises (a config, checkpoint or work-dir problem,
a non-finite loss) is printed by the tools as one line on stderr, with exit
status 1 and no traceback; ``--debug`` or ``MMKD_DEBUG=1`` shows the
traceback. Anything else is a bug and keeps its traceback.

mmengine's Runner logs the environment and the whole config (hundreds of
lines) before it builds the model, so an error raised while building came
after that dump; :func:`build_runner` logs them once the model is built.
"""
import os
import os.path as osp
import sys

DEBUG_VARIABLE = 'MMKD_DEBUG'
PACKAGE_DIR = osp.dirname(osp.abspath(__file__))


def _known_types():
    from mmkd_transfer.checkpoint_io import CheckpointError
    from mmkd_transfer.compat import UnsafeCheckpointError
    from mmkd_transfer.config_checks import ConfigError
    from mmkd_transfer.engine.hooks.finite_loss_hook import NonFiniteLossError
    from mmkd_transfer.work_dir_lock import WorkDirLockedError
    return (CheckpointError, ConfigError, UnsafeCheckpointError,
            NonFiniteLossError, WorkDirLockedError)


def _raised_in(err, folder):
    """Whether ``err`` was raised by code under ``folder``."""
    tb = err.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return osp.abspath(tb.tb_frame.f_code.co_filename).startswith(folder +
                                                                  os.sep)


def is_known_error(err):
    """A mistake with a message written for the user (no traceback needed).

    That is: the plugin's own error types; a ``ValueError`` raised by the
    plugin's checks (they all name the fix in one line); a ``KeyError`` of
    a registry that does not know a ``type`` name.
    """
    if isinstance(err, _known_types()):
        return True
    if isinstance(err, ValueError):
        return _raised_in(err, PACKAGE_DIR)
    if isinstance(err, KeyError):
        import mmengine.registry
        return _raised_in(err, osp.dirname(mmengine.registry.__file__))
    return False


def one_line(err):
    """The message of ``err`` on one line (whitespace runs collapsed)."""
    message = str(err.args[0]) if isinstance(err, KeyError) and err.args \
        else str(err)
    return ' '.join(message.split()) or type(err).__name__


def add_cfg_options(parser):
    """Add ``--cfg-options KEY=VALUE ...`` (mmengine's ``DictAction``):
    config settings to override, dotted keys allowed; the tool merges them
    into its config (:func:`load_tool_config` does)."""
    from mmengine.config import DictAction
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        metavar='KEY=VALUE',
        help='override config settings, e.g. train_cfg.max_iters=10')


def add_figure_options(parser, default_scale=1):
    """Add ``--split`` (val or test: whose dataset gives the samples drawn)
    and ``--scale`` (integer upscaling of each panel), shared by the tools
    that draw figures from a config's dataset."""
    parser.add_argument(
        '--split',
        choices=['val', 'test'],
        default='val',
        help='the dataloader whose dataset gives the clips (default: val)')
    parser.add_argument(
        '--scale',
        type=int,
        default=default_scale,
        help=f'integer upscaling of each panel (default: {default_scale})')


def parse_tool_args(parser, argv=None):
    """Add the options every tool shares, parse ``argv``, export LOCAL_RANK.

    Shared: ``--launcher`` (none, pytorch, slurm, mpi), ``--local_rank``
    (torch.distributed.launch passes it), ``--debug`` (tracebacks of known
    errors) and a hidden ``--device`` (mim passes it when it finds no
    ``--gpus`` flag in a tool's help text).
    """
    import argparse
    parser.add_argument(
        '--launcher',
        default='none',
        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--device', default=None, help=argparse.SUPPRESS)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of known errors too')
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def load_tool_config(args):
    """The config of ``args.config`` with the tool's ``--launcher``,
    ``--cfg-options`` and ``--work-dir`` applied (default work dir:
    ``./work_dirs/<config name>``, as OpenMMLab tools do)."""
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def run_tool(main, argv=None):
    """Run a tool's ``main``; print a known error as one line and exit 1."""
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = ('--debug' in argv
             or os.environ.get(DEBUG_VARIABLE, '') not in ('', '0'))
    try:
        return main(argv)
    except Exception as err:
        if debug or not is_known_error(err):
            raise
        prog = osp.basename(sys.argv[0]) or 'mmkd_transfer'
        print(f'{prog}: error: {one_line(err)}', file=sys.stderr)
        sys.exit(1)


def build_runner(cfg, strict_load=False):
    """``Runner.from_cfg`` that logs the env and config after the model.

    Args:
        cfg (Config): the full config.
        strict_load (bool): load ``load_from`` strictly through the safe
            loader (every key and shape must match; a distillation
            checkpoint given for a plain model gives its student, with a
            warning). mmengine loads non-strictly, which evaluates a random
            model when the checkpoint is another model's. Defaults to False
            (training keeps mmengine's partial ``load_from`` for
            fine-tuning).

    A config with its own ``runner_type`` is built as it asks.
    """
    from mmengine.model import is_model_wrapper
    from mmengine.registry import RUNNERS
    from mmengine.runner import Runner

    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    model_name = 'the model of ' + (
        osp.basename(cfg.filename) if cfg.filename else 'the config')

    class ToolRunner(Runner):
        """A Runner whose start-up log (env + config) follows the model."""

        def _log_env(self, env_cfg):
            self._deferred_env_cfg = env_cfg

        def build_model(self, model):
            model = super().build_model(model)
            env_cfg = self.__dict__.pop('_deferred_env_cfg', None)
            if env_cfg is not None:
                Runner._log_env(self, env_cfg)
            return model

        def load_checkpoint(self, filename, *args, **kwargs):
            if not strict_load:
                return super().load_checkpoint(filename, *args, **kwargs)
            from mmkd_transfer.checkpoint_io import (load_checkpoint_dict,
                                                     select_weights)
            checkpoint = load_checkpoint_dict(filename)
            self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
            model = self.model.module if is_model_wrapper(
                self.model) else self.model
            state, note = select_weights(model, checkpoint, filename,
                                         model_name)
            if note:
                self.logger.warning(note)
            model.load_state_dict(state, strict=True)
            self._has_loaded = True
            return checkpoint

    return ToolRunner.from_cfg(cfg)
