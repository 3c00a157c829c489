"""Each method's own benchmark entries, one ``<method>_*.py`` module each.

Importing a module here registers its entries (``register_benchmark``);
a new method adds its module and one import line, nothing else.
"""
from . import afd_loss, crkd_resolution, skd_speed, tmu_transfer  # noqa: F401

__all__ = ['afd_loss', 'crkd_resolution', 'skd_speed', 'tmu_transfer']
