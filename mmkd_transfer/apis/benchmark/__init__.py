"""Measuring what distillation costs, behind ``tools/benchmark.py``.

What a method costs is reported as **ratios measured within one run**: the
variants being compared alternate inside every repeat and a ratio is the
median of the per-repeat ratios (:mod:`.timing`). Nothing here asserts a
time; tests check structure and exact counts only.

One concept per module:

- :mod:`.timing`: interleaved timings, summaries, per-repeat ratios;
- :mod:`.memory`: peak memory of one call (CPU or CUDA);
- :mod:`.model_stats`: parameters, FLOPs, batch-1 latency, and the
  parameters a method adds beyond its student and teachers;
- :mod:`.algorithm`: the student, the teachers, each model's view, and
  the algorithm's own ``forward_teachers`` (one call, no teacher loop
  here);
- :mod:`.build`: the Runner's model, optimizer and one batch from a config;
- :mod:`.distillation`: the config benchmark (student step, teacher
  forward, distillation step);
- :mod:`.report`: the markdown tables (the JSON is the report dict);
- :mod:`.registry` and :mod:`.methods`: each method's own named
  micro-benchmark (``tools/benchmark.py --entry NAME``).
"""
from . import methods  # noqa: F401  (registers every method's entries)
from .algorithm import (check_algorithm, forward_teachers, get_student,
                        get_teachers, model_view)
from .build import build_from_config, drop_teacher_checkpoints
from .distillation import (benchmark_distillation, measure_distillation,
                           student_train_step)
from .memory import MiB, peak_memory
from .model_stats import (count_parameters, extra_parameter_groups,
                          model_flops, model_statistics)
from .registry import (BenchmarkEntry, benchmark_entries, get_benchmark,
                       register_benchmark, run_benchmark)
from .report import format_distillation_report
from .timing import (interleaved_timings, per_repeat_ratios, summarize,
                     summarized_ratio)

__all__ = [
    'BenchmarkEntry', 'MiB', 'benchmark_distillation', 'benchmark_entries',
    'build_from_config', 'check_algorithm', 'count_parameters',
    'drop_teacher_checkpoints', 'extra_parameter_groups',
    'format_distillation_report', 'forward_teachers', 'get_benchmark',
    'get_student', 'get_teachers', 'interleaved_timings',
    'measure_distillation', 'model_flops', 'model_statistics', 'model_view',
    'peak_memory', 'per_repeat_ratios', 'register_benchmark', 'run_benchmark',
    'student_train_step', 'summarize', 'summarized_ratio'
]
