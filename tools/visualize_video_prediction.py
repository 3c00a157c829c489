"""Write input / ground-truth / predicted frame strips of a video predictor.

    python tools/visualize_video_prediction.py CONFIG CHECKPOINT
        [--num-clips K] [--split val|test] [--out-dir DIR] [--scale S]
        [--cfg-options k=v ...]

Builds the config's model, loads CHECKPOINT (a distillation checkpoint gives
its student), predicts the first K clips of the config's validation (or
test) set and writes one PNG per clip, ``clip_<index>.png``: row 1 the input
frames, row 2 the true future frames, row 3 the predicted frames (see
``video_prediction_strip`` in mmkd_transfer/engine/hooks/
video_prediction_vis_hook.py). Default output folder:
``work_dirs/<config name>/video_strips``. A mistake (a missing checkpoint,
more clips than the set has) is one line on stderr and exit status 1.
"""
import argparse
import os
import os.path as osp
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('config', help='a video-prediction config file')
    parser.add_argument('checkpoint', help='checkpoint file of the model')
    parser.add_argument(
        '--num-clips',
        type=int,
        default=4,
        help='clips to draw, from the first one (default: 4)')
    parser.add_argument(
        '--out-dir',
        help='where the PNG files go (default: '
        'work_dirs/<config name>/video_strips)')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=8,
        help='clips predicted at once (default: 8)')
    from mmkd_transfer.cli import (add_cfg_options, add_figure_options,
                                   parse_tool_args)
    add_figure_options(parser, default_scale=2)
    add_cfg_options(parser)
    args = parse_tool_args(parser, argv)
    for name in ('num_clips', 'scale', 'batch_size'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be at least 1')
    return args


def build_model_and_dataset(cfg, split):
    """The config's model (eval mode, CPU) and the dataset of its
    ``<split>_dataloader``, built under the config's default scope."""
    from mmengine.registry import DefaultScope
    from mmrazor.registry import DATASETS, MODELS
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(cfg.model)
        dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
    return model.eval(), dataset


def write_strips(model, dataset, num_clips, out_dir, batch_size=8, scale=2):
    """Predict the first ``num_clips`` clips of ``dataset`` and write one
    strip per clip as ``<out_dir>/clip_<index>.png``; return the paths."""
    import mmcv
    import torch
    from mmengine.dataset import pseudo_collate

    from mmkd_transfer.config_checks import ConfigError
    from mmkd_transfer.engine.hooks.video_prediction_vis_hook import (
        clip_strips, find_input_frames)
    if num_clips > len(dataset):
        raise ConfigError(
            f'--num-clips {num_clips} is more than the {len(dataset)} clips '
            f'of the dataset: ask for at most {len(dataset)}.')
    input_frames = find_input_frames(model)
    paths = []
    for start in range(0, num_clips, batch_size):
        indices = range(start, min(start + batch_size, num_clips))
        batch = pseudo_collate([dataset[i] for i in indices])
        with torch.no_grad():
            data = model.data_preprocessor(batch, False)
            preds = model(data['inputs'], data['data_samples'], 'predict')
        strips = clip_strips(
            batch['inputs'], preds, input_frames=input_frames, scale=scale)
        for index, strip in zip(indices, strips):
            path = osp.join(out_dir, f'clip_{index:04d}.png')
            mmcv.imwrite(strip[..., ::-1], path)  # RGB -> BGR for OpenCV
            paths.append(path)
    return paths


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config

    from mmkd_transfer.checkpoint_io import (load_checkpoint_dict,
                                             select_weights)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    model, dataset = build_model_and_dataset(cfg, args.split)
    checkpoint = load_checkpoint_dict(args.checkpoint)
    state, note = select_weights(model, checkpoint, args.checkpoint)
    if note:
        print(note, file=sys.stderr)
    model.load_state_dict(state, strict=True)
    out_dir = args.out_dir or osp.join(
        'work_dirs',
        osp.splitext(osp.basename(args.config))[0], 'video_strips')
    os.makedirs(out_dir, exist_ok=True)
    paths = write_strips(model, dataset, args.num_clips, out_dir,
                         args.batch_size, args.scale)
    print(f'{len(paths)} strips (rows: input, ground truth, prediction) in '
          f'{out_dir}')
    return 0


if __name__ == '__main__':
    from mmkd_transfer.cli import run_tool
    sys.exit(run_tool(main))
