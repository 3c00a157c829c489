"""Create a generated dataset folder once, atomically, and check its recipe.

A generated set (segmentation, detection) lives in a folder whose
``digits_meta.json`` records how it was made. The folder is written to a
temporary sibling and renamed into place, so a reader never sees half a set
and two processes (DDP ranks, parallel tests) that generate at once do not
clash: the first rename wins, the other process drops its copy. The
temporary folder's name holds the host and pid of its writer, so one left
behind by a killed process is removed by the next generation on that host.
"""
import json
import os
import os.path as osp
import re
import shutil
import socket
import tempfile

META_FILE = 'digits_meta.json'


def read_meta(data_root):
    """The recipe of a generated set, or None if ``data_root`` has none."""
    path = osp.join(data_root, META_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def _check_recipe(data_root, meta, wanted):
    """Refuse a set made by another recipe than the one asked for."""
    for key, value in wanted.items():
        if value is not None and meta.get(key) != value:
            raise ValueError(
                f'{data_root} holds a set generated with {key}='
                f'{meta.get(key)!r}, not {value!r}: delete the folder or '
                f'choose another data_root')


def _tmp_prefix(data_root):
    """Hidden sibling prefix of temporary folders for ``data_root``."""
    return f'.{osp.basename(osp.abspath(data_root))}.tmp-'


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def remove_stale_tmp_dirs(data_root):
    """Delete temporary folders of ``data_root`` whose writer has died.

    Only folders written on this host are judged (a pid means nothing on
    another machine sharing the file system).

    Returns:
        list[str]: the folders removed.
    """
    parent = osp.dirname(osp.abspath(data_root))
    if not osp.isdir(parent):
        return []
    pattern = re.compile(
        re.escape(_tmp_prefix(data_root)) + re.escape(socket.gethostname()) +
        r'-(\d+)-')
    removed = []
    for name in os.listdir(parent):
        match = pattern.match(name)
        if match and not _pid_alive(int(match.group(1))):
            shutil.rmtree(osp.join(parent, name), ignore_errors=True)
            removed.append(osp.join(parent, name))
    return removed


def ensure_generated(data_root, wanted, generate):
    """Make sure ``data_root`` holds a set made by ``wanted``'s recipe.

    Args:
        data_root (str): the set's folder (relative paths are to the cwd).
        wanted (dict): the recipe, JSON-serialisable. Keys whose value is
            None mean "any": an existing set is accepted whatever it has,
            and ``generate`` fills in the default (it returns the full
            recipe it used).
        generate (Callable[[str], dict]): writes the set into the given
            empty folder and returns the recipe it used.

    Returns:
        dict: the recipe of the set now in ``data_root``.
    """
    data_root = osp.normpath(data_root)  # 'a/b/' would break the rename
    if osp.exists(data_root):
        meta = read_meta(data_root)
        if meta is not None:
            _check_recipe(data_root, meta, wanted)
            return meta
        if not osp.isdir(data_root) or os.listdir(data_root):
            raise ValueError(
                f'{data_root} exists but is not a generated digits set (no '
                f'{META_FILE}): move it away or choose another data_root')
    parent = osp.dirname(osp.abspath(data_root))
    os.makedirs(parent, exist_ok=True)
    remove_stale_tmp_dirs(data_root)
    tmp = tempfile.mkdtemp(
        prefix=f'{_tmp_prefix(data_root)}{socket.gethostname()}-'
        f'{os.getpid()}-',
        dir=parent)
    try:
        meta = generate(tmp)
        with open(osp.join(tmp, META_FILE), 'w') as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write('\n')
        os.chmod(tmp, 0o755)  # mkdtemp makes it private to this user
        try:
            # atomic; replaces an empty folder, fails on a non-empty one
            os.rename(tmp, data_root)
        except OSError:
            meta = read_meta(data_root)
            if meta is None:  # not a concurrent generation: a real error
                raise
    finally:
        if osp.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    _check_recipe(data_root, meta, wanted)
    return meta
