"""The table spec of a method comparison: read and checked before training.

A spec is a small YAML file kept next to a method's configs, e.g.
``configs/afd/results.yml``. It names the teachers that are trained once
and reused, and the rows of the table, each one config trained over
seeds::

    title: Digits transfer benchmark, 50 labels (val top-1 %)
    metric: accuracy/top1      # key in the message hub under val/
    scale: 1                   # e.g. 100 for a metric logged as a fraction
    seeds: [0, 1, 2]
    cfg_options: {}            # dotted overrides for every row (optional)
    teachers:
      digits:
        label: teacher ResNet-18 w32, all 1,400 labels
        config: ../baselines/teacher_r18w32_1xb64_digits-cls.py
    rows:
      - key: student
        label: student alone
        config: ../baselines/student_r18w8_1xb64_digits-cls-50l.py
      - key: kd
        label: plain KD
        config: kd_logits_r18w32_r18w8_1xb64_digits-cls-50l.py
        teacher: digits        # or {t_hr: hr, t_lr: digits} per teacher
      - key: kd_tau1
        label: plain KD, tau = 1
        config: kd_logits_r18w32_r18w8_1xb64_digits-cls-50l.py
        teacher: digits
        cfg_options: {model.distiller.distill_losses.loss_kl.tau: 1}

A spec may score several metrics, e.g. a video predictor's error and
structural similarity, with the metrics where lower is better named so the
table says so, more decimals, and rows that start from a teacher's weights
(fine-tuning) rather than distil from it; teachers are then the sources::

    metric: [video/mse, video/ssim]   # one table column each
    lower_is_better: [video/mse]
    digits: 3                         # decimals in the table (default 1)
    rows:
      - key: student_finetune
        label: target fine-tuned from the 2-digit source
        config: ...
        load_from: two_digit           # a teacher key -> cfg.load_from

``cfg_options`` (dotted config keys, as ``--cfg-options`` of tools/train.py)
of the spec apply to every row, a row's own ones on top; a teacher has only
its own. In a row's string values ``{seed}`` and ``{work_dir}``
stand for the run's seed and the comparison's work dir, so a row can read
what an earlier row of the same seed wrote (SKD's stage 2 loads the stage-1
students: ``{work_dir}/skd_s_seed{seed}/iter_300.pth``). Config paths are
relative to the spec's folder (as ``_base_`` paths are relative to a
config). A row's ``teacher`` names the spec teacher whose
final checkpoint goes into the row config's teacher (``model.teacher_ckpt``
of MMRazor's ``SingleTeacherDistill``, or the ``ckpt`` of the one entry of
``model.teachers`` of ``MultiTeacherDistill``); a mapping names a spec
teacher for each entry of ``model.teachers``.
"""
import os.path as osp
from typing import Dict, List, Optional

SPEC_KEYS = ('title', 'metric', 'lower_is_better', 'digits', 'scale', 'seeds',
             'cfg_options', 'teachers', 'rows')
TEACHER_KEYS = ('label', 'config', 'cfg_options')
ROW_KEYS = ('key', 'label', 'config', 'teacher', 'load_from', 'cfg_options')


class SpecError(ValueError):
    """A comparison spec that cannot be run; the message names the fix."""


def _unknown(where: str, given, accepted) -> None:
    extra = sorted(set(given) - set(accepted))
    if extra:
        raise SpecError(f'{where}: unknown keys {extra}; accepted: '
                        f'{list(accepted)}.')


def _need(where: str, entry: dict, key: str, kind=str):
    if not isinstance(entry.get(key), kind):
        raise SpecError(f'{where}: needs `{key}` ({kind.__name__}), got '
                        f'{entry.get(key)!r}.')
    return entry[key]


def _config_path(where: str, folder: str, name: str) -> str:
    path = osp.normpath(osp.join(folder, name))
    if not osp.isfile(path):
        raise SpecError(f'{where}: config {name!r} not found (looked for '
                        f'{path}; paths are relative to the spec file).')
    return path


def check_seeds(where: str, seeds) -> List[int]:
    """Refuse an empty list of seeds, non-int seeds or a repeated seed."""
    if (not isinstance(seeds, (list, tuple)) or not seeds or not all(
            isinstance(s, int) and not isinstance(s, bool) for s in seeds)):
        raise SpecError(f'{where}: seeds must be a non-empty list of ints, '
                        f'got {seeds!r}.')
    if len(set(seeds)) != len(seeds):
        raise SpecError(f'{where}: seeds repeat: {list(seeds)}.')
    return list(seeds)


def parse_spec(raw: dict, folder: str, name: str = 'spec') -> dict:
    """Check a spec mapping and resolve its config paths.

    Args:
        raw (dict): the spec as read from YAML.
        folder (str): folder the config paths are relative to.
        name (str): how error messages name the spec.

    Returns:
        dict: ``folder``, ``title``, ``metrics`` (list), ``metric`` (the
        first), ``lower_is_better`` (list), ``digits``, ``scale`` (float),
        ``seeds`` (list), ``cfg_options`` (dict), ``teachers`` (key -> dict
        with ``label``, ``config`` as an absolute path, ``cfg_options``) and
        ``rows`` (list of dicts with ``key``, ``label``, ``config``,
        ``teacher``: None, a teacher key or a mapping of config teacher name ->
        teacher key, ``load_from``: None or a teacher key, ``cfg_options``:
        the spec's, updated with the row's own).

    Raises:
        SpecError: on the first problem, before anything is trained.
    """
    if not isinstance(raw, dict):
        raise SpecError(f'{name}: a spec is a mapping with keys '
                        f'{list(SPEC_KEYS)}, got {type(raw).__name__}.')
    _unknown(name, raw, SPEC_KEYS)
    spec = dict(
        folder=folder,
        title=_need(name, raw, 'title'),
        metrics=_metrics(name, raw.get('metric')),
        seeds=check_seeds(name, raw.get('seeds', [0, 1, 2])))
    spec['metric'] = spec['metrics'][0]
    lower = raw.get('lower_is_better') or []
    if not isinstance(lower, list) or not set(lower) <= set(spec['metrics']):
        raise SpecError(f'{name}: lower_is_better must list some of the '
                        f'metrics {spec["metrics"]}, got {lower!r}.')
    spec['lower_is_better'] = list(lower)
    digits = raw.get('digits', 1)
    if isinstance(digits, bool) or not isinstance(digits, int) or \
            not 0 <= digits <= 6:
        raise SpecError(f'{name}: digits must be an int in [0, 6], got '
                        f'{digits!r}.')
    spec['digits'] = digits
    scale = raw.get('scale', 1)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise SpecError(f'{name}: scale must be a number, got {scale!r}.')
    spec['scale'] = float(scale)
    spec['cfg_options'] = _options(name, raw.get('cfg_options'))

    teachers = raw.get('teachers') or {}
    if not isinstance(teachers, dict):
        raise SpecError(f'{name}: teachers must map a key to '
                        f'{{label, config}}, got {teachers!r}.')
    spec['teachers'] = {}
    for key, entry in teachers.items():
        where = f'{name}: teacher {key!r}'
        if not isinstance(entry, dict):
            raise SpecError(f'{where}: expected {{label, config}}, got '
                            f'{entry!r}.')
        _unknown(where, entry, TEACHER_KEYS)
        spec['teachers'][key] = dict(
            label=_need(where, entry, 'label'),
            config=_config_path(where, folder, _need(where, entry, 'config')),
            cfg_options=_options(where, entry.get('cfg_options')))

    rows = raw.get('rows')
    if not isinstance(rows, list) or not rows:
        raise SpecError(f'{name}: rows must be a non-empty list of '
                        f'{{key, label, config[, teacher]}}.')
    spec['rows'] = []
    seen = set(spec['teachers'])
    for i, entry in enumerate(rows):
        where = f'{name}: row {i}'
        if not isinstance(entry, dict):
            raise SpecError(f'{where}: expected a mapping with keys '
                            f'{list(ROW_KEYS)}, got {entry!r}.')
        _unknown(where, entry, ROW_KEYS)
        key = _need(where, entry, 'key')
        where = f'{name}: row {key!r}'
        if key in seen:
            raise SpecError(f'{where}: key used twice (rows and teachers '
                            'share one namespace: it names work dirs).')
        seen.add(key)
        spec['rows'].append(
            dict(
                key=key,
                label=_need(where, entry, 'label'),
                config=_config_path(where, folder,
                                    _need(where, entry, 'config')),
                teacher=_row_teacher(where, entry.get('teacher'),
                                     spec['teachers']),
                load_from=_row_load_from(where, entry.get('load_from'),
                                         spec['teachers']),
                cfg_options={
                    **spec['cfg_options'],
                    **_options(where, entry.get('cfg_options'))
                }))
    return spec


def _metrics(where: str, metric) -> List[str]:
    metrics = [metric] if isinstance(metric, str) else metric
    if (not isinstance(metrics, list) or not metrics
            or not all(isinstance(m, str) for m in metrics)
            or len(set(metrics)) != len(metrics)):
        raise SpecError(f'{where}: needs `metric` (str), a metric key or a '
                        f'list of distinct keys, got {metric!r}.')
    return list(metrics)


def _row_load_from(where: str, key, teachers: Dict[str, dict]):
    if key is not None and key not in teachers:
        raise SpecError(f'{where}: load_from {key!r} is not among the spec '
                        f'teachers {sorted(teachers)}.')
    return key


def _options(where: str, options) -> dict:
    if options is None:
        return {}
    if not isinstance(options, dict) or not all(
            isinstance(k, str) for k in options):
        raise SpecError(f'{where}: cfg_options must map dotted config keys '
                        f'to values, got {options!r}.')
    return dict(options)


def _row_teacher(where: str, teacher, teachers: Dict[str, dict]):
    if teacher is None:
        return None
    keys = [teacher] if isinstance(teacher, str) else (
        list(teacher.values()) if isinstance(teacher, dict) else None)
    if keys is None or not keys:
        raise SpecError(f'{where}: teacher must be a teacher key or a '
                        'mapping of config teacher name -> teacher key, got '
                        f'{teacher!r}.')
    for key in keys:
        if key not in teachers:
            raise SpecError(f'{where}: teacher {key!r} is not among the '
                            f'spec teachers {sorted(teachers)}.')
    return teacher


def load_spec(path: str) -> dict:
    """Read and check a YAML spec file (see :func:`parse_spec`)."""
    import yaml
    if not osp.isfile(path):
        raise SpecError(f'spec {path!r} not found: pass a YAML file such as '
                        'configs/afd/results.yml.')
    with open(path) as f:
        raw = yaml.safe_load(f)
    spec = parse_spec(raw, osp.dirname(osp.abspath(path)), name=path)
    spec['path'] = path
    return spec


def set_teacher_checkpoints(cfg,
                            teacher,
                            ckpts: Dict[str, str],
                            row: str = 'row') -> None:
    """Put the spec teachers' checkpoints into a row config, in place.

    Args:
        cfg (mmengine.Config): the row's config.
        teacher (str | dict | None): the row's ``teacher`` entry.
        ckpts (dict): spec teacher key -> checkpoint path.
        row (str): how error messages name the row.

    Raises:
        SpecError: the config distils from teachers the row does not name,
            or the row names teachers the config does not have.
    """
    model = cfg.model
    config_teachers: Optional[list] = None
    if isinstance(model.get('teachers'), dict):
        config_teachers = list(model.teachers)
    elif 'teacher_ckpt' in model:
        config_teachers = []  # MMRazor's SingleTeacherDistill: one teacher
    if teacher is None:
        if config_teachers is not None:
            raise SpecError(
                f'{row}: its config distils from a teacher: name the spec '
                'teacher whose checkpoint it uses, e.g. `teacher: digits`.')
        return
    if config_teachers is None:
        raise SpecError(
            f'{row}: its config has no teacher (neither model.teacher_ckpt '
            'nor model.teachers): remove `teacher` from the row.')
    if isinstance(teacher, str):
        if len(config_teachers) > 1:
            raise SpecError(
                f'{row}: its config has teachers {config_teachers}: map each '
                'to a spec teacher, e.g. `teacher: {name: key, ...}`.')
        if config_teachers:
            model.teachers[config_teachers[0]]['ckpt'] = ckpts[teacher]
        else:
            model.teacher_ckpt = ckpts[teacher]
        return
    if sorted(teacher) != sorted(config_teachers):
        raise SpecError(
            f'{row}: `teacher` maps {sorted(teacher)}, its config has '
            f'teachers {sorted(config_teachers)}: map each of them.')
    for name, key in teacher.items():
        model.teachers[name]['ckpt'] = ckpts[key]
