"""Stop at the first non-finite loss, and never checkpoint non-finite weights.

With a learning rate far too high (or a bad batch) a loss turns NaN/inf and
every later step keeps it there. mmengine goes on training, logs
``loss: nan``, exits 0, and its ``CheckpointHook`` replaces the kept
checkpoints by NaN weights, so the last good ones are deleted. (mmdet's
``CheckInvalidLossHook`` only asserts on the total loss every 50 iterations
and is not available to mmpretrain/mmseg configs.) ``tools/train.py`` adds
this hook to every run.
"""
import torch
from mmengine.hooks import Hook
from mmrazor.registry import HOOKS


class NonFiniteLossError(RuntimeError):
    """Training stopped because a loss, or the weights, became NaN or inf."""


def _is_float_tensor(value):
    return isinstance(value, torch.Tensor) and value.is_floating_point()


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """Raise at the first iteration whose loss is NaN or inf, naming the term.

    The check runs after every training iteration, before the checkpoint
    and logger hooks (priority ``VERY_HIGH``), so the step with the bad loss
    is never saved. As a second guard, a checkpoint whose weights hold a
    NaN or inf is refused before it is written, so the last good checkpoint
    on disk is never replaced by a broken one.
    """

    priority = 'VERY_HIGH'

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        """Check every loss term of this iteration (one device sync)."""
        if not isinstance(outputs, dict):
            return
        terms = {
            k: v
            for k, v in outputs.items() if 'loss' in k and _is_float_tensor(v)
        }
        if not terms:
            return
        values = torch.stack(
            [v.detach().float().sum() for v in terms.values()])
        if bool(torch.isfinite(values).all()):
            return
        bad = {
            k: float(v)
            for k, v in zip(terms, values) if not torch.isfinite(v)
        }
        # name the terms themselves; the total 'loss' only if nothing else
        named = {k: v for k, v in bad.items() if k != 'loss'} or bad
        listed = ', '.join(f'{k} = {v}' for k, v in named.items())
        raise NonFiniteLossError(
            f'non-finite loss at iteration {runner.iter + 1}: {listed}; '
            'training stopped and the last good checkpoint is kept. Lower '
            'the learning rate or clip gradients (optim_wrapper.clip_grad), '
            f'then resume{_last_checkpoint_note(runner)}.')

    def before_save_checkpoint(self, runner, checkpoint):
        """Refuse to write a checkpoint whose weights are not all finite."""
        state = checkpoint.get('state_dict') or {}
        bad = [
            k for k, v in state.items()
            if _is_float_tensor(v) and not bool(torch.isfinite(v).all())
        ]
        if bad:
            raise NonFiniteLossError(
                f'not saving the checkpoint at iteration {runner.iter}: '
                f'{len(bad)} weight tensors hold NaN/inf (first: {bad[0]}); '
                'the last good checkpoint is kept. Lower the learning rate, '
                f'then resume{_last_checkpoint_note(runner)}.')


def _last_checkpoint_note(runner):
    """' from <path>' for the newest checkpoint on disk, or ''."""
    import os.path as osp
    record = osp.join(runner.work_dir, 'last_checkpoint')
    if not osp.isfile(record):
        return ''
    with open(record) as f:
        last = f.read().strip()
    return f' from {last}' if last else ''
