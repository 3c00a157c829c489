"""Measure what a distillation config costs, as ratios within one run.

    python tools/benchmark.py CONFIG [--iters 20] [--warmup 3]
                              [--batch-size N] [--cfg-options k=v ...]
                              [--threads T] [--json OUT.json]
    python tools/benchmark.py --afd-loss [--iters 20] [--warmup 3]
                              [--batch-size 64] [--qk-dim 128] [--threads T]

CONFIG: any distillation config (an algorithm with ``.student``,
``.teacher`` or ``.teachers``, and ``.distiller``; per-model views are
applied where the algorithm has them). The Runner's model and optimizer wrapper
are built from it (teacher checkpoints dropped: an untrained teacher costs
the same), one real batch is taken from its train dataloader, and the
student step, the teacher forward and the distillation step alternate over
the repeats. Prints median times, the ratios distill / (teacher + student)
and distill / student, peak memory per variant, parameters / FLOPs /
batch-1 latency of teacher and student, and the parameters the method adds.

``--afd-loss``: the AFD loss forward+backward on the WRN-40-2 -> WRN-16-2
feature shapes against a plain AT loss, as a ratio.

Timings on a shared machine are noisy: compare the ratios, not the
absolute times. The functions live in ``mmkd_transfer/apis/benchmark.py``.
"""
import argparse
import json
import sys

from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark a distillation config (ratios in one run).')
    parser.add_argument('config', nargs='?',
                        help='distillation config file (not with --afd-loss)')
    parser.add_argument('--afd-loss', action='store_true',
                        help='time the AFD loss alone against an AT loss')
    parser.add_argument('--iters', type=int, default=20,
                        help='timed repeats (default 20)')
    parser.add_argument('--warmup', type=int, default=3,
                        help='untimed repeats first (default 3)')
    parser.add_argument(
        '--batch-size', type=int, default=None,
        help="train batch size (default: the config's; 64 with --afd-loss)")
    parser.add_argument('--qk-dim', type=int, default=128,
                        help='AFD query/key size for --afd-loss (default 128)')
    parser.add_argument(
        '--threads', type=int, default=None,
        help='torch intra-op threads (default: torch\'s). On a machine '
        'shared with other jobs, 1 avoids OpenMP threads waiting on each '
        'other and gives far steadier numbers')
    parser.add_argument('--no-memory', action='store_true',
                        help='skip the peak-memory pass')
    parser.add_argument('--work-dir',
                        help='where the Runner may log (default: a temp dir)')
    parser.add_argument('--json', help='also write the report to this file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, xxx=yyy format')
    args = parser.parse_args(argv)
    if args.afd_loss == bool(args.config):
        parser.error('give either CONFIG or --afd-loss (one of them)')
    if args.iters < 1 or args.warmup < 0:
        parser.error('--iters must be >= 1 and --warmup >= 0')
    if args.threads is not None and args.threads < 1:
        parser.error('--threads must be >= 1')
    return args


def main(argv=None):
    args = parse_args(argv)
    import torch

    import mmkd_transfer  # noqa: F401  (compat fixes + registration first)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    from mmkd_transfer.apis import benchmark as bench

    if args.afd_loss:
        report = bench.benchmark_afd_loss(
            iters=args.iters, warmup=args.warmup,
            batch_size=args.batch_size or 64, qk_dim=args.qk_dim)
        text = bench.format_afd_report(report)
    else:
        cfg = Config.fromfile(args.config)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        report = bench.benchmark_distillation(
            cfg, iters=args.iters, warmup=args.warmup,
            batch_size=args.batch_size, work_dir=args.work_dir,
            memory=not args.no_memory)
        text = bench.format_distillation_report(report)
    print(text)
    sys.stdout.flush()
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(report, f, indent=1)
    return report


if __name__ == '__main__':
    main()
