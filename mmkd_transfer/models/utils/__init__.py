"""Helpers used by several models (not registered components)."""
