"""Python entry points used by tools/ (demo, comparisons, benchmark)."""
from .seeded_runs import (format_mean_std, load_seeded_config,  # noqa: F401
                          train_and_validate)
