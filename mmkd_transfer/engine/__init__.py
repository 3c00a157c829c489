"""Hooks and loops."""
from . import hooks  # noqa: F401
