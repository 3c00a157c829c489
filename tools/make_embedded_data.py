"""Pre-generate the embedded digits segmentation and detection sets.

The datasets generate themselves on first use; run this to do it up front
(e.g. before a multi-process run, or to inspect the files)::

    python tools/make_embedded_data.py                 # both, default roots
    python tools/make_embedded_data.py --which det --det-root /tmp/digits_det
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkd_transfer.datasets.digits_det_dataset import (  # noqa: E402
    DEFAULT_DET_ROOT, ensure_digits_det)
from mmkd_transfer.datasets.digits_seg_dataset import (  # noqa: E402
    DEFAULT_SEG_ROOT, ensure_digits_seg)
from mmkd_transfer.datasets.generated_dir import read_meta  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--which',
        choices=('seg', 'det', 'all'),
        default='all',
        help='which set(s) to generate')
    parser.add_argument(
        '--seg-root',
        default=DEFAULT_SEG_ROOT,
        help='segmentation set folder (default %(default)s)')
    parser.add_argument(
        '--det-root',
        default=DEFAULT_DET_ROOT,
        help='detection set folder (default %(default)s)')
    parser.add_argument(
        '--num-train',
        type=int,
        default=None,
        help='train images (default 300)')
    parser.add_argument(
        '--num-val', type=int, default=None, help='val images (default 100)')
    parser.add_argument(
        '--canvas-size',
        type=int,
        default=None,
        help='image side in pixels (default 64)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    recipe = dict(
        num_train=args.num_train,
        num_val=args.num_val,
        canvas_size=args.canvas_size)
    jobs = []
    if args.which in ('seg', 'all'):
        jobs.append((ensure_digits_seg, args.seg_root))
    if args.which in ('det', 'all'):
        jobs.append((ensure_digits_det, args.det_root))
    for ensure, root in jobs:
        ensure(root, **recipe)
        print(f'{root}: {read_meta(root)}')


if __name__ == '__main__':
    main()
