"""The AFD results tables on the embedded digits benchmarks.

AFD: *Show, Attend and Distill: Knowledge Distillation via Attention-based
Feature Matching* (Ji, Heo, Park; AAAI 2021). Each row over several seeds:

``--task cls`` (default; configs in ``configs/afd/``), all on the same
50-label split, top-1 on the 397 held-out validation digits:

- teacher: ResNet-18 width 32, all 1,400 labels (trained once, seed 0);
- student alone: ResNet-18 width 8, 50 labels;
- plain KD: + the teacher's soft labels on all 1,400 training images;
- AFD features only: CE + beta * L_AFD (no logit KD);
- AFD + KD: the paper's total, CE + KD + beta * L_AFD.

``--task seg``, mIoU on the 100 validation scenes (mmseg FCN):

- teacher: ResNetV1c-18 width 16 (trained once, seed 0);
- student alone: width 8;
- CWD: + channel-wise distillation of the logits (configs/kd);
- AFD: + beta * L_AFD over every backbone block.

``--task det``, COCO-style bbox mAP on the 100 validation scenes (mmdet
RetinaNet): teacher ResNet-18 width 16 + FPN; student alone (width 8);
PKD on the FPN outputs (configs/kd); AFD over the backbone blocks and
P3-P5.

The validation sets were never used to choose any setting.

    python tools/afd_results.py [--task {cls,seg,det}] [--seeds 0 1 2]
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
CONFIGS = osp.join(REPO, 'configs')
# per task: teacher config, metric (times ``scale``, default 1, gives %),
# table title, model names, and the rows (key, label, config under
# configs/); the 'student' row has no teacher
TASKS = {
    'cls': dict(
        teacher='kd/teacher_r18w32_1xb64_digits-cls.py',
        metric='accuracy/top1',
        title='Digits transfer benchmark, 50 labels (val top-1 %',
        teacher_name='teacher ResNet-18 w32, all 1,400 labels',
        student_name='student ResNet-18 w8',
        rows=[
            ('student', 'student alone',
             'afd/student_r18w8_1xb64_digits-cls-50l.py'),
            ('kd', 'plain KD (tau=4)',
             'afd/kd_logits_r18w32_r18w8_1xb64_digits-cls-50l.py'),
            ('afd_only', 'AFD features only (beta=200)',
             'afd/afd-nokd_r18w32_r18w8_1xb64_digits-cls-50l.py'),
            ('afd_kd', 'AFD + KD (paper total)',
             'afd/afd_r18w32_r18w8_1xb64_digits-cls-50l.py'),
        ]),
    'seg': dict(
        teacher='kd/teacher_fcn-r18w16_1xb8_digits-seg.py',
        metric='mIoU',
        title='Digits segmentation, FCN (val mIoU %',
        teacher_name='teacher FCN ResNetV1c-18 w16',
        student_name='student FCN ResNetV1c-18 w8',
        rows=[
            ('student', 'student alone',
             'kd/student_fcn-r18w8_1xb8_digits-seg.py'),
            ('cwd', 'CWD on the logits (tau=1)',
             'kd/kd_cwd_fcn-r18w16_fcn-r18w8_1xb8_digits-seg.py'),
            ('afd', 'AFD features (beta=200)',
             'afd/afd_fcn-r18w16_fcn-r18w8_1xb8_digits-seg.py'),
        ]),
    'det': dict(
        teacher='kd/teacher_retinanet-r18w16_1xb8_digits-det.py',
        metric='coco/bbox_mAP',
        scale=100,  # mmdet logs mAP as a fraction
        title='Digits detection, RetinaNet (val bbox mAP',
        teacher_name='teacher RetinaNet R18 w16 + FPN',
        student_name='student RetinaNet R18 w8 + FPN',
        rows=[
            ('student', 'student alone',
             'kd/student_retinanet-r18w8_1xb8_digits-det.py'),
            ('pkd', 'PKD on the FPN outputs',
             'kd/kd_pkd_retinanet-r18w16_retinanet-r18w8_1xb8_digits-det.py'),
            ('afd', 'AFD features (beta=200)',
             'afd/afd_retinanet-r18w16_retinanet-r18w8_1xb8_digits-det.py'),
        ]),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--task', choices=sorted(TASKS), default='cls')
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


def table(task, results, seeds, seconds):
    from mmkd_transfer.apis import format_mean_std
    spec = TASKS[task]
    lines = [
        f'{spec["title"]}, mean ± std over seeds {seeds}; '
        f'{seconds / 60:.1f} min)', '', '| model | value (%) | per seed |',
        '|---|---|---|'
    ]
    names = dict(teacher=spec['teacher_name'])
    names.update({key: f'{spec["student_name"]}: {label}'
                  for key, label, _ in spec['rows']})
    for key in ['teacher'] + [r[0] for r in spec['rows']]:
        values = results.get(key)
        if not values:
            continue
        per_seed = ', '.join(f'{v:.1f}' for v in values)
        lines.append(
            f'| {names[key]} | {format_mean_std(values)} | {per_seed} |')
    return '\n'.join(lines)


def final_checkpoint(cfg, work_dir):
    """The checkpoint a config's training leaves last in ``work_dir``."""
    if cfg.train_cfg.get('max_epochs'):
        return osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    return osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')


def main(argv=None):
    args = parse_args(argv)
    import torch

    import mmkd_transfer  # noqa: F401  (compat fixes, registration)
    from mmkd_transfer.apis import load_seeded_config, train_and_validate
    torch.set_num_threads(args.threads)

    spec = TASKS[args.task]
    teacher_cfg = osp.join(CONFIGS, spec['teacher'])
    metric, scale = spec['metric'], spec.get('scale', 1)
    start = time.time()
    results = {}
    if args.teacher_ckpt:
        teacher_ckpt = args.teacher_ckpt
        teacher_dir = osp.join(args.work_dir, 'teacher_eval')
    else:
        teacher_dir = osp.join(args.work_dir, 'teacher')
        teacher_ckpt = final_checkpoint(
            load_seeded_config(teacher_cfg, teacher_dir, 0), teacher_dir)
    if osp.isfile(teacher_ckpt):
        print(f'[afd_results] evaluating the teacher {teacher_ckpt}')
        results['teacher'] = [scale * train_and_validate(
            load_seeded_config(teacher_cfg, teacher_dir, 0,
                               load_from=teacher_ckpt), metric, train=False)]
    else:
        print('[afd_results] training the teacher')
        results['teacher'] = [scale * train_and_validate(
            load_seeded_config(teacher_cfg, teacher_dir, 0), metric)]

    for i, seed in enumerate(args.seeds):
        for key, label, name in spec['rows']:
            print(f'[afd_results] seed {seed} ({i + 1}/{len(args.seeds)}): '
                  f'{label} ({name})')
            cfg = load_seeded_config(
                osp.join(CONFIGS, name),
                osp.join(args.work_dir, f'{key}_seed{seed}'), seed)
            if key != 'student':
                cfg.model.teacher_ckpt = teacher_ckpt
            results.setdefault(key, []).append(
                scale * train_and_validate(cfg, metric))
        print(table(args.task, results, args.seeds[:i + 1],
                    time.time() - start))

    seconds = time.time() - start
    text = table(args.task, results, args.seeds, seconds)
    print()
    print(text)
    os.makedirs(args.work_dir, exist_ok=True)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(task=args.task, seeds=args.seeds, seconds=seconds,
                       threads=args.threads, metric=metric, values=results,
                       table=text), f, indent=1)
    return results


if __name__ == '__main__':
    main()
