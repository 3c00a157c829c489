"""Export the student of a distillation checkpoint as a plain checkpoint.

    python tools/export_student.py work_dirs/kd/epoch_30.pth [--out s.pth]

The result loads with mmpretrain / mmseg / mmdet (``init_model(cfg, ckpt)``,
``load_checkpoint``) using the student's own config, and predicts exactly as
the student inside the algorithm did. Teachers, connectors and method-only
parameters (e.g. AFD's attention meta-network) are dropped. The output is
written atomically (a temporary file renamed into place) and may not be the
input itself.
"""
import argparse
import os.path as osp


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('checkpoint', help='distillation checkpoint (.pth)')
    parser.add_argument(
        '--out', help='output path (default: '
        '<checkpoint>_student.pth)')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the traceback of known errors too')
    args = parser.parse_args(argv)

    import mmkd_transfer  # noqa: F401  (safe loading of runner checkpoints)
    from mmkd_transfer.checkpoint_io import (CheckpointError,
                                             load_checkpoint_dict,
                                             save_atomically,
                                             student_checkpoint)
    out = args.out or osp.splitext(args.checkpoint)[0] + '_student.pth'
    if osp.exists(out) and osp.samefile(out, args.checkpoint):
        raise CheckpointError(
            f'--out {out!r} is the input checkpoint itself: exporting would '
            'replace the distillation checkpoint by its student; pass '
            'another --out (default: <checkpoint>_student.pth).')
    exported = student_checkpoint(
        load_checkpoint_dict(args.checkpoint), args.checkpoint)
    save_atomically(exported, out)
    print(f'saved {len(exported["state_dict"])} student tensors to {out}')
    return out


if __name__ == '__main__':
    from mmkd_transfer.cli import run_tool
    run_tool(main)
