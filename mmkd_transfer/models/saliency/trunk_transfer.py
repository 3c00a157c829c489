"""SKD stage 2's parameter transfer: a stage-1 student's trunk, checked
key by key, into a trunk of the spatiotemporal model.

The prefix mapping (the one place it is written down):

======================================  ================================
stage-1 checkpoint key                  ``SKDSpatioTemporalModel`` key
======================================  ================================
``architecture.trunk.<k>`` (distilled)  ``spatial_trunk.<k>`` or
``trunk.<k>`` (alone, or exported)      ``temporal_trunk.<k>``
======================================  ================================

Everything else in the checkpoint (the student's head, the teachers,
optimizer state) is ignored. The trunk's keys must match exactly (names and
shapes), so a temporal student given as the spatial one, or a student with
other widths, is refused with its first missing and unexpected keys.
"""
from collections import OrderedDict

from torch import nn

from mmkd_transfer.checkpoint_io import (CheckpointError, load_checkpoint_dict,
                                         match_state_dict, state_dict_of)

# a distillation checkpoint's student first, then a plain student's
STUDENT_TRUNK_PREFIXES = ('architecture.trunk.', 'trunk.')


def student_trunk_state(state: dict) -> OrderedDict:
    """The trunk tensors of a stage-1 state dict, keys without prefix."""
    for prefix in STUDENT_TRUNK_PREFIXES:
        found = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                            if k.startswith(prefix))
        if found:
            return found
    return OrderedDict()


def load_student_trunk(trunk: nn.Module, path: str, target: str,
                       setting: str) -> None:
    """Load the trunk of the stage-1 student checkpoint ``path`` into
    ``trunk`` (strictly; safe loader, ``weights_only``).

    Args:
        trunk (nn.Module): e.g. ``model.spatial_trunk``.
        path (str): a stage-1 student checkpoint (runner, exported, or a
            distillation checkpoint).
        target (str): the trunk's attribute name, e.g.
            ``'spatial_trunk'``; keys in messages carry it.
        setting (str): the config setting of ``path``, named in errors,
            e.g. ``'model.trunk_checkpoints.spatial'``.

    Raises:
        CheckpointError: a one-line message naming the file, the first
            missing and unexpected keys and the fix.
    """
    fix = (f'set {setting} to the stage-1 checkpoint of the matching student '
           '(its keys trunk.* or architecture.trunk.*)')
    try:
        checkpoint = load_checkpoint_dict(path)
    except CheckpointError as err:
        raise CheckpointError(f'{setting}: {err}') from None
    found = student_trunk_state(state_dict_of(checkpoint, path))
    if not found:
        raise CheckpointError(
            f'{setting}: checkpoint {path!r} has no student trunk (no key '
            f'starts with {" or ".join(STUDENT_TRUNK_PREFIXES)}): {fix}.')
    own = OrderedDict(
        (f'{target}.{k}', v) for k, v in trunk.state_dict().items())
    state = OrderedDict((f'{target}.{k}', v) for k, v in found.items())
    state = match_state_dict(
        own, state, path, f'{target} ({setting})', hint=fix)
    trunk.load_state_dict(
        OrderedDict((k[len(target) + 1:], v) for k, v in state.items()))
