"""Measure what a distillation config costs, as ratios within one run.

    python tools/benchmark.py CONFIG [--iters 20] [--warmup 3]
                              [--batch-size N] [--cfg-options k=v ...]
                              [--threads T] [--json OUT.json]
    python tools/benchmark.py --entry NAME [--iters 20] [--warmup 3]
                              [--batch-size N] [--entry-options k=v ...]
                              [--threads T] [--json OUT.json]
    python tools/benchmark.py --list-entries

CONFIG: a distillation config whose model is ``MultiTeacherDistill`` (its
``forward_teachers`` runs the teachers, each on its view) or MMRazor's
``SingleTeacherDistill``. The Runner's model and optimizer wrapper are
built from it (teacher checkpoints dropped: an untrained teacher costs
the same), one real batch is taken from its train dataloader, and the
student step, the teacher forward and the distillation step alternate over
the repeats. Prints median times, the ratios distill / (teacher + student)
and distill / student, peak memory per variant, parameters / FLOPs /
batch-1 latency of teacher and student, and the parameters the method adds.

``--entry NAME``: a method's own micro-benchmark, registered by the method
(``--list-entries`` lists them with their options), e.g. ``--entry
afd-loss``: the AFD loss forward+backward on the WRN-40-2 -> WRN-16-2
feature shapes against a plain AT loss, as a ratio. ``--afd-loss`` and
``--qk-dim Q`` are deprecated spellings of ``--entry afd-loss`` and
``--entry-options qk_dim=Q``.

Timings on a shared machine are noisy: compare the ratios, not the
absolute times. The functions live in ``mmkd_transfer/apis/benchmark/``.
"""
import argparse
import json
import sys
import warnings

from mmengine.config import Config, DictAction


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark a distillation config (ratios in one run).')
    parser.add_argument(
        'config',
        nargs='?',
        help='distillation config file (not with --entry)')
    parser.add_argument(
        '--entry',
        metavar='NAME',
        help="run a method's registered benchmark entry")
    parser.add_argument(
        '--list-entries',
        action='store_true',
        help='list the registered benchmark entries')
    parser.add_argument(
        '--entry-options',
        nargs='+',
        action=DictAction,
        default={},
        metavar='KEY=VALUE',
        help='options of the --entry benchmark')
    parser.add_argument(
        '--afd-loss',
        action='store_true',
        help='deprecated: use --entry afd-loss')
    parser.add_argument(
        '--qk-dim',
        type=int,
        default=None,
        help='deprecated: use --entry-options qk_dim=Q')
    parser.add_argument(
        '--iters', type=int, default=20, help='timed repeats (default 20)')
    parser.add_argument(
        '--warmup',
        type=int,
        default=3,
        help='untimed repeats first (default 3)')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=None,
        help="train batch size (default: the config's or the entry's)")
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch intra-op threads (default: torch\'s). On a machine '
        'shared with other jobs, 1 avoids OpenMP threads waiting on each '
        'other and gives far steadier numbers')
    parser.add_argument(
        '--no-memory', action='store_true', help='skip the peak-memory pass')
    parser.add_argument(
        '--work-dir', help='where the Runner may log (default: a temp dir)')
    parser.add_argument('--json', help='also write the report to this file')
    from mmkd_transfer.cli import add_cfg_options
    add_cfg_options(parser)
    args = parser.parse_args(argv)
    _apply_deprecated_aliases(parser, args)
    if not args.list_entries and bool(args.entry) == bool(args.config):
        parser.error('give either CONFIG or --entry NAME (one of them; '
                     '--list-entries lists the names)')
    if args.entry_options and not args.entry:
        parser.error('--entry-options needs --entry NAME')
    if args.iters < 1 or args.warmup < 0:
        parser.error('--iters must be >= 1 and --warmup >= 0')
    if args.threads is not None and args.threads < 1:
        parser.error('--threads must be >= 1')
    return args


def _apply_deprecated_aliases(parser, args) -> None:
    """--afd-loss -> --entry afd-loss; --qk-dim Q -> qk_dim=Q."""
    if args.afd_loss:
        if args.entry not in (None, 'afd-loss'):
            parser.error('--afd-loss is --entry afd-loss: give only one')
        warnings.warn('--afd-loss is deprecated: use --entry afd-loss',
                      FutureWarning)
        args.entry = 'afd-loss'
    if args.qk_dim is not None:
        warnings.warn(
            '--qk-dim is deprecated: use --entry-options '
            f'qk_dim={args.qk_dim}', FutureWarning)
        args.entry_options = dict(args.entry_options, qk_dim=args.qk_dim)


def _entry_list(entries) -> str:
    lines = ['| entry | what it measures | options |', '|---|---|---|']
    for name, entry in entries.items():
        lines.append(f"| {name} | {entry.description} | "
                     f"{', '.join(entry.options())} |")
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    import torch

    import mmkd_transfer  # noqa: F401  (compat fixes + registration first)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    from mmkd_transfer.apis import benchmark as bench

    if args.list_entries:
        entries = bench.benchmark_entries()
        print(_entry_list(entries))
        return entries
    if args.entry:
        options = dict(args.entry_options)
        if args.batch_size is not None:
            options['batch_size'] = args.batch_size
        try:
            entry = bench.get_benchmark(args.entry)
            entry.check_options(options)
        except (KeyError, TypeError) as err:
            sys.exit(f'tools/benchmark.py: {err.args[0]}')
        report = bench.run_benchmark(
            args.entry, iters=args.iters, warmup=args.warmup, **options)
        text = entry.format_report(report)
    else:
        cfg = Config.fromfile(args.config)
        if args.cfg_options:
            cfg.merge_from_dict(args.cfg_options)
        report = bench.benchmark_distillation(
            cfg,
            iters=args.iters,
            warmup=args.warmup,
            batch_size=args.batch_size,
            work_dir=args.work_dir,
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
