"""The results of a comparison as a Markdown table and as JSON."""
import os.path as osp
import statistics
from typing import Dict, List

from .seeded_runs import format_mean_std

TEACHER_SEED = 0  # teachers are trained once, under this seed


def table_rows(spec: dict) -> List[tuple]:
    """(key, label) of every table row in order: teachers, then rows."""
    return ([(key, t['label']) for key, t in spec['teachers'].items()] +
            [(row['key'], row['label']) for row in spec['rows']])


def format_table(spec: dict, values: Dict[str, List[float]], seeds: List[int],
                 seconds: float) -> str:
    """The Markdown table a method README shows.

    Args:
        spec (dict): a parsed spec (``title``, ``teachers``, ``rows``).
        values (dict): row key -> metric values (already scaled), one per
            seed in ``seeds`` order; a teacher has one value (seed 0). Rows
            without values (not run yet) are left out.
        seeds (list[int]): the seeds of the row values.
        seconds (float): wall time, shown in the heading.

    Returns:
        str: a heading line, a blank line and the table.
    """
    lines = [
        f'{spec["title"]}: mean ± sample std over seeds '
        f'{", ".join(map(str, seeds))} ({seconds / 60:.1f} min)', '',
        '| model | mean ± std | per seed |', '|---|---|---|'
    ]
    for key, label in table_rows(spec):
        row_values = values.get(key)
        if not row_values:
            continue
        if key in spec['teachers']:
            per_seed = f'{row_values[0]:.1f} (seed {TEACHER_SEED})'
        else:
            per_seed = ', '.join(f'{v:.1f}' for v in row_values)
        lines.append(
            f'| {label} | {format_mean_std(row_values)} | {per_seed} |')
    return '\n'.join(lines)


def results_json(spec: dict, values: Dict[str, List[float]], seeds: List[int],
                 seconds: float, threads: int) -> dict:
    """Everything a table was made from, for ``results.json``.

    Returns:
        dict: ``title``, ``metric``, ``scale``, ``seeds``, ``seconds``,
        ``threads``, ``rows`` (per row: ``key``, ``label``, ``config``
        relative to the spec's folder, ``seeds``, ``values``, ``mean``,
        ``std``; std is None for one value)
        and ``table`` (the Markdown text).
    """
    configs = {key: t['config'] for key, t in spec['teachers'].items()}
    configs.update({row['key']: row['config'] for row in spec['rows']})
    configs = {
        key: osp.relpath(path, spec['folder'])
        for key, path in configs.items()
    }
    rows = []
    for key, label in table_rows(spec):
        row_values = values.get(key) or []
        row_seeds = ([TEACHER_SEED] if key in spec['teachers'] else list(
            seeds[:len(row_values)]))
        rows.append(
            dict(
                key=key,
                label=label,
                config=configs[key],
                seeds=row_seeds,
                values=row_values,
                mean=statistics.mean(row_values) if row_values else None,
                std=(statistics.stdev(row_values)
                     if len(row_values) > 1 else None)))
    return dict(
        title=spec['title'],
        metric=spec['metric'],
        scale=spec['scale'],
        seeds=list(seeds),
        seconds=seconds,
        threads=threads,
        rows=rows,
        table=format_table(spec, values, seeds, seconds))
