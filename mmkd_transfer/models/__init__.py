"""Algorithms, distillers, recorders, connectors, losses, architectures."""
from . import (algorithms, architectures, connectors, distillers,  # noqa: F401
               losses, recorders)
