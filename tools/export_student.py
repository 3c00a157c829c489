"""Export the student of a distillation checkpoint as a plain checkpoint.

    python tools/export_student.py work_dirs/kd/epoch_30.pth [--out student.pth]

The result loads with mmpretrain / mmseg / mmdet (``init_model(cfg, ckpt)``,
``load_checkpoint``) using the student's own config, and predicts exactly as
the student inside the algorithm did. Teachers, connectors and method-only
parameters (e.g. AFD's attention meta-network) are dropped.
"""
import argparse
import os.path as osp

import torch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='distillation checkpoint (.pth)')
    parser.add_argument('--out', help='output path (default: '
                        '<checkpoint>_student.pth)')
    args = parser.parse_args(argv)

    import mmkd_transfer  # noqa: F401  (safe loading of runner checkpoints)
    from mmkd_transfer.checkpoint_io import (load_checkpoint_dict,
                                             student_checkpoint)
    exported = student_checkpoint(load_checkpoint_dict(args.checkpoint),
                                  args.checkpoint)
    out = args.out or osp.splitext(args.checkpoint)[0] + '_student.pth'
    torch.save(exported, out)
    print(f'saved {len(exported["state_dict"])} student tensors to {out}')
    return out


if __name__ == '__main__':
    main()
