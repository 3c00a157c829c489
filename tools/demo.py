"""The main job on the embedded data (``make demo``): one table of every
classification method on the digits transfer benchmark.

The source teacher (ResNet-18 width 32) is trained once on all 1,400
labelled 8x8 digits. The 16x smaller target student (width 8) has only 100
labels, in two settings: it sees the same 8x8 images, or the same images
at 4x4 (the low-resolution transfer setting, where the student alone is
far below the teacher). Each setting has the rows student alone, plain KD
and AFD + KD, trained over seeds 0, 1, 2 on the same labelled split; the
distilled students learn from the teacher's soft labels on all 1,400
training images. Top-1 on the 397 held-out validation digits, which were
never used to choose any setting. The table spec is configs/demo.yml.

    python tools/demo.py [--seeds 0 1 2] [--work-dir work_dirs/demo]
        [--threads 1]

The teacher is trained on the first run and reused afterwards. Same as
``python tools/compare.py configs/demo.yml --work-dir work_dirs/demo``.
"""
import argparse
import os.path as osp

SPEC = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'demo.yml')


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument(
        '--seeds',
        type=int,
        nargs='+',
        default=None,
        help='default: 0 1 2 (from configs/demo.yml)')
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch intra-op threads (default 1)')
    args = parser.parse_args(argv)

    import mmkd_transfer  # noqa: F401  (compat fixes, registration)
    from mmkd_transfer.apis import SpecError, load_spec, run_comparison
    try:
        return run_comparison(
            load_spec(SPEC),
            seeds=args.seeds,
            work_dir=args.work_dir,
            threads=args.threads)
    except SpecError as err:
        raise SystemExit(f'demo: {err}')


if __name__ == '__main__':
    main()
