"""The main job on the embedded data (``make demo``).

The transfer setting of the embedded benchmark: a source teacher trained on
all 1,400 digits labels; a 16x smaller target student that has only 100
labels. The student is trained alone, then with plain KD from the teacher's
soft labels on all 1,400 training images, over several seeds on the same
labelled split. Accuracy is measured on the 397 held-out validation digits
(never used for any choice of settings).

    python tools/demo.py [--seeds 0 1 2] [--work-dir work_dirs/demo]

The teacher is trained once and reused on later runs.
"""
import argparse
import os.path as osp
import time

CONFIG_DIR = osp.join(osp.dirname(osp.abspath(__file__)), '..', 'configs',
                      'kd')
TEACHER_CFG = 'teacher_r18w32_1xb64_digits-cls.py'
STUDENT_CFG = 'student_r18w8_1xb64_digits-cls-100l.py'
KD_CFG = 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py'


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    args = parser.parse_args(argv)

    import mmkd_transfer  # noqa: F401  (compat fixes, registration)
    from mmkd_transfer.apis import (format_mean_std, load_seeded_config,
                                    train_and_validate)

    def cfg_for(name, work_dir, seed, **overrides):
        return load_seeded_config(osp.join(CONFIG_DIR, name), work_dir, seed,
                                  **overrides)

    start = time.time()
    teacher_dir = osp.join(args.work_dir, 'teacher')
    teacher_cfg = cfg_for(TEACHER_CFG, teacher_dir, seed=0)
    teacher_ckpt = osp.join(teacher_dir,
                            f'epoch_{teacher_cfg.train_cfg.max_epochs}.pth')
    if osp.isfile(teacher_ckpt):
        print(f'[demo] reusing the teacher {teacher_ckpt}')
        teacher_acc = train_and_validate(
            cfg_for(TEACHER_CFG, teacher_dir, seed=0, load_from=teacher_ckpt),
            train=False)
    else:
        print('[demo] 1/2 training the source teacher on all 1,400 labels')
        teacher_acc = train_and_validate(teacher_cfg)

    alone, distilled = [], []
    for i, seed in enumerate(args.seeds):
        print(f'[demo] 2/2 seed {seed} ({i + 1}/{len(args.seeds)}): '
              'student alone, then student + KD')
        alone.append(train_and_validate(cfg_for(
            STUDENT_CFG, osp.join(args.work_dir, f'student_seed{seed}'),
            seed)))
        kd_cfg = cfg_for(KD_CFG, osp.join(args.work_dir, f'kd_seed{seed}'),
                          seed)
        kd_cfg.model.teacher_ckpt = teacher_ckpt
        distilled.append(train_and_validate(kd_cfg))

    rows = [
        ('teacher  ResNet-18 w32, all 1,400 labels', [teacher_acc]),
        ('student  ResNet-18 w8, 100 labels, alone', alone),
        ('student  ResNet-18 w8, 100 labels + KD', distilled),
    ]
    print()
    print(f'Embedded transfer benchmark (digits val, top-1 %, seeds '
          f'{args.seeds}; {time.time() - start:.0f} s)')
    print(f'| {"model":<44} | {"top-1":>12} |')
    print(f'|{"-" * 46}|{"-" * 14}|')
    for name, values in rows:
        print(f'| {name:<44} | {format_mean_std(values):>12} |')
    return dict(teacher=teacher_acc, alone=alone, distilled=distilled)


if __name__ == '__main__':
    main()
