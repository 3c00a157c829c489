"""Stack the saliency overlays of several models into one labelled figure.

    python tools/visualize_saliency.py OUT.png
        --row LABEL CONFIG CHECKPOINT [--row LABEL CONFIG CHECKPOINT ...]
        [--clips 0 5] [--split val|test] [--scale S] [--colors N]
        [--cfg-options k=v ...]

For each ``--row`` (a saliency model: an mmseg segmentor with one output
channel, an SKD model, or a distillation config whose student predicts):
build CONFIG's model, load CHECKPOINT (strict, weights only), predict the
given clips of the config's validation (or test) set and draw, per clip,
frame | ground truth (fixations in white) | prediction with
``render_saliency_overlay`` (mmkd_transfer/engine/hooks/
saliency_overlay_hook.py). One row of the figure per ``--row``, its LABEL
written above it (ASCII). Every row must draw the same clips, so the
configs should read the same data. ``--colors N`` writes an N-colour
palette PNG (a few times smaller, for figures kept in the repository). A
mistake (a missing checkpoint, a clip
index past the set) is one line on stderr and exit status 1.
"""
import argparse
import os
import os.path as osp
import sys

#: height in pixels of the label strip above each row
LABEL_HEIGHT = 16
#: white space between two clips of a row
CLIP_GAP = 6


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('out', help='the PNG file to write')
    parser.add_argument(
        '--row',
        nargs=3,
        action='append',
        required=True,
        metavar=('LABEL', 'CONFIG', 'CHECKPOINT'),
        help='one model of the figure; repeatable, drawn top to bottom')
    parser.add_argument(
        '--clips',
        type=int,
        nargs='+',
        default=[0],
        help='indices of the clips drawn (default: 0)')
    parser.add_argument(
        '--colors',
        type=int,
        default=0,
        help='write a palette PNG of this many colours, 2..256 (default: '
        '0, full colour)')
    from mmkd_transfer.cli import (add_cfg_options, add_figure_options,
                                   parse_tool_args)
    add_figure_options(parser)
    add_cfg_options(parser)
    args = parse_tool_args(parser, argv)
    if args.scale < 1:
        parser.error('--scale must be at least 1')
    if args.colors and not 2 <= args.colors <= 256:
        parser.error('--colors must be 0 (full colour) or in 2..256')
    return args


def load_model_and_dataset(config, checkpoint, split, cfg_options=None):
    """CONFIG's model (eval mode, CPU) with CHECKPOINT's weights, and the
    dataset of its ``<split>_dataloader``."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmrazor.registry import DATASETS, MODELS

    from mmkd_transfer.checkpoint_io import (load_checkpoint_dict,
                                             select_weights)
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(cfg.model)
        dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
    # the trained weights replace everything init_weights would load (e.g.
    # stage 2's trunk checkpoints), so it is not called
    state, note = select_weights(model, load_checkpoint_dict(checkpoint),
                                 checkpoint)
    if note:
        print(note, file=sys.stderr)
    model.load_state_dict(state, strict=True)
    return model.eval(), dataset


def overlay_row(model, dataset, clips, scale=1):
    """frame | ground truth | prediction of each clip, side by side.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB image.
    """
    import numpy as np
    import torch
    from mmengine.dataset import pseudo_collate

    from mmkd_transfer.config_checks import ConfigError
    from mmkd_transfer.engine.hooks.saliency_overlay_hook import \
        render_saliency_overlay
    from mmkd_transfer.evaluation.saliency_metric import read_prediction
    bad = [i for i in clips if not 0 <= i < len(dataset)]
    if bad:
        raise ConfigError(f'--clips {bad[0]} is outside the {len(dataset)} '
                          f'clips of the dataset: use 0..{len(dataset) - 1}.')
    batch = pseudo_collate([dataset[i] for i in clips])
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        preds = model(data['inputs'], data['data_samples'], 'predict')
    images = []
    for clip, given, pred in zip(batch['inputs'], batch['data_samples'],
                                 preds):
        frame = clip[0] if clip.dim() == 4 else clip  # frame t of the clip
        fixations = given.get('gt_fixations')
        images.append(
            render_saliency_overlay(
                frame,
                gt=given.gt_saliency.data,
                pred=read_prediction(pred),
                fixations=None if fixations is None else fixations.data,
                scale=scale))
    gap = np.full((images[0].shape[0], CLIP_GAP, 3), 255, np.uint8)
    out = [images[0]]
    for image in images[1:]:
        out += [gap, image]
    return np.concatenate(out, axis=1)


def stack_rows(labels, rows):
    """The rows one under the other, each under a white strip with its
    label in black.

    Args:
        labels (list[str]): one ASCII label per row.
        rows (list[np.ndarray]): (H_i, W, 3) uint8 images of one width.

    Returns:
        np.ndarray: (sum(H_i + LABEL_HEIGHT), W, 3) uint8 RGB image.
    """
    import cv2
    import numpy as np
    parts = []
    for label, row in zip(labels, rows):
        strip = np.full((LABEL_HEIGHT, row.shape[1], 3), 255, np.uint8)
        cv2.putText(strip, label, (2, LABEL_HEIGHT - 4),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35, (0, 0, 0), 1, cv2.LINE_AA)
        parts += [strip, row]
    return np.concatenate(parts, axis=0)


def write_palette_png(image, path, colors):
    """Write an (H, W, 3) uint8 RGB image as a PNG of ``colors`` palette
    colours (median cut, no dithering: flat areas stay flat)."""
    from PIL import Image
    palette = Image.fromarray(image).quantize(
        colors=colors,
        method=Image.Quantize.MEDIANCUT,
        dither=Image.Dither.NONE)
    palette.save(path, optimize=True)


def main(argv=None):
    args = parse_args(argv)
    import mmcv

    import mmkd_transfer  # noqa: F401  (registration, compat fixes)
    labels, rows = [], []
    for label, config, checkpoint in args.row:
        model, dataset = load_model_and_dataset(config, checkpoint, args.split,
                                                args.cfg_options)
        rows.append(overlay_row(model, dataset, args.clips, args.scale))
        labels.append(label)
    figure = stack_rows(labels, rows)
    if osp.dirname(args.out):
        os.makedirs(osp.dirname(args.out), exist_ok=True)
    if args.colors:
        write_palette_png(figure, args.out, args.colors)
    else:
        mmcv.imwrite(figure[..., ::-1], args.out)  # RGB -> BGR for OpenCV
    print(f'{len(rows)} rows x {len(args.clips)} clips (frame | ground truth '
          f'| prediction) in {args.out}')
    return 0


if __name__ == '__main__':
    from mmkd_transfer.cli import run_tool
    sys.exit(run_tool(main))
