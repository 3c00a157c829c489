"""Where benchmark entries find the configs the project ships.

An entry's default config is a path such as ``configs/skd/x.py``. Run from
the repository root it exists as given; from anywhere else the shipped copy
is used: ``<package>/.mim/configs`` (what ``setup.py`` installs for ``mim``:
a link to the repository's ``configs/`` in an editable install, a copy in a
wheel), else the ``configs/`` next to the package's real folder (a source
checkout on ``PYTHONPATH``). The package is located through its real path:
the editable install also links it into site-packages, where the folder
above the link is site-packages, not the repository.
"""
import os.path as osp
from typing import List


def shipped_config_dirs() -> List[str]:
    """The folders that may hold the shipped configs, most specific
    first."""
    import mmkd_transfer
    package = osp.dirname(osp.abspath(mmkd_transfer.__file__))
    return [
        osp.join(package, '.mim', 'configs'),
        osp.join(osp.dirname(osp.realpath(package)), 'configs'),
    ]


def resolve_config(path: str) -> str:
    """``path`` when it exists (relative to the current folder or
    absolute), else the shipped config it names.

    Args:
        path (str): e.g. ``configs/crkd/crkd_x.py``.

    Returns:
        str: an existing file, or ``path`` unchanged when nothing matches
        (the config loader then names it in its error).
    """
    if osp.exists(path):
        return path
    parts = osp.normpath(path).split(osp.sep)
    if parts[0] == 'configs' and len(parts) > 1:
        for folder in shipped_config_dirs():
            candidate = osp.join(folder, *parts[1:])
            if osp.exists(candidate):
                return candidate
    return path
