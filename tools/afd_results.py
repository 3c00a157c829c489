"""The AFD results table on the embedded digits transfer benchmark.

AFD: *Show, Attend and Distill: Knowledge Distillation via Attention-based
Feature Matching* (Ji, Heo, Park; AAAI 2021). Rows, all on the same
50-label split, each over several seeds (configs in ``configs/afd/``):

- teacher: ResNet-18 width 32, all 1,400 labels (trained once, seed 0);
- student alone: ResNet-18 width 8, 50 labels;
- plain KD: + the teacher's soft labels on all 1,400 training images;
- AFD features only: CE + beta * L_AFD (no logit KD);
- AFD + KD: the paper's total, CE + KD + beta * L_AFD.

Top-1 on the 397 held-out validation digits, which were never used to
choose any setting.

    python tools/afd_results.py [--seeds 0 1 2]
        [--work-dir work_dirs/afd_results] [--teacher-ckpt CKPT] [--threads 1]

The teacher is trained on the first run and reused afterwards (or pass
``--teacher-ckpt``). Prints a Markdown table and writes it, with every
per-seed value, to ``<work-dir>/results.json``.
"""
import argparse
import json
import os
import os.path as osp
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
TEACHER_CFG = osp.join(REPO, 'configs', 'kd',
                       'teacher_r18w32_1xb64_digits-cls.py')
AFD_DIR = osp.join(REPO, 'configs', 'afd')
# (key, label, config); the student row has no teacher
ROWS = [
    ('student', 'student alone', 'student_r18w8_1xb64_digits-cls-50l.py'),
    ('kd', 'plain KD (tau=4)',
     'kd_logits_r18w32_r18w8_1xb64_digits-cls-50l.py'),
    ('afd_only', 'AFD features only (beta=200)',
     'afd-nokd_r18w32_r18w8_1xb64_digits-cls-50l.py'),
    ('afd_kd', 'AFD + KD (paper total)',
     'afd_r18w32_r18w8_1xb64_digits-cls-50l.py'),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default='work_dirs/afd_results')
    parser.add_argument(
        '--threads', type=int, default=1,
        help='torch intra-op threads (default 1: for these tiny models on a '
        'shared 2-core CPU more threads mostly wait on each other)')
    parser.add_argument('--teacher-ckpt', default=None,
                        help='a trained digits teacher (default: train one '
                        'in <work-dir>/teacher, or reuse it)')
    return parser.parse_args(argv)


def table(results, seeds, seconds):
    from mmkd_transfer.apis import format_mean_std
    lines = [
        f'Digits transfer benchmark, 50 labels (val top-1 %, mean ± std over '
        f'seeds {seeds}; {seconds / 60:.1f} min)', '',
        '| model | top-1 (%) | per seed |', '|---|---|---|'
    ]
    names = dict(teacher='teacher ResNet-18 w32, all 1,400 labels')
    names.update({key: f'student ResNet-18 w8: {label}'
                  for key, label, _ in ROWS})
    for key in ['teacher'] + [r[0] for r in ROWS]:
        values = results.get(key)
        if not values:
            continue
        per_seed = ', '.join(f'{v:.1f}' for v in values)
        lines.append(
            f'| {names[key]} | {format_mean_std(values)} | {per_seed} |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    import torch

    import mmkd_transfer  # noqa: F401  (compat fixes, registration)
    from mmkd_transfer.apis import load_seeded_config, train_and_validate
    torch.set_num_threads(args.threads)

    start = time.time()
    results = {}
    if args.teacher_ckpt:
        teacher_ckpt = args.teacher_ckpt
        teacher_dir = osp.join(args.work_dir, 'teacher_eval')
    else:
        teacher_dir = osp.join(args.work_dir, 'teacher')
        epochs = load_seeded_config(TEACHER_CFG, teacher_dir,
                                    0).train_cfg.max_epochs
        teacher_ckpt = osp.join(teacher_dir, f'epoch_{epochs}.pth')
    if osp.isfile(teacher_ckpt):
        print(f'[afd_results] evaluating the teacher {teacher_ckpt}')
        results['teacher'] = [train_and_validate(
            load_seeded_config(TEACHER_CFG, teacher_dir, 0,
                               load_from=teacher_ckpt), train=False)]
    else:
        print('[afd_results] training the teacher on all 1,400 labels')
        results['teacher'] = [train_and_validate(
            load_seeded_config(TEACHER_CFG, teacher_dir, 0))]

    for i, seed in enumerate(args.seeds):
        for key, label, name in ROWS:
            print(f'[afd_results] seed {seed} ({i + 1}/{len(args.seeds)}): '
                  f'{label} ({name})')
            cfg = load_seeded_config(
                osp.join(AFD_DIR, name),
                osp.join(args.work_dir, f'{key}_seed{seed}'), seed)
            if key != 'student':
                cfg.model.teacher_ckpt = teacher_ckpt
            results.setdefault(key, []).append(train_and_validate(cfg))
        print(table(results, args.seeds[:i + 1], time.time() - start))

    seconds = time.time() - start
    text = table(results, args.seeds, seconds)
    print()
    print(text)
    os.makedirs(args.work_dir, exist_ok=True)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(seeds=args.seeds, seconds=seconds,
                       threads=args.threads, top1=results, table=text), f,
                  indent=1)
    return results


if __name__ == '__main__':
    main()
