"""Run a method comparison: teachers once, every row over seeds, one table.

Driven by a spec (:mod:`.comparison_spec`). The teachers are trained first
(seed 0) or, when their final checkpoint is already in the work dir (or
given), only evaluated; each row config then trains once per seed with
the teachers' checkpoints put into it. The table is printed after every
seed and at the end, and ``<work_dir>/results.json`` is rewritten after
every run, so an interrupted comparison keeps what it measured.

Work dir layout: ``teacher_<key>/`` (``teacher_<key>_eval/`` for a given
checkpoint), ``<row key>_seed<seed>/`` and ``results.json``.

With ``reuse_runs`` a row run whose final checkpoint is already in its
folder is only evaluated, as a teacher is: a comparison can be split over
processes (``rows`` picks the rows one process trains) and its whole
table then made by one more run over the same work dir.
"""
import json
import os
import os.path as osp
import time
from typing import Callable, Dict, List, Optional

from .comparison_spec import SpecError, check_seeds, set_teacher_checkpoints
from .results_table import TEACHER_SEED, format_table, results_json
from .seeded_runs import (final_checkpoint, load_seeded_config,
                          train_and_validate)


def _has_parent(cfg, dotted: str) -> bool:
    """Whether the config has the dict or list a dotted key goes into."""
    node = cfg.to_dict()
    for part in dotted.split('.')[:-1]:
        if isinstance(node, (list, tuple)) and part.isdigit():
            if int(part) >= len(node):
                return False
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return False
    return isinstance(node, (dict, list, tuple))


def _config(path: str, work_dir: str, seed: int, options: dict):
    """A seeded config with the spec's dotted overrides. An override may add
    a key (e.g. a dataset's ``indices``) but not a dict: a missing parent
    is a typo, refused."""
    cfg = load_seeded_config(path, work_dir, seed)
    missing = [key for key in options if not _has_parent(cfg, key)]
    if missing:
        raise SpecError(f'cfg_options {missing}: {osp.basename(path)} has no '
                        'such section; check the spelling.')
    cfg.merge_from_dict(options)
    return cfg


def with_seed(options: dict, seed: int, work_dir: str) -> dict:
    """``options`` with ``{seed}`` and ``{work_dir}`` in string values
    replaced, so a row can use what an earlier row of the same seed wrote,
    e.g. SKD's stage 2 the stage-1 checkpoints:
    ``{work_dir}/skd_s_seed{seed}/iter_300.pth``."""
    return {
        key:
        value.replace('{seed}', str(seed)).replace('{work_dir}', work_dir)
        if isinstance(value, str) else value
        for key, value in options.items()
    }


def _short(path: str, spec: dict) -> str:
    return osp.relpath(path, spec['folder'])


def check_rows(spec: dict) -> None:
    """Load every row config and check its teacher wiring, so that a bad
    spec fails before the first (long) training, not after it.

    Raises:
        SpecError: a row's ``teacher`` does not fit its config.
    """
    placeholders = {key: f'<{key}>' for key in spec['teachers']}
    for row in spec['rows']:
        cfg = _config(row['config'], 'unused', 0, row['cfg_options'])
        set_teacher_checkpoints(
            cfg, row['teacher'], placeholders, row=f'row {row["key"]!r}')


def select_rows(spec: dict, keys: Optional[List[str]]) -> dict:
    """The spec with only the rows ``keys`` (all when None), in spec order.

    Raises:
        SpecError: a key is not a row of the spec.
    """
    if keys is None:
        return spec
    known = [row['key'] for row in spec['rows']]
    unknown = [key for key in keys if key not in known]
    if unknown:
        raise SpecError(f'rows {unknown} are not in the spec; its rows: '
                        f'{known}.')
    return dict(spec, rows=[row for row in spec['rows'] if row['key'] in keys])


def run_comparison(spec: dict,
                   seeds: Optional[List[int]] = None,
                   work_dir: str = 'work_dirs/compare',
                   threads: int = 1,
                   teacher_ckpts: Optional[Dict[str, str]] = None,
                   log: Callable[[str], None] = print,
                   reuse_runs: bool = False) -> dict:
    """Train and validate every row of ``spec`` over ``seeds``.

    Args:
        spec (dict): a spec from :func:`~.comparison_spec.load_spec`.
        seeds (list[int], optional): overrides the spec's seeds.
        work_dir (str): where every run and ``results.json`` go.
        threads (int): torch intra-op threads (1 suits these tiny models on
            a shared CPU: more threads mostly wait on each other).
        teacher_ckpts (dict, optional): teacher key -> a trained
            checkpoint to use instead of training that teacher.
        log (callable): receives the progress lines and the tables.
        reuse_runs (bool): evaluate, instead of training again, a row run
            whose final checkpoint is already in its folder.

    Returns:
        dict: the contents of ``results.json`` (see
        :func:`~.results_table.results_json`).
    """
    import torch
    seeds = (spec['seeds'] if seeds is None else check_seeds('seeds', seeds))
    teacher_ckpts = dict(teacher_ckpts or {})
    unknown = sorted(set(teacher_ckpts) - set(spec['teachers']))
    if unknown:
        raise SpecError(f'teacher checkpoints given for {unknown}, which are '
                        f'not spec teachers {sorted(spec["teachers"])}.')
    for key, path in teacher_ckpts.items():
        if not osp.isfile(path):
            raise SpecError(f'teacher {key!r}: checkpoint {path!r} not '
                            'found.')
    check_rows(spec)
    torch.set_num_threads(threads)

    start = time.time()
    total = len(spec['teachers']) + len(spec['rows']) * len(seeds)
    done = 0
    # metric -> row key -> values, one per seed (one for a teacher)
    values: Dict[str, Dict[str, List[float]]] = {
        metric: {}
        for metric in spec['metrics']
    }
    json_path = osp.join(work_dir, 'results.json')

    def progress(what: str) -> None:
        log(f'[compare] {done + 1}/{total} {what} '
            f'[{(time.time() - start) / 60:.1f} min]')

    def save() -> dict:
        result = results_json(spec, values, seeds,
                              time.time() - start, threads)
        os.makedirs(work_dir, exist_ok=True)
        with open(json_path, 'w') as f:
            json.dump(result, f, indent=1, ensure_ascii=False)
        return result

    def validate(key: str, cfg, train: bool) -> None:
        scores = train_and_validate(cfg, spec['metrics'], train=train)
        for metric, score in zip(spec['metrics'], scores):
            values[metric].setdefault(key, []).append(spec['scale'] * score)

    ckpts = {}
    for key, teacher in spec['teachers'].items():
        given = teacher_ckpts.get(key)
        teacher_dir = osp.join(
            work_dir, f'teacher_{key}_eval' if given else f'teacher_{key}')
        cfg = _config(teacher['config'], teacher_dir, TEACHER_SEED,
                      teacher['cfg_options'])
        ckpts[key] = given or final_checkpoint(cfg, teacher_dir)
        name = _short(teacher['config'], spec)
        if osp.isfile(ckpts[key]):
            progress(f'teacher {key}: evaluating {ckpts[key]} ({name})')
            cfg.load_from = ckpts[key]
            validate(key, cfg, train=False)
        else:
            progress(f'teacher {key}: training ({name})')
            validate(key, cfg, train=True)
        done += 1
        save()

    for i, seed in enumerate(seeds):
        for row in spec['rows']:
            run_dir = osp.join(work_dir, f'{row["key"]}_seed{seed}')
            cfg = _config(row['config'], run_dir, seed,
                          with_seed(row['cfg_options'], seed, work_dir))
            set_teacher_checkpoints(
                cfg, row['teacher'], ckpts, row=f'row {row["key"]!r}')
            if row['load_from'] is not None:  # fine-tuning a teacher
                cfg.load_from = ckpts[row['load_from']]
            done_ckpt = final_checkpoint(cfg, run_dir)
            reuse = reuse_runs and osp.isfile(done_ckpt)
            progress(f'{row["key"]} seed {seed}: {row["label"]} '
                     f'({_short(row["config"], spec)})' +
                     (f', evaluating {done_ckpt}' if reuse else ''))
            if reuse:
                cfg.load_from = done_ckpt
            validate(row['key'], cfg, train=not reuse)
            done += 1
            save()
        if i + 1 < len(seeds):
            log(format_table(spec, values, seeds[:i + 1], time.time() - start))

    result = save()
    log('')
    log(result['table'])
    log(f'[compare] written to {json_path}')
    return result
