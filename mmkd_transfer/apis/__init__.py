"""Python entry points used by tools/ (demo, comparisons, benchmark)."""
from .comparison import check_rows, run_comparison  # noqa: F401
from .comparison_spec import (SpecError, load_spec, parse_spec,  # noqa: F401
                              set_teacher_checkpoints)
from .results_table import format_table, results_json  # noqa: F401
from .seeded_runs import (final_checkpoint, format_mean_std,  # noqa: F401
                          load_seeded_config, train_and_validate)
