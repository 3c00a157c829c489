"""The configs/multi_teacher configs train a few iterations on digits."""
import torch
from conftest import load_config, loss_history, train

CLS = 'mtkd_r18w32-32px_r18w32-8px_r18w8-8px_1xb64_digits-cls-100l.py'
SEG = 'cwd-lr-view_fcn-r18w16_fcn-r18w8-d4-32px_1xb8_digits-seg.py'
DET = 'pkd-lr-view_retinanet-r18w16_retinanet-r18w8-p2-32px_1xb8_digits-det.py'


def _random_teacher_ckpt(cfg, name, path):
    """A teacher checkpoint file (random weights) for teacher ``name``."""
    from mmrazor.registry import MODELS
    torch.manual_seed(1)
    teacher = MODELS.build(cfg.model.teachers[name].cfg)
    torch.save(teacher.state_dict(), path)
    return str(path)


def test_cls_two_teachers_lr_student_trains_and_validates(tmp_path):
    cfg = load_config(
        'multi_teacher',
        CLS,
        work_dir=tmp_path,
        **{
            'train_cfg.max_epochs': 1,
            'train_cfg.val_interval': 1,
            'train_dataloader.batch_size': 4,
            'val_dataloader.batch_size': 16,
        })
    for name in ('t_hr', 't_lr'):
        cfg.model.teachers[name].ckpt = _random_teacher_ckpt(
            cfg, name, tmp_path / f'{name}.pth')
    cfg.train_dataloader.dataset.indices = 12
    cfg.val_dataloader.dataset.indices = 16
    runner = train(cfg)
    assert len(loss_history(runner)) == 3
    kl_hr = loss_history(runner, 'distill.loss_kl_hr')
    kl_lr = loss_history(runner, 'distill.loss_kl_lr')
    assert all(v > 0 for v in kl_hr + kl_lr)
    assert runner.message_hub.get_scalar('val/t_hr.accuracy/top1')
    # the teachers are the loaded files, unchanged by training
    saved = torch.load(tmp_path / 't_hr.pth')
    for key, value in runner.model.teachers['t_hr'].state_dict().items():
        assert torch.equal(value, saved[key]), key
    assert (tmp_path / 'epoch_1.pth').exists()


def _train_dense(config, tmp_path, val):
    cfg = load_config(
        'multi_teacher',
        config,
        work_dir=tmp_path,
        **{
            'model.teachers.t_hr.ckpt': None,
            'train_cfg.max_iters': 2,
            'train_cfg.val_interval': 2 if val else 1000,
            'train_dataloader.batch_size': 2,
            'val_dataloader.batch_size': 2,
            'param_scheduler': [],
        })
    cfg.val_dataloader.dataset.indices = 2
    return train(cfg)


def test_seg_hr_teacher_lr_student_trains(tmp_path):
    runner = _train_dense(SEG, tmp_path, val=True)
    assert all(v > 0 for v in loss_history(runner, 'distill.loss_cwd'))
    assert len(loss_history(runner, 'student.decode.loss_ce')) == 2
    assert runner.message_hub.get_scalar('val/t_hr.mIoU') is not None


def test_det_hr_teacher_lr_student_trains(tmp_path):
    runner = _train_dense(DET, tmp_path, val=False)
    for key in ('distill.loss_pkd0', 'distill.loss_pkd1', 'student.loss_cls',
                'student.loss_bbox'):
        values = loss_history(runner, key)
        assert len(values) == 2 and all(v == v for v in values), key
    # the LR student's FPN starts at stride 4, so its level i at 32x32 is
    # the size of the teacher's level i at 64x64: PKD pairs them unshifted
    mappings = runner.cfg.model.distiller.loss_forward_mappings
    for level in (0, 1):
        pair = mappings[f'loss_pkd{level}']
        assert pair.preds_S.data_idx == pair.preds_T.data_idx == level
