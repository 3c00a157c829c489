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


def by_metric(spec: dict, values: dict) -> Dict[str, Dict[str, List[float]]]:
    """``values`` as metric -> row key -> per-seed values. A one-metric
    comparison may give ``values`` as row key -> values directly."""
    if all(isinstance(v, list) for v in values.values()) and \
            len(spec['metrics']) == 1 and spec['metric'] not in values:
        return {spec['metric']: values}
    return values


def _header(spec: dict, metric: str) -> str:
    arrow = '↓' if metric in spec['lower_is_better'] else '↑'
    return f'{metric} {arrow}'


def format_table(spec: dict, values: dict, seeds: List[int],
                 seconds: float) -> str:
    """The Markdown table a method README shows.

    Args:
        spec (dict): a parsed spec (``title``, ``metrics``, ``teachers``,
            ``rows``).
        values (dict): metric -> row key -> metric values (already scaled),
            one per seed in ``seeds`` order; a teacher has one value (seed
            0). Rows without values (not run yet) are left out. With one
            metric, row key -> values is accepted too.
        seeds (list[int]): the seeds of the row values.
        seconds (float): wall time, shown in the heading.

    Returns:
        str: a heading line, a blank line and the table: one "mean ± std"
        column per metric (named, with ↓ or ↑, when there are several) and
        the per-seed values (of each metric, separated by " / ").
    """
    values = by_metric(spec, values)
    metrics, digits = spec['metrics'], spec['digits']
    if len(metrics) == 1:
        heads = [
            'mean ± std' + (' (lower is better)'
                            if metrics[0] in spec['lower_is_better'] else '')
        ]
    else:
        heads = [_header(spec, m) for m in metrics]
    lines = [
        f'{spec["title"]}: mean ± sample std over seeds '
        f'{", ".join(map(str, seeds))} ({seconds / 60:.1f} min)', '',
        '| model | ' + ' | '.join(heads) + ' | per seed |',
        '|---|' + '---|' * len(heads) + '---|'
    ]
    first = values.get(metrics[0], {})
    for key, label in table_rows(spec):
        if not first.get(key):
            continue
        cells, per_seed = [], []
        for metric in metrics:
            row_values = values.get(metric, {}).get(key) or []
            cells.append(
                format_mean_std(row_values, digits) if row_values else '')
            per_seed.append(', '.join(f'{v:.{digits}f}' for v in row_values))
        per_seed = ' / '.join(per_seed)
        if key in spec['teachers']:
            per_seed += f' (seed {TEACHER_SEED})'
        lines.append(f'| {label} | ' + ' | '.join(cells) + f' | {per_seed} |')
    return '\n'.join(lines)


def _summary(row_values: List[float]) -> dict:
    return dict(
        values=row_values,
        mean=statistics.mean(row_values) if row_values else None,
        std=statistics.stdev(row_values) if len(row_values) > 1 else None)


def results_json(spec: dict, values: dict, seeds: List[int], seconds: float,
                 threads: int) -> dict:
    """Everything a table was made from, for ``results.json``.

    Args:
        values (dict): as :func:`format_table`'s.

    Returns:
        dict: ``title``, ``metric``, ``scale``, ``seeds``, ``seconds``,
        ``threads``, ``rows`` (per row: ``key``, ``label``, ``config``
        relative to the spec's folder, ``seeds``, ``values``, ``mean``,
        ``std`` of the first metric; std is None for one value)
        and ``table`` (the Markdown text). With several metrics also
        ``metrics`` (their keys) and, per row, ``metrics``: metric ->
        ``values``, ``mean``, ``std``.
    """
    values = by_metric(spec, values)
    configs = {key: t['config'] for key, t in spec['teachers'].items()}
    configs.update({row['key']: row['config'] for row in spec['rows']})
    configs = {
        key: osp.relpath(path, spec['folder'])
        for key, path in configs.items()
    }
    several = len(spec['metrics']) > 1
    rows = []
    for key, label in table_rows(spec):
        summaries = {
            metric: _summary(values.get(metric, {}).get(key) or [])
            for metric in spec['metrics']
        }
        first = summaries[spec['metric']]
        row_seeds = ([TEACHER_SEED] if key in spec['teachers'] else list(
            seeds[:len(first['values'])]))
        row = dict(key=key, label=label, config=configs[key], seeds=row_seeds)
        row.update(first)
        if several:
            row['metrics'] = summaries
        rows.append(row)
    result = dict(
        title=spec['title'],
        metric=spec['metric'],
        scale=spec['scale'],
        seeds=list(seeds),
        seconds=seconds,
        threads=threads,
        rows=rows,
        table=format_table(spec, values, seeds, seconds))
    if several:
        result['metrics'] = list(spec['metrics'])
    return result
