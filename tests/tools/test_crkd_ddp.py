"""CRKD trains with 2 processes (torchrun, gloo, CPU): the student, the
connector and the discriminator stay identical on both ranks although each
rank reads other images; gradient averaging itself is checked on hand-made
gradients of the same 2 ranks."""
import pytest
import torch
from conftest import config_path
from self_synced_ddp_worker import (load_identical_ranks, moved_parameters,
                                    torchrun)

CLS = config_path('crkd', 'crkd_r18w32_r18w8-4px_1xb64_digits-cls-100l.py')
LOSS_KEYS = ('loss', 'student.loss', 'distill.loss_mmd', 'adversarial.loss_g',
             'discriminator.loss_d')


def _tiny_config(tmp_path, **extra):
    """The shipped CRKD config on 16 images, with a random teacher."""
    from mmengine.config import Config
    from mmrazor.registry import MODELS

    import mmkd_transfer  # noqa: F401
    cfg = Config.fromfile(CLS)
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save(MODELS.build(cfg.model.teachers.teacher.cfg).state_dict(), ckpt)
    lines = ''.join(f'{k} = {v!r}\n' for k, v in extra.items())
    path = tmp_path / 'tiny_crkd.py'
    path.write_text(f"""_base_ = [{CLS!r}]
model = dict(teachers=dict(teacher=dict(ckpt={ckpt!r})))
train_dataloader = dict(batch_size=4, dataset=dict(indices=16))
val_dataloader = dict(batch_size=16, dataset=dict(indices=16))
train_cfg = dict(max_epochs=2, val_interval=2)
default_hooks = dict(logger=dict(interval=1000))
work_dir = {str(tmp_path / 'work')!r}
{lines}""")
    return str(path)


def test_crkd_trains_on_two_processes_with_identical_parameters(tmp_path):
    result = torchrun(
        _tiny_config(tmp_path), tmp_path, port=29641, loss_keys=LOSS_KEYS)
    # 16 images over 2 ranks of batch 4, 2 epochs
    ranks = load_identical_ranks(result, tmp_path, iters=4)
    # every trained part moved (so equality is not that of untouched
    # weights): the student, the connector, the discriminator
    for prefix in ('architecture.', 'distiller.connectors.', 'discriminator.'):
        assert moved_parameters(ranks[0], prefix), prefix
    # the mean over ranks; a gradient on rank 0 only counts as zero on rank
    # 1 (as DDP does); no gradient anywhere stays None
    for rank in ranks:
        assert rank['averaged'] == [[1.5] * 3, [2.0] * 3, None]


def test_distributed_launch_without_the_wrapper_is_refused(tmp_path):
    from mmengine.config import Config

    from mmkd_transfer.config_checks import ConfigError, check_model_wrapper
    cfg = Config.fromfile(CLS)
    check_model_wrapper(cfg)  # launcher 'none' by default: nothing to check
    cfg.launcher = 'pytorch'
    check_model_wrapper(cfg)
    cfg.model_wrapper_cfg = None
    with pytest.raises(ConfigError, match='SelfSyncedDataParallel'):
        check_model_wrapper(cfg)
    cfg.model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
    with pytest.raises(ConfigError, match='MMSeparateDistributed'):
        check_model_wrapper(cfg)


def test_wrapper_refuses_an_algorithm_that_does_not_average_itself():
    from mmkd_transfer.models import SelfSyncedDataParallel
    with pytest.raises(TypeError, match='remove model_wrapper_cfg'):
        SelfSyncedDataParallel(torch.nn.Linear(2, 2))


def test_average_gradients_is_a_no_op_in_one_process():
    from mmengine.optim import OptimWrapper

    from mmkd_transfer.models.utils.gradient_averaging import average_gradients
    param = torch.nn.Parameter(torch.zeros(2))
    param.grad = torch.tensor([1., 2.])
    average_gradients(OptimWrapper(torch.optim.SGD([param], lr=1.)))
    assert param.grad.tolist() == [1., 2.]
