"""One rank of the 2-process tests of algorithms that average their own
gradients (run by torchrun, see test_crkd_ddp.py and test_tmu_ddp.py):
trains the given config through tools/train.py's checks and runner,
averages a few hand-made gradients, and saves this rank's parameters, the
given logged losses, the optimizers' step counts and the averaged
gradients.

    python -m torch.distributed.run --nproc_per_node 2 \
        self_synced_ddp_worker.py CONFIG OUT_DIR LOSS_KEY[,LOSS_KEY...]
"""
import os
import subprocess
import sys

import torch

REPO = os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def torchrun(config, out_dir, port, loss_keys):
    """Train ``config`` on 2 CPU processes (gloo) with this worker; the
    finished process (its output and return code)."""
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    cmd = [
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        f'--master_port={port}',
        os.path.abspath(__file__), config,
        str(out_dir), ','.join(loss_keys)
    ]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, env=env)


def load_identical_ranks(result, out_dir, iters):
    """Check a finished 2-process run and return both ranks' records.

    The run succeeded with :class:`SelfSyncedDataParallel` on 2 ranks for
    ``iters`` iterations with finite losses; the ranks read other data
    (their losses differ) yet end with identical parameters.
    """
    import math
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    ranks = [torch.load(os.path.join(out_dir, f'rank{r}.pth')) for r in (0, 1)]
    for rank in ranks:
        assert rank['wrapper'] == 'SelfSyncedDataParallel'
        assert rank['world_size'] == 2
        assert rank['iters'] == iters
        for key, values in rank['losses'].items():
            assert len(values) == iters, key
            assert all(map(math.isfinite, values)), (key, values)
    assert ranks[0]['losses']['loss'] != ranks[1]['losses']['loss']
    final0, final1 = ranks[0]['final'], ranks[1]['final']
    assert final0.keys() == final1.keys()
    for name in final0:
        assert torch.equal(final0[name], final1[name]), name
    return ranks


def moved_parameters(rank, prefix):
    """Names of the parameters under ``prefix`` that training changed."""
    return [
        n for n, value in rank['final'].items()
        if n.startswith(prefix) and not torch.equal(value, rank['initial'][n])
    ]


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


def optimizer_steps(optim_wrapper):
    """Name -> the largest ``step`` in the optimizer's state (Adam keeps
    one per parameter; None for optimizers that keep none)."""
    wrappers = (
        dict(optim_wrapper.items())
        if hasattr(optim_wrapper, 'items') else dict(optim=optim_wrapper))
    steps = {}
    for name, wrapper in wrappers.items():
        counts = [
            float(state['step']) for state in wrapper.optimizer.state.values()
            if 'step' in state
        ]
        steps[name] = max(counts) if counts else None
    return steps


def main(config, out_dir, loss_keys):
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
        for key in loss_keys.split(',')
    }
    torch.save(
        dict(
            wrapper=type(runner.model).__name__,
            world_size=int(os.environ['WORLD_SIZE']),
            iters=runner.iter,
            initial=initial,
            final=params(),
            losses=losses,
            optimizer_steps=optimizer_steps(runner.optim_wrapper),
            averaged=average_hand_made_gradients(int(os.environ['RANK']))),
        os.path.join(out_dir, f'rank{os.environ["RANK"]}.pth'))


if __name__ == '__main__':
    main(*sys.argv[1:4])
