"""mmkd_transfer: transfer-learning distillation for MMRazor (AFD, CRKD;
TMU and SKD planned).

Importing the package applies the third-party fixes in :mod:`.compat` first,
then registers every component into the MMRazor (and task) registries, so a
config only needs::

    custom_imports = dict(imports=['mmkd_transfer'],
                          allow_failed_imports=False)
"""
from . import compat
from .version import __version__  # noqa: F401

compat.apply_all()

from . import datasets, engine, evaluation, models, views  # noqa: E402,F401
