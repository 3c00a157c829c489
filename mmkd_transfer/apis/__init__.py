"""Python entry points used by tools/ (demo, comparisons, benchmark)."""
from .comparison import check_rows, run_comparison, select_rows
from .comparison_spec import (SpecError, load_spec, parse_spec,
                              set_teacher_checkpoints)
from .results_table import format_table, results_json
from .seeded_runs import (final_checkpoint, format_mean_std,
                          load_seeded_config, train_and_validate)

__all__ = [
    'check_rows', 'run_comparison', 'select_rows', 'SpecError', 'load_spec',
    'parse_spec', 'set_teacher_checkpoints', 'format_table', 'results_json',
    'final_checkpoint', 'format_mean_std', 'load_seeded_config',
    'train_and_validate'
]
