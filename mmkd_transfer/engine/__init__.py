"""Hooks and loops."""
from . import hooks, runner  # noqa: F401
