"""A multi-teacher config trains with 2 processes (torchrun, gloo, CPU) and
its checkpoint resumes."""
import os
import subprocess
import sys

import torch
from conftest import REPO, config_path

CLS = config_path(
    'multi_teacher',
    'mtkd_r18w32-32px_r18w32-8px_r18w8-8px_1xb64_digits-cls-100l.py')
BIN = os.path.dirname(sys.executable)


def _run(cmd, port):
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        PORT=str(port),
        PATH=f'{BIN}:{os.environ["PATH"]}',
        OMP_NUM_THREADS='1')
    result = subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, env=env)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    return out


def _tiny_config(tmp_path):
    """The shipped config on 16 images, with random teacher checkpoints."""
    from mmengine.config import Config
    from mmrazor.registry import MODELS

    import mmkd_transfer  # noqa: F401
    cfg = Config.fromfile(CLS)
    ckpts = {}
    for name in ('t_hr', 't_lr'):
        torch.manual_seed(len(ckpts))
        ckpts[name] = str(tmp_path / f'{name}.pth')
        torch.save(
            MODELS.build(cfg.model.teachers[name].cfg).state_dict(),
            ckpts[name])
    path = tmp_path / 'tiny_mtkd.py'
    path.write_text(f"""_base_ = [{CLS!r}]
model = dict(teachers=dict(t_hr=dict(ckpt={ckpts['t_hr']!r}),
                           t_lr=dict(ckpt={ckpts['t_lr']!r})))
train_dataloader = dict(batch_size=4, dataset=dict(indices=16))
val_dataloader = dict(batch_size=16, dataset=dict(indices=16))
train_cfg = dict(max_epochs=1, val_interval=1)
default_hooks = dict(logger=dict(interval=1000))
""")
    return str(path)


def test_multi_teacher_ddp_two_processes_then_resume(tmp_path):
    config = _tiny_config(tmp_path)
    work = tmp_path / 'ddp'
    train = [
        'bash', f'{REPO}/tools/dist_train.sh', config, '2', '--work-dir',
        str(work)
    ]
    out = _run(train, port=29631)
    assert 'Distributed training: True' in out
    assert 't_hr.accuracy/top1' in out and 't_lr.accuracy/top1' in out
    state = torch.load(work / 'epoch_1.pth', map_location='cpu')['state_dict']
    assert any(k.startswith('architecture.') for k in state)
    # the frozen teachers are saved as they were loaded
    t_hr = torch.load(tmp_path / 't_hr.pth')
    for key, value in t_hr.items():
        assert torch.equal(state[f'teachers.t_hr.{key}'], value), key
    # 16 images over 2 ranks of batch 4: 2 iterations per epoch
    out = _run(
        train + ['--resume', '--cfg-options', 'train_cfg.max_epochs=2'],
        port=29632)
    assert 'resumed epoch: 1, iter: 2' in out
    assert (work / 'epoch_2.pth').exists()
