"""Safe checkpoint loading for teachers, and student export.

Every checkpoint goes through mmengine's loader, which on torch >= 2.6 uses
``weights_only=True``; :mod:`mmkd_transfer.compat` allow-lists exactly the
types runner checkpoints contain, so a crafted pickle is refused, never run.
"""
import os.path as osp
from collections import OrderedDict

import torch

STUDENT_PREFIX = 'architecture.'


class CheckpointError(ValueError):
    """A checkpoint that cannot be used as asked; the message names the fix."""


def load_checkpoint_dict(path):
    """Load a local checkpoint file safely and return the raw object."""
    from mmengine.runner.checkpoint import _load_checkpoint
    if not osp.isfile(osp.expanduser(str(path))) and '://' not in str(path):
        raise CheckpointError(
            f'checkpoint {path!r} does not exist: pass the path of a .pth '
            'file (train the teacher first, or download its weights).')
    return _load_checkpoint(str(path), map_location='cpu')


def state_dict_of(checkpoint, path='<checkpoint>'):
    """The state dict inside a checkpoint (runner format or a bare dict)."""
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict) or not checkpoint or not all(
            isinstance(k, str) and isinstance(v, torch.Tensor)
            for k, v in checkpoint.items()):
        raise CheckpointError(
            f'{path!r} is not a state dict (expected a mapping of parameter '
            'names to tensors, or a runner checkpoint with "state_dict"): '
            'save it with torch.save(model.state_dict(), path).')
    return checkpoint


def load_teacher_weights(model, path, prefix=''):
    """Load ``path`` into ``model`` strictly, with a readable key report.

    Args:
        model (nn.Module): the teacher.
        path (str): checkpoint file (runner checkpoint or plain state dict).
        prefix (str): keep only keys under this prefix and strip it, e.g.
            ``'architecture.'`` to use a distilled student as a teacher.
    """
    state = state_dict_of(load_checkpoint_dict(path), path)
    if prefix:
        state = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                            if k.startswith(prefix))
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected:
        raise CheckpointError(
            f'checkpoint {path!r} does not match the teacher model: '
            f'{len(missing)} missing keys (first: {missing[:3]}), '
            f'{len(unexpected)} unexpected keys (first: {unexpected[:3]}); '
            'check that the teacher config is the one the checkpoint was '
            'trained with (or set the right prefix).')
    for key, value in state.items():
        if value.shape != own[key].shape:
            raise CheckpointError(
                f'checkpoint {path!r}: {key} has shape {tuple(value.shape)} '
                f'but the teacher expects {tuple(own[key].shape)}; check the '
                'teacher config.')
    model.load_state_dict(state, strict=True)


def student_checkpoint(checkpoint, path='<checkpoint>'):
    """Turn a distillation checkpoint into a plain student checkpoint.

    Keeps ``architecture.*`` (the student) with the prefix stripped; drops the
    teachers, connectors, losses (e.g. AFD's meta-network) and discriminators.
    """
    state = state_dict_of(checkpoint, path)
    student = OrderedDict((k[len(STUDENT_PREFIX):], v)
                          for k, v in state.items()
                          if k.startswith(STUDENT_PREFIX))
    if not student:
        raise CheckpointError(
            f'{path!r} has no "{STUDENT_PREFIX}*" keys, so it is not a '
            'distillation checkpoint; it can be used as it is.')
    meta = {}
    if isinstance(checkpoint, dict) and isinstance(checkpoint.get('meta'),
                                                   dict):
        for key in ('dataset_meta', 'epoch', 'iter', 'seed'):
            if key in checkpoint['meta']:
                meta[key] = checkpoint['meta'][key]
    from mmkd_transfer.version import __version__
    meta['exported_by'] = f'mmkd_transfer {__version__}'
    return dict(meta=meta, state_dict=student)
