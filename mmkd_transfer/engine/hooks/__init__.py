"""Registered components; every module here is imported on package import."""
from mmkd_transfer.utils import import_submodules

import_submodules(__name__)
from . import finite_loss_hook  # noqa: F401,E402
