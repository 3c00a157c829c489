"""Safe, strict checkpoint loading; damaged-file detection; student export.

Every checkpoint goes through mmengine's loader, which on torch >= 2.6 uses
``weights_only=True``; :mod:`mmkd_transfer.compat` allow-lists exactly the
types runner checkpoints contain, so a crafted pickle is refused, never run.

Before a file is unpickled its header is checked, so an empty file, a text
file and a truncated file each get their own one-line message naming the
file. Weights are matched key by key against the model they are for, so a
checkpoint of another model is refused with its first missing, unexpected
and mis-shaped keys instead of being loaded halfway.
"""
import os
import os.path as osp
import re
import tempfile
import zipfile
from collections import OrderedDict

import torch

STUDENT_PREFIX = 'architecture.'
EXPORT_MARK = 'exported_by'  # meta key written by student_checkpoint
_ZIP_MAGIC = b'PK\x03\x04'
# numbered runner checkpoints written by mmengine's CheckpointHook
_RUNNER_CKPT = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


class CheckpointError(ValueError):
    """A checkpoint that cannot be used as asked; the message names the fix."""


# --------------------------------------------------------------------------
# the file itself
# --------------------------------------------------------------------------
def checkpoint_file_problem(path, deep=False):
    """What makes ``path`` unusable as a checkpoint file, or None.

    Args:
        path (str): local checkpoint path (URLs are not checked).
        deep (bool): also read every member of a zip checkpoint and verify
            its CRC, which finds truncated and corrupted files without
            unpickling anything. Defaults to False (header only).

    Returns:
        tuple[str, str] | None: what is wrong (a sentence about ``path``)
        and how to fix it.
    """
    path = str(path)
    if '://' in path:
        return None
    local = osp.expanduser(path)
    if not osp.isfile(local):
        return (f'checkpoint {path!r} does not exist',
                'pass the path of an existing .pth file')
    if osp.getsize(local) == 0:
        return (f'checkpoint {path!r} is empty (0 bytes), probably because '
                'the run writing it was killed',
                'delete it and use an earlier checkpoint')
    with open(local, 'rb') as f:
        head = f.read(16)
    # torch.save writes a zip archive (torch >= 1.6) or a pickle (protocol
    # 2+ starts with 0x80), nothing else
    is_zip = head.startswith(_ZIP_MAGIC)
    if not is_zip and not (len(head) > 1 and head[0] == 0x80
                           and 2 <= head[1] <= 5):
        return (f'{path!r} is not a PyTorch checkpoint (it starts with '
                f'{head[:12]!r}, not a torch.save header)',
                'pass the .pth file written by training or by torch.save')
    if deep and is_zip:
        problem = _zip_problem(local)
        if problem:
            return (f'checkpoint {path!r} is damaged ({problem}), probably '
                    'truncated by a killed run or a full disk',
                    'use an earlier checkpoint')
    return None


def check_checkpoint_file(path, deep=False):
    """Refuse a missing, empty, non-checkpoint or (``deep``) damaged file.

    See :func:`checkpoint_file_problem` for the arguments.
    """
    problem = checkpoint_file_problem(path, deep)
    if problem:
        raise CheckpointError(f'{problem[0]}: {problem[1]}.')


def _zip_problem(path):
    """What is wrong with a zip checkpoint, or '' if every CRC matches."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        return str(err) or type(err).__name__
    return f'member {bad} fails its CRC check' if bad else ''


def load_checkpoint_dict(path):
    """Load a local checkpoint file safely and return the raw object.

    The file is checked first (exists, not empty, a torch.save file); a
    file that fails while being read is reported as damaged, by name.
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    check_checkpoint_file(path)
    try:
        return _load_checkpoint(str(path), map_location='cpu')
    except (RuntimeError, EOFError, zipfile.BadZipFile) as err:
        if type(err).__name__ == 'UnsafeCheckpointError':
            raise
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise CheckpointError(
            f'checkpoint {str(path)!r} is damaged and cannot be read '
            f'({first}): use an earlier checkpoint.') from err


def save_atomically(obj, path):
    """``torch.save`` into a temporary sibling, then rename it into place.

    A reader, or a run killed while saving, never sees half a file: ``path``
    holds either its old content or the complete new one.
    """
    path = osp.abspath(str(path))
    folder = osp.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{osp.basename(path)}.tmp-', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


# --------------------------------------------------------------------------
# what is inside
# --------------------------------------------------------------------------
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


def is_student_export(checkpoint):
    """Whether ``checkpoint`` was written by ``tools/export_student.py``."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    return isinstance(meta, dict) and EXPORT_MARK in meta


def _kind_hint(checkpoint, state, own):
    """Why a checkpoint may not fit: it is a distillation one, an export."""
    if is_student_export(checkpoint):
        return ('it is a student exported by tools/export_student.py, so it '
                "fits the student's config only")
    if (any(k.startswith(STUDENT_PREFIX) for k in state)
            and not any(k.startswith(STUDENT_PREFIX) for k in own)):
        return ('it is a distillation checkpoint (its student is under '
                f'"{STUDENT_PREFIX}"): export the student first with '
                'python tools/export_student.py CHECKPOINT')
    return ''


def match_state_dict(own, state, path, what, strict=True, hint='', opt_out=''):
    """Compare a checkpoint's tensors with a model's and keep what fits.

    Args:
        own (dict): the model's ``state_dict()``.
        state (dict): the checkpoint's state dict.
        path (str): checkpoint path, for messages.
        what (str): the model the weights are for, for messages, e.g.
            ``"the teacher (ImageClassifier)"`` or ``"teacher 't_hr'"``.
        strict (bool): refuse any missing, unexpected or mis-shaped key.
            With False, load what matches (at least one tensor) and warn
            about the rest. Defaults to True.
        hint (str): what the checkpoint probably is, appended to errors.
        opt_out (str): the setting that allows a partial checkpoint, named
            in errors, e.g. ``'teacher_ckpt_strict=False'``.

    Returns:
        OrderedDict: the tensors to load (all of ``state`` when strict).
    """
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    mis_shaped = [
        k for k in state
        if k in own and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    report = []
    if missing:
        report.append(f'{len(missing)} missing keys (first: {missing[:3]})')
    if unexpected:
        report.append(
            f'{len(unexpected)} unexpected keys (first: {unexpected[:3]})')
    if mis_shaped:
        key = mis_shaped[0]
        report.append(
            f'{len(mis_shaped)} mis-shaped tensors (first: {key} has shape '
            f'{tuple(state[key].shape)}, expected {tuple(own[key].shape)})')
    fitting = OrderedDict(
        (k, v) for k, v in state.items() if k in own and k not in mis_shaped)
    if not report:
        return fitting
    if strict or not fitting:
        fix = hint or ('check that the config is the one the checkpoint '
                       'was trained with')
        if not strict:
            partial = ' (not even a partial match)'
        elif opt_out:
            partial = f' (for a partial checkpoint set {opt_out})'
        else:
            partial = ''
        raise CheckpointError(f'checkpoint {path!r} does not match {what}: '
                              f'{"; ".join(report)}; {fix}{partial}.')
    import warnings
    warnings.warn(
        f'partial checkpoint {path!r} for {what}: loaded {len(fitting)} of '
        f'{len(own)} tensors; {"; ".join(report)}.',
        stacklevel=3)
    return fitting


def load_teacher_weights(model,
                         path,
                         prefix='',
                         strict=True,
                         what='the teacher',
                         opt_out=''):
    """Load ``path`` into ``model`` strictly, with a readable key report.

    Args:
        model (nn.Module): the teacher.
        path (str): checkpoint file (runner checkpoint or plain state dict).
        prefix (str): keep only keys under this prefix and strip it, e.g.
            ``'architecture.'`` to use a distilled student as a teacher.
        strict (bool): refuse any missing, unexpected or mis-shaped key
            (default). False loads a partial checkpoint (the tensors whose
            names and shapes match, at least one) and warns about the rest.
        what (str): the model named in messages, e.g. ``"teacher 't_hr'"``.
        opt_out (str): the config setting that relaxes ``strict``, named in
            the error, e.g. ``"teachers.t_hr.ckpt_strict=False"``.
    """
    checkpoint = load_checkpoint_dict(path)
    state = state_dict_of(checkpoint, path)
    own = model.state_dict()
    hint = _kind_hint(checkpoint, state, own)
    if prefix:
        state = OrderedDict((k[len(prefix):], v) for k, v in state.items()
                            if k.startswith(prefix))
        hint = hint if state else f'it has no keys under prefix {prefix!r}'
    name = f'{what} ({type(model).__name__})'
    state = match_state_dict(
        own, state, path, name, strict=strict, hint=hint, opt_out=opt_out)
    model.load_state_dict(state, strict=strict)


def select_weights(model, checkpoint, path, what='the model'):
    """The tensors of a loaded checkpoint for ``model``, checked strictly.

    A distillation checkpoint given for a plain model (the natural mistake
    before export) is reduced to its student, and the returned note says
    so; anything else that does not fit raises a :class:`CheckpointError`.

    Args:
        model (nn.Module): the model to load into (unwrapped).
        checkpoint (dict): the loaded checkpoint.
        path (str): its file, for messages.
        what (str): the model named in messages.

    Returns:
        tuple[OrderedDict, str]: the state dict to load, and a note ('' when
        the checkpoint was used as it is).
    """
    state = state_dict_of(checkpoint, path)
    own = model.state_dict()
    name = f'{what} ({type(model).__name__})'
    hint = _kind_hint(checkpoint, state, own)
    if hint.startswith('it is a distillation checkpoint'):
        student = OrderedDict((k[len(STUDENT_PREFIX):], v)
                              for k, v in state.items()
                              if k.startswith(STUDENT_PREFIX))
        state = match_state_dict(
            own,
            student,
            path,
            f'{name} (its "{STUDENT_PREFIX}*" student)',
            hint=f'it is a distillation checkpoint whose student is not '
            f'{name} either')
        return state, (f'{path} is a distillation checkpoint: using its '
                       f'student ("{STUDENT_PREFIX}*"); export it once with '
                       'tools/export_student.py to skip this step.')
    return match_state_dict(own, state, path, name, hint=hint), ''


def check_resumable(checkpoint, model, path):
    """Refuse to resume from something that is not this run's checkpoint.

    Args:
        checkpoint (dict): the loaded checkpoint.
        model (nn.Module): the (unwrapped) model being trained.
        path (str): the checkpoint file, for messages.
    """
    if is_student_export(checkpoint):
        raise CheckpointError(
            f'{path!r} is a student exported by tools/export_student.py: it '
            'holds weights only, no training state, so it cannot be '
            'resumed; resume from a runner checkpoint (epoch_N.pth / '
            'iter_N.pth) or start from its weights with --cfg-options '
            f'load_from={path}.')
    state = state_dict_of(checkpoint, path)
    if not all(key in checkpoint for key in ('meta', 'message_hub')):
        raise CheckpointError(
            f'{path!r} holds weights only (no "meta"/"message_hub" training '
            'state), so it cannot be resumed: start from its weights with '
            f'--cfg-options load_from={path} (without --resume).')
    own = model.state_dict()
    name = f'this config\'s model ({type(model).__name__})'
    try:
        match_state_dict(
            own, state, path, name, hint=_kind_hint(checkpoint, state, own))
    except CheckpointError as err:
        raise CheckpointError(
            f'cannot resume from a checkpoint of another model: {err}'
        ) from None


# --------------------------------------------------------------------------
# resuming a work dir
# --------------------------------------------------------------------------
def runner_checkpoints(folder):
    """Numbered runner checkpoints in ``folder``, newest (highest) first."""
    if not osp.isdir(folder):
        return []
    found = []
    for name in os.listdir(folder):
        match = _RUNNER_CKPT.match(name)
        if match:
            path = osp.join(folder, name)
            found.append((int(match.group(2)), osp.getmtime(path), path))
    return [path for _, _, path in sorted(found, reverse=True)]


def latest_intact_checkpoint(work_dir):
    """The checkpoint ``--resume`` should use in ``work_dir``.

    Starts from the file named in ``last_checkpoint`` (what mmengine's
    auto-resume reads); if it is damaged, or gone, takes the newest intact
    numbered checkpoint next to it.

    Returns:
        tuple[str | None, str]: the path (None when the work dir holds no
        checkpoint at all), and a warning ('' when the last checkpoint is
        used).

    Raises:
        CheckpointError: checkpoints exist but none is intact.
    """
    record = osp.join(work_dir, 'last_checkpoint')
    last = None
    if osp.isfile(record):
        with open(record) as f:
            last = f.read().strip() or None
    folder = osp.dirname(last) if last else work_dir
    candidates = runner_checkpoints(folder)
    if last:
        candidates = [last] + [
            c for c in candidates if osp.abspath(c) != osp.abspath(last)
        ]
    if not candidates:
        return None, ''
    problems = []
    for path in candidates:
        problem = checkpoint_file_problem(path, deep=True)
        if problem:
            problems.append(problem)
        elif not problems:
            return path, ''
        else:
            return path, (f'{problems[0][0]}; resuming from the newest '
                          f'intact checkpoint {path} instead.')
    raise CheckpointError(
        f'no intact checkpoint to resume in {work_dir}: '
        f'{"; ".join(p[0] for p in problems[:2])}; start without --resume '
        'or pass --resume PATH.')


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
        if is_student_export(checkpoint):
            raise CheckpointError(
                f'{path!r} is already an exported student: use it as it is.')
        raise CheckpointError(
            f'{path!r} has no "{STUDENT_PREFIX}*" keys, so it is not a '
            'distillation checkpoint; it can be used as it is.')
    meta = {}
    if isinstance(checkpoint, dict) and isinstance(
            checkpoint.get('meta'), dict):
        for key in ('dataset_meta', 'epoch', 'iter', 'seed'):
            if key in checkpoint['meta']:
                meta[key] = checkpoint['meta'][key]
    from mmkd_transfer.version import __version__
    meta[EXPORT_MARK] = f'mmkd_transfer {__version__}'
    return dict(meta=meta, state_dict=student)
