"""Import hook: bring mmkd_transfer's compat fixes in before mmrazor is used.

``mim train mmrazor CONFIG`` runs MMRazor's own ``tools/train.py``, which
imports mmrazor (and crashes on torch >= 2) before any ``custom_imports`` of a
config is read. A one-line ``mmkd_transfer_hook.pth`` in site-packages imports
this module at interpreter start-up; it only adds a cheap finder to
``sys.meta_path`` (no torch, no OpenMMLab import). When ``mmrazor`` is first
imported, the finder lets mmrazor's own ``__init__`` run, then imports
``mmkd_transfer``, which applies :mod:`mmkd_transfer.compat` and registers the
plugin before anything reaches ``mmrazor.models``.

Install or remove the ``.pth`` file with::

    python -m mmkd_transfer_hook --install
    python -m mmkd_transfer_hook --uninstall

This file is a top-level module on purpose: importing the ``mmkd_transfer``
package itself would import torch and all of OpenMMLab at every start-up.
"""
import importlib.abc
import importlib.machinery
import os
import sys
import sysconfig
import warnings

PTH_NAME = 'mmkd_transfer_hook.pth'
# One line (site only runs .pth lines that start with 'import'); silent when
# the package has been uninstalled and the .pth was left behind.
PTH_LINE = (
    'import importlib.util as _u; _s = _u.find_spec("mmkd_transfer_hook"); '
    '_s and __import__("mmkd_transfer_hook").install()\n')


class _ThenImportPlugin(importlib.abc.Loader):
    """Wraps mmrazor's loader: run mmrazor/__init__, then import the plugin."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        if 'mmkd_transfer' in sys.modules:
            return  # the plugin is importing mmrazor itself: nothing to do
        sys.modules[module.__name__] = module
        try:
            import mmkd_transfer  # noqa: F401  (applies compat, registers)
        except Exception as err:  # never make mmrazor itself unimportable
            warnings.warn(f'mmkd_transfer_hook: importing mmkd_transfer '
                          f'failed ({err!r}); mmrazor runs without its '
                          'compat fixes.')


class MMRazorCompatFinder(importlib.abc.MetaPathFinder):
    """Finds nothing itself; wraps the real loader of the top-level mmrazor."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != 'mmrazor':
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _ThenImportPlugin(spec.loader)
        return spec


def install():
    """Put the finder first on ``sys.meta_path`` (idempotent).

    Set ``MMKD_TRANSFER_NO_HOOK=1`` to opt out (the tests use it to show
    what happens without the compat fixes).
    """
    if os.environ.get('MMKD_TRANSFER_NO_HOOK'):
        return
    if not any(isinstance(f, MMRazorCompatFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, MMRazorCompatFinder())


def pth_path():
    return os.path.join(sysconfig.get_paths()['purelib'], PTH_NAME)


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--install', action='store_true')
    group.add_argument('--uninstall', action='store_true')
    args = parser.parse_args(argv)
    path = pth_path()
    if args.install:
        with open(path, 'w') as f:
            f.write(PTH_LINE)
        print(f'installed {path}')
    elif os.path.exists(path):
        os.remove(path)
        print(f'removed {path}')


if __name__ == '__main__':
    main()
