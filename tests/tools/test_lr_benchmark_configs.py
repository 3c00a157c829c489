"""The low-resolution transfer setting (teacher 8x8, student 4x4, 100
labels): the student alone and the distilled students see the same 4x4
images, and each config trains an epoch with its losses falling."""
import math

import pytest
import torch
from conftest import config_path, load_config, loss_falls, loss_history, train
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmkd_transfer.apis import set_teacher_checkpoints
from mmkd_transfer.views import build_view

STUDENT_4PX = ('baselines', 'student_r18w8-4px_1xb64_digits-cls-100l.py')
KD_4PX = ('kd', 'kd_logits_r18w32_r18w8-4px_1xb64_digits-cls-100l.py')
AFD_4PX = ('afd', 'afd_r18w32_r18w8-4px_1xb64_digits-cls-100l.py')
AFD_8PX_100L = ('afd', 'afd_r18w32_r18w8_1xb64_digits-cls-100l.py')


def _val_batch(cfg):
    """Every validation image of a config, preprocessed as its model does."""
    from mmpretrain.registry import DATASETS, MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        dataset = DATASETS.build(cfg.val_dataloader.dataset)
        preprocessor = MODELS.build(
            dict(
                type='ClsDataPreprocessor',
                **{
                    k: v
                    for k, v in cfg.data_preprocessor.items() if k != 'type'
                }))
    data = dict(
        inputs=[dataset[i]['inputs'] for i in range(len(dataset))],
        data_samples=[dataset[i]['data_samples'] for i in range(len(dataset))])
    return preprocessor(data, training=False)['inputs']


def test_student_alone_sees_what_the_view_gives_the_distilled_student():
    alone = Config.fromfile(config_path(*STUDENT_4PX))
    kd = Config.fromfile(config_path(*KD_4PX))
    assert kd.val_dataloader.dataset.img_size == 8
    lr = _val_batch(alone)  # the dataset's 4x4 images
    view = build_view(kd.model.student_view)
    viewed, _ = view(_val_batch(kd))  # the 8x8 batch through the view
    assert lr.shape == viewed.shape == (397, 3, 4, 4)
    # both normalised with the same mean/std; they differ only by where
    # the uint8 rounding happens: at most one gray level of 255
    one_level = 1 / alone.data_preprocessor.std[0]
    diff = (lr - viewed).abs()
    assert diff.max() <= one_level + 1e-5
    assert diff.mean() < 0.3 * one_level
    # the 8x8 and 4x4 student-alone rows differ only in the image size
    plain = Config.fromfile(
        config_path('baselines', 'student_r18w8_1xb64_digits-cls-100l.py'))
    assert alone.model == plain.model
    assert (alone.train_dataloader.dataset.num_labelled ==
            kd.train_dataloader.dataset.num_labelled ==
            plain.train_dataloader.dataset.num_labelled == 100)


def test_student_alone_at_4px_trains(tmp_path):
    cfg = load_config(
        *STUDENT_4PX, work_dir=tmp_path, **{'train_cfg.max_epochs': 3})
    runner = train(cfg)
    falls, values = loss_falls(loss_history(runner), k=22)
    assert falls, values
    batch = next(iter(runner.train_dataloader))
    assert tuple(batch['inputs'][0].shape) == (3, 4, 4)


@pytest.mark.parametrize(
    'parts,distill_keys', [
        (KD_4PX, ['distill.loss_kl']),
        (AFD_4PX, ['distill.loss_kl', 'distill.loss_afd']),
        (AFD_8PX_100L, ['distill.loss_kl', 'distill.loss_afd']),
    ],
    ids=['kd-4px', 'afd-4px', 'afd-8px-100l'])
def test_distilled_students_train_and_losses_fall(tmp_path, parts,
                                                  distill_keys,
                                                  digits_teacher_checkpoint):
    cfg = load_config(*parts, work_dir=tmp_path, **{'train_cfg.max_epochs': 1})
    set_teacher_checkpoints(cfg, 'digits',
                            dict(digits=str(digits_teacher_checkpoint)))
    runner = train(cfg)
    for key in ['loss'] + distill_keys:
        history = loss_history(runner, key)
        assert all(math.isfinite(v) for v in history), key
        falls, values = loss_falls(history)
        assert falls, (key, values)
    model = runner.model
    if parts != AFD_8PX_100L:
        assert model.student_view.size == (4, 4)
        # the student runs on 4x4, the teacher on 8x8
        inputs = torch.zeros(2, 3, 8, 8)
        assert model.student_batch(inputs)[0].shape == (2, 3, 4, 4)
        assert model.teacher_view('teacher', inputs)[0].shape == (2, 3, 8, 8)
    assert runner.train_dataloader.dataset.num_labelled == 100


def test_afd_at_4px_matches_the_8x8_config_but_for_the_student_input():
    """Same AFD settings as the 8x8 config; the dry run finds the student's
    stages 1-3 at 4, 2 and 1 px against the teacher's 8, 4 and 2 px."""
    from mmrazor.registry import MODELS
    cfg = Config.fromfile(config_path(*AFD_4PX))
    ref = Config.fromfile(config_path(*AFD_8PX_100L))
    assert (cfg.model.distiller.distill_losses ==
            ref.model.distiller.distill_losses)
    cfg.model.teachers.teacher.ckpt = None
    cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    with DefaultScope.overwrite_default_scope('mmrazor'):
        model = MODELS.build(cfg.model)
    shapes = model.dry_run_shapes['loss_afd']
    assert [tuple(s[1:]) for s in shapes['s_features']] == [(8, 4, 4),
                                                            (8, 4, 4),
                                                            (16, 2, 2),
                                                            (16, 2, 2),
                                                            (32, 1, 1),
                                                            (32, 1, 1)]
    assert [tuple(s[1:]) for s in shapes['t_features']] == [(32, 8, 8),
                                                            (32, 8, 8),
                                                            (64, 4, 4),
                                                            (64, 4, 4),
                                                            (128, 2, 2),
                                                            (128, 2, 2)]


def test_every_4px_method_reads_the_same_student_input():
    # KD, AFD and CRKD rows of the 4x4 benchmark give the student one view
    # (the one the student-alone row's 4x4 images are compared with above)
    views = [
        Config.fromfile(config_path(*parts)).model.student_view
        for parts in (KD_4PX, AFD_4PX,
                      ('crkd',
                       'crkd_r18w32_r18w8-4px_1xb64_digits-cls-100l.py'))
    ]
    assert views[0] == dict(type='ResolutionView', size=4, mode='area')
    assert all(view == views[0] for view in views)
