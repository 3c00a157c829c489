"""One rank of the 2-process CRKD test (run by torchrun, see
test_crkd_ddp.py): trains the given config through tools/train.py's
checks and runner, averages a few hand-made gradients, and saves this
rank's parameters, losses and averaged gradients.

    python -m torch.distributed.run --nproc_per_node 2 crkd_ddp_worker.py \
        CONFIG OUT_DIR
"""
import os
import sys

import torch


def average_hand_made_gradients(rank):
    """Gradients (1 or 2; 4 on rank 0 only; none) averaged over 2 ranks."""
    from mmengine.optim import OptimWrapper

    from mmkd_transfer.models.utils.gradient_averaging import average_gradients
    params = [torch.nn.Parameter(torch.zeros(3)) for _ in range(3)]
    params[0].grad = torch.full((3, ), float(rank + 1))
    if rank == 0:
        params[1].grad = torch.full((3, ), 4.)
    average_gradients(OptimWrapper(torch.optim.SGD(params, lr=1.)))
    return [None if p.grad is None else p.grad.tolist() for p in params]


def main(config, out_dir):
    from mmengine.config import Config

    import mmkd_transfer  # noqa: F401
    from mmkd_transfer.cli import build_runner
    from mmkd_transfer.config_checks import check_config
    cfg = Config.fromfile(config)
    cfg.launcher = 'pytorch'
    check_config(cfg)
    runner = build_runner(cfg)
    model = runner.model.module

    def params():
        return {n: p.detach().clone() for n, p in model.named_parameters()}

    initial = params()
    runner.train()
    hub = runner.message_hub
    losses = {
        key: list(hub.get_scalar(f'train/{key}').data[0])
        for key in ('loss', 'student.loss', 'distill.loss_mmd',
                    'adversarial.loss_g', 'discriminator.loss_d')
    }
    torch.save(
        dict(
            wrapper=type(runner.model).__name__,
            world_size=int(os.environ['WORLD_SIZE']),
            iters=runner.iter,
            initial=initial,
            final=params(),
            losses=losses,
            averaged=average_hand_made_gradients(int(os.environ['RANK']))),
        os.path.join(out_dir, f'rank{os.environ["RANK"]}.pth'))


if __name__ == '__main__':
    main(*sys.argv[1:3])
