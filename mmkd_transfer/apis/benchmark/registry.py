"""Named benchmark entries: each method registers its own micro-benchmark.

A method that wants a benchmark of its own (its loss alone against a
baseline, its connector, ...) writes a module in
``mmkd_transfer/apis/benchmark/methods/``, decorates its measuring function
with :func:`register_benchmark` and imports that module in
``methods/__init__.py``; ``tools/benchmark.py --entry NAME`` then runs it
and ``--list-entries`` lists it. No central code names a method.

An entry's function takes ``iters`` and ``warmup`` (timed and untimed
repeats) and its own keyword options (``batch_size`` when the user gives
``--batch-size``; others through ``--entry-options key=value``), and
returns a JSON-serialisable report dict. Its ``format_report`` turns that
dict into the markdown the tool prints.

A plain dict rather than an mmengine ``Registry``: entries are functions
run by one tool, never built from configs, so registry scopes would add
nothing.
"""
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Dict, List

ReportFn = Callable[..., Dict[str, Any]]


@dataclass(frozen=True)
class BenchmarkEntry:
    """One registered micro-benchmark.

    Args:
        name (str): what ``--entry`` takes, e.g. ``'my-loss'``.
        run (callable): ``run(iters, warmup, **options) -> report dict``.
        format_report (callable): report dict -> markdown text.
        description (str): one line for ``--list-entries`` (the first line
            of ``run``'s docstring).
    """
    name: str
    run: ReportFn
    format_report: Callable[[Dict[str, Any]], str]
    description: str

    def options(self) -> List[str]:
        """The keyword options ``run`` takes besides iters and warmup."""
        params = inspect.signature(self.run).parameters
        return [p for p in params if p not in ('iters', 'warmup')]

    def check_options(self, options: Dict[str, Any]) -> None:
        """A TypeError naming the options ``run`` does not take, if any."""
        unknown = sorted(set(options) - set(self.options()))
        if unknown:
            raise TypeError(f'benchmark entry {self.name!r} takes no option '
                            f'{unknown}; its options: {self.options()}.')


_ENTRIES: Dict[str, BenchmarkEntry] = {}


def register_benchmark(name: str, format_report: Callable[[Dict[str, Any]],
                                                          str]):
    """Decorator registering a measuring function as benchmark ``name``.

    Args:
        name (str): the entry's name (``--entry NAME``); unique.
        format_report (callable): report dict -> markdown text.

    Example:
        >>> @register_benchmark('my-loss', format_report=format_my_report)
        ... def benchmark_my_loss(iters=20, warmup=3, batch_size=64):
        ...     '''My loss forward+backward against a plain KD loss.'''
        ...     ...
    """

    def wrap(run: ReportFn) -> ReportFn:
        if name in _ENTRIES:
            raise KeyError(f'benchmark entry {name!r} is registered twice '
                           f'({_ENTRIES[name].run.__module__} and '
                           f'{run.__module__}): give one a new name.')
        doc = (inspect.getdoc(run) or '').strip()
        _ENTRIES[name] = BenchmarkEntry(
            name=name,
            run=run,
            format_report=format_report,
            description=doc.splitlines()[0] if doc else '')
        return run

    return wrap


def benchmark_entries() -> Dict[str, BenchmarkEntry]:
    """Every registered entry by name, sorted by name."""
    return dict(sorted(_ENTRIES.items()))


def get_benchmark(name: str) -> BenchmarkEntry:
    """The entry called ``name``; a KeyError listing the others if none."""
    if name not in _ENTRIES:
        raise KeyError(f'no benchmark entry {name!r}; registered: '
                       f'{sorted(_ENTRIES)} (tools/benchmark.py '
                       '--list-entries).')
    return _ENTRIES[name]


def run_benchmark(name: str, iters: int, warmup: int,
                  **options) -> Dict[str, Any]:
    """Run entry ``name`` with ``options``; the report gets ``entry=name``.

    Raises:
        TypeError: an option the entry does not take (the message lists
            those it takes).
    """
    entry = get_benchmark(name)
    entry.check_options(options)
    report = entry.run(iters=iters, warmup=warmup, **options)
    report['entry'] = name
    return report
