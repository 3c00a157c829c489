"""The CRKD digits config trains, resumes exactly with both optimizers, and
exports a student without the discriminator that runs at 4x4."""
import math
import sys

import pytest
import torch
from conftest import REPO, load_config, loss_history, train

CONFIG = ('crkd', 'crkd_r18w32_r18w8-4px_1xb64_digits-cls-100l.py')


def crkd_config(work_dir, epochs):
    # a random teacher: these tests check the mechanics, not accuracy
    return load_config(*CONFIG, work_dir=work_dir, **{
        'train_cfg.max_epochs': epochs,
        'model.teachers.teacher.ckpt': None})


@pytest.fixture(scope='module')
def one_epoch(tmp_path_factory):
    """The CRKD config trained for one epoch: (runner, work dir)."""
    work_dir = tmp_path_factory.mktemp('crkd_one_epoch')
    return train(crkd_config(work_dir, 1)), work_dir


def test_crkd_config_trains_a_few_iterations(one_epoch):
    runner, _ = one_epoch
    assert runner.iter == 22  # 1,400 images, batch 64
    for key in ('loss', 'distill.loss_mmd', 'adversarial.loss_g',
                'discriminator.loss_d'):
        values = loss_history(runner, key)
        assert len(values) == 22 and all(map(math.isfinite, values)), key
    # the task loss of the LR student falls
    task = loss_history(runner, 'student.loss')
    assert sum(task[-5:]) < sum(task[:5])
    # one learning-rate schedule per optimizer
    lrs = runner.optim_wrapper.get_lr()
    assert set(lrs) == {'architecture.lr', 'distiller.lr',
                        'discriminator.lr'}


def test_crkd_resume_restores_both_optimizers_and_the_discriminator(
        tmp_path):
    straight = train(crkd_config(tmp_path / 'straight', 2))
    train(crkd_config(tmp_path / 'split', 1))
    resumed_cfg = crkd_config(tmp_path / 'split', 2)
    resumed_cfg.resume = True
    resumed = train(resumed_cfg)
    assert resumed.iter == straight.iter == 44
    a, b = straight.model.state_dict(), resumed.model.state_dict()
    assert any(k.startswith('discriminator.') for k in a)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    # Adam's moments and step count, SGD's momentum: equal in both runs
    for name in ('architecture', 'distiller', 'discriminator'):
        sa = straight.optim_wrapper[name].state_dict()['state']
        sb = resumed.optim_wrapper[name].state_dict()['state']
        assert sa.keys() == sb.keys() and sa, name
        for idx in sa:
            for field, value in sa[idx].items():
                assert torch.equal(torch.as_tensor(value),
                                   torch.as_tensor(sb[idx][field])), (
                                       name, idx, field)


def test_exported_crkd_student_has_no_discriminator_and_runs_at_4px(
        one_epoch, tmp_path):
    sys.path.insert(0, f'{REPO}/tools')
    import export_student
    _, work_dir = one_epoch
    out = export_student.main([str(work_dir / 'epoch_1.pth'),
                               '--out', str(tmp_path / 'student.pth')])
    keys = set(torch.load(out, weights_only=True)['state_dict'])
    assert keys and not any('discriminator' in k or 'distiller' in k
                            for k in keys)
    from mmpretrain.apis import init_model
    student_cfg = load_config('baselines',
                              'student_r18w8_1xb64_digits-cls-100l.py',
                              work_dir=tmp_path / 's')
    student = init_model(student_cfg, out, device='cpu')
    with torch.no_grad():
        logits = student(torch.randn(2, 3, 4, 4), mode='tensor')
    assert logits.shape == (2, 10)
