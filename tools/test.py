"""Evaluate a checkpoint with a config (student, teacher or distillation).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--cfg-options ...]
                                           [--debug]

The checkpoint is loaded strictly: one of another model fails with its first
missing/unexpected/mis-shaped keys instead of evaluating random weights. A
distillation checkpoint given with the student's config is evaluated through
its student (``architecture.*``), with a warning that says so.
"""
import argparse


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test with mmkd_transfer')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the dir to save logs and metrics')
    from mmkd_transfer.cli import add_cfg_options, parse_tool_args
    add_cfg_options(parser)
    return parse_tool_args(parser, argv)


def main(argv=None):
    args = parse_args(argv)
    # the plugin's compat fixes first: an mmcls-era config's ``mmcls::``
    # bases resolve to mmpretrain only once they are applied
    from mmkd_transfer.cli import load_tool_config
    cfg = load_tool_config(args)
    from mmkd_transfer.checkpoint_io import check_checkpoint_file
    from mmkd_transfer.cli import build_runner
    from mmkd_transfer.config_checks import check_config, check_file
    check_file(args.checkpoint, 'checkpoint', 'pass the path of a .pth file')
    check_checkpoint_file(args.checkpoint)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    check_config(cfg)

    runner = build_runner(cfg, strict_load=True)
    return runner.test()


if __name__ == '__main__':
    from mmkd_transfer.cli import run_tool
    run_tool(main)
