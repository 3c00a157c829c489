"""Compare methods over seeds from a table spec; print the results table.

A spec (YAML, next to a method's configs) names the teachers, trained once
and reused, and the rows of the table, each a config trained once per seed
(see mmkd_transfer/apis/comparison_spec.py). For example the AFD tables:

    python tools/compare.py configs/afd/results.yml       # classification
    python tools/compare.py configs/afd/results_seg.yml   # FCN, mIoU
    python tools/compare.py configs/afd/results_det.yml   # RetinaNet, mAP

Options: [--seeds 0 1 2] [--work-dir DIR] [--threads 1]
[--teacher-ckpt [KEY=]CKPT] [--rows KEY ...] [--reuse-runs]. A teacher is
trained on the first run and only evaluated afterwards (its final
checkpoint is in the work dir); with --reuse-runs so is every row run, so
that --rows can split a comparison over processes and one last run over
the same work dir makes the whole table (configs/tmu/README.md). Prints
a Markdown table and writes it, with every per-seed value, to
<work-dir>/results.json. Validation sets are never used to choose
settings.
"""
import argparse
import os.path as osp


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument(
        'spec', help='a table spec, e.g. '
        'configs/afd/results.yml')
    parser.add_argument(
        '--seeds',
        type=int,
        nargs='+',
        default=None,
        help="default: the spec's seeds")
    parser.add_argument(
        '--work-dir',
        default=None,
        help='default: work_dirs/compare/<folder>_<spec name>')
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch intra-op threads (default 1: for these tiny models on a '
        'shared CPU more threads mostly wait on each other)')
    parser.add_argument(
        '--teacher-ckpt',
        action='append',
        default=[],
        metavar='[KEY=]CKPT',
        help='use this trained teacher instead of training one; KEY names '
        'the spec teacher (may be left out when there is one); repeatable')
    parser.add_argument(
        '--rows',
        nargs='+',
        default=None,
        metavar='KEY',
        help='train only these rows of the spec (default: all)')
    parser.add_argument(
        '--reuse-runs',
        action='store_true',
        help='evaluate, instead of training again, a row run whose final '
        'checkpoint is already in the work dir')
    return parser.parse_args(argv)


def teacher_checkpoints(values, teacher_keys):
    """``['KEY=CKPT' or 'CKPT', ...]`` -> {key: ckpt}."""
    ckpts = {}
    for value in values:
        key, sep, path = value.partition('=')
        if not sep:
            if len(teacher_keys) != 1:
                raise SystemExit(
                    f'--teacher-ckpt {value}: the spec has teachers '
                    f'{sorted(teacher_keys)}; write KEY=CKPT.')
            key, path = next(iter(teacher_keys)), value
        ckpts[key] = path
    return ckpts


def main(argv=None):
    args = parse_args(argv)
    import mmkd_transfer  # noqa: F401  (compat fixes, registration)
    from mmkd_transfer.apis import (SpecError, load_spec, run_comparison,
                                    select_rows)
    try:
        spec = select_rows(load_spec(args.spec), args.rows)
        # configs/afd/results.yml -> work_dirs/compare/afd_results
        folder = osp.basename(osp.dirname(osp.abspath(args.spec)))
        stem = osp.splitext(osp.basename(args.spec))[0]
        work_dir = args.work_dir or osp.join('work_dirs', 'compare',
                                             f'{folder}_{stem}')
        return run_comparison(
            spec,
            seeds=args.seeds,
            work_dir=work_dir,
            threads=args.threads,
            teacher_ckpts=teacher_checkpoints(args.teacher_ckpt,
                                              spec['teachers']),
            reuse_runs=args.reuse_runs)
    except SpecError as err:
        raise SystemExit(f'compare: {err}')


if __name__ == '__main__':
    main()
