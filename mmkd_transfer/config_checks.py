"""Checks a config before training, so mistakes fail in one clear line.

What is checked here (everything that can be seen without building models):
- a config that uses an mmkd_transfer component must import the plugin
  (``custom_imports``), or it would fail under ``mim train mmrazor`` and
  plain OpenMMLab tools;
- dataset roots and annotation files that do not exist;
- local teacher and ``load_from`` checkpoints that do not exist, are empty
  or are not torch checkpoints; a frozen teacher without any checkpoint
  (MMRazor's ``model.teacher_ckpt``, or ``model.teachers.<name>.ckpt`` of
  ``MultiTeacherDistill``) warns loudly, naming it, and is refused when the
  config sets ``require_teacher_ckpt = True``;
- an ``input_shape`` whose channels differ from the data's;
- ``num_labelled`` below the number of classes (a warning: some classes
  get no labelled sample);
- a distributed launch of an algorithm that averages its own gradients
  (``AdversarialMultiTeacherDistill``) without the model wrapper it needs.
Model-level checks (recorder sources, checkpoint contents, shapes) happen
when the algorithm is built, still before the first iteration.
"""
import os.path as osp
import warnings

CUSTOM_IMPORT_FIX = ("add  custom_imports = dict(imports=['mmkd_transfer'], "
                     'allow_failed_imports=False)  to the config')
TASK_REGISTRIES = ('mmrazor', 'mmpretrain', 'mmseg', 'mmdet')


class ConfigError(ValueError):
    """A config mistake found before training."""


class ConfigWarning(UserWarning):
    """A config that trains but probably not as meant (loud on purpose)."""


def check_file(path, what, fix):
    """Raise a one-line error if a local file is missing (URLs pass)."""
    if path is None or '://' in str(path):
        return
    if not osp.isfile(osp.expanduser(str(path))):
        raise ConfigError(f'{what} {path!r} does not exist: {fix}.')


def _registered_by_plugin(module_prefix='mmkd_transfer'):
    """Names of the classes mmkd_transfer registered, in any registry."""
    import importlib

    import mmkd_transfer  # noqa: F401  (registers everything)
    names = set()
    for scope in TASK_REGISTRIES:
        try:
            registry_mod = importlib.import_module(f'{scope}.registry')
        except ImportError:
            continue
        for registry in vars(registry_mod).values():
            module_dict = getattr(registry, '_module_dict', None)
            if not isinstance(module_dict, dict):
                continue
            for name, obj in module_dict.items():
                if getattr(obj, '__module__', '').startswith(module_prefix):
                    names.add(name)
    return names


def plugin_type_names():
    return _registered_by_plugin('mmkd_transfer')


def _iter_types(node):
    if isinstance(node, dict):
        if isinstance(node.get('type'), str):
            yield node['type']
        for value in node.values():
            yield from _iter_types(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _iter_types(value)


def _imports(cfg):
    custom = cfg.get('custom_imports') or {}
    imports = custom.get('imports', [])
    return [imports] if isinstance(imports, str) else list(imports)


def check_custom_import(cfg):
    if any(name.split('.')[0] == 'mmkd_transfer' for name in _imports(cfg)):
        return
    ours = plugin_type_names()
    types = {t.split('.')[-1] for t in _iter_types(cfg.to_dict())}
    # Recorders are registered as <Type>Recorder but written as <Type>.
    used = sorted(t for t in types if t in ours or t + 'Recorder' in ours)
    if used:
        raise ConfigError(
            f'the config uses mmkd_transfer components ({", ".join(used)}) '
            f'but does not import the plugin: {CUSTOM_IMPORT_FIX}.')


def _nested_datasets(node):
    """Every dataset dict under ``node``, through dataset wrappers."""
    if isinstance(node, dict):
        yield node
        for key in ('dataset', 'datasets'):
            if key in node:
                yield from _nested_datasets(node[key])
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _nested_datasets(value)


def _dataset_cfgs(node):
    """Every dataset dict under ``node`` (wrappers included) that names
    files: a ``type`` and a ``data_root``, ``ann_file`` or
    ``data_prefix``."""
    return (ds for ds in _nested_datasets(node) if 'type' in ds and (
        'data_root' in ds or 'ann_file' in ds or 'data_prefix' in ds))


def check_dataset_paths(cfg):
    # the embedded datasets generate their files on first use
    embedded = _registered_by_plugin('mmkd_transfer.datasets')
    for loader_key in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
        loader = cfg.get(loader_key)
        if not loader:
            continue
        for ds in _dataset_cfgs(loader.get('dataset')):
            if str(ds.get('type', '')).split('.')[-1] in embedded:
                continue
            root = ds.get('data_root') or ''
            fix = (f'set {loader_key}.dataset.data_root to where the data '
                   'lies (e.g. --cfg-options '
                   f'{loader_key}.dataset.data_root=/path/to/data)')
            if root and '://' not in root and not osp.isdir(root):
                raise ConfigError(
                    f'dataset path {root!r} ({loader_key}) does not exist: '
                    f'{fix}.')
            ann = ds.get('ann_file') or ''
            if ann and '://' not in ann:
                path = ann if osp.isabs(ann) else osp.join(root, ann)
                if not osp.isfile(path):
                    raise ConfigError(
                        f'annotation file {path!r} ({loader_key}) does not '
                        f'exist: {fix}.')


def _has_pretrained_init(node):
    """Whether a model config loads weights itself (init_cfg Pretrained,
    MMRazor's ``cfg_path=..., pretrained=True``)."""
    if isinstance(node, dict):
        if node.get('pretrained') is True:
            return True
        init = node.get('init_cfg')
        inits = init if isinstance(init, (list, tuple)) else [init]
        if any(
                isinstance(i, dict) and i.get('type') == 'Pretrained'
                for i in inits):
            return True
        return any(_has_pretrained_init(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_has_pretrained_init(v) for v in node)
    return False


def _teachers_without_weights(model):
    """(setting, description) of each frozen teacher with no checkpoint."""
    found = []
    if 'teacher' in model and not model.get('teacher_ckpt') and not (
            model.get('teacher_trainable')
            or _has_pretrained_init(model.get('teacher'))):
        found.append(('model.teacher_ckpt',
                      f'the teacher of {model.get("type", "the algorithm")}'))
    for name, spec in (model.get('teachers') or {}).items():
        if isinstance(spec, dict) and not spec.get('ckpt') and not (
                spec.get('trainable') or _has_pretrained_init(spec)):
            found.append((f'model.teachers.{name}.ckpt', f'teacher {name!r}'))
    return found


def check_teacher_checkpoints(cfg):
    """Teacher checkpoints exist and are torch files; none missing silently.

    A frozen teacher with no checkpoint distills random weights. That is
    legitimate only for experiments, so it warns; with
    ``require_teacher_ckpt = True`` at the config's top level (or
    ``--cfg-options require_teacher_ckpt=True``) it is an error.
    """
    from mmkd_transfer.checkpoint_io import check_checkpoint_file
    model = cfg.get('model') or {}
    fix = ('train the teacher first (see the config README) or set '
           'model.teacher_ckpt to an existing file')
    check_file(model.get('teacher_ckpt'), 'teacher checkpoint', fix)
    if model.get('teacher_ckpt'):
        check_checkpoint_file(model.teacher_ckpt)
    for name, teacher in (model.get('teachers') or {}).items():
        if isinstance(teacher, dict):
            check_file(
                teacher.get('ckpt'), f'checkpoint of teacher {name!r}',
                fix.replace('model.teacher_ckpt',
                            f'model.teachers.{name}.ckpt'))
            if teacher.get('ckpt'):
                check_checkpoint_file(teacher['ckpt'])
    missing = _teachers_without_weights(model)
    if missing and cfg.get('require_teacher_ckpt', False):
        teachers = ', '.join(teacher for _, teacher in missing)
        settings = ', '.join(setting for setting, _ in missing)
        raise ConfigError(
            f'{teachers} {"has" if len(missing) == 1 else "have"} no '
            f'checkpoint ({settings} not set), so '
            f'{"it distills" if len(missing) == 1 else "they distill"} '
            'randomly initialised weights, but the config requires a '
            'pretrained teacher (require_teacher_ckpt=True): set '
            f"{settings} to the trained teacher's checkpoint.")
    for setting, teacher in missing:
        warnings.warn(
            f'{teacher[:1].upper()}{teacher[1:]} has no checkpoint '
            f'({setting} is not set), so it distills randomly initialised '
            f"weights: set {setting} to the trained teacher's checkpoint "
            '(require_teacher_ckpt=True makes this an error).',
            ConfigWarning,
            stacklevel=2)


def check_load_from(cfg):
    """A ``load_from`` checkpoint exists and is a torch.save file."""
    from mmkd_transfer.checkpoint_io import check_checkpoint_file
    path = cfg.get('load_from')
    if not path:
        return
    check_file(path, 'load_from checkpoint',
               'set load_from to an existing .pth file (or None)')
    check_checkpoint_file(path)


def _data_channels(cfg):
    """Channels of a preprocessed input, from the preprocessor's mean."""
    model = cfg.get('model') or {}
    for preprocessor in (model.get('data_preprocessor'),
                         cfg.get('data_preprocessor')):
        mean = (preprocessor or {}).get('mean')
        if isinstance(mean, (list, tuple)) and len(mean) > 0:
            return len(mean)
    return None


def check_input_shape_channels(cfg):
    """A dry-run ``input_shape`` has the data's number of channels."""
    model = cfg.get('model') or {}
    shape = model.get('input_shape')
    if not isinstance(shape, (list, tuple)) or len(shape) not in (3, 4):
        return  # absent, or malformed: the algorithm's own check says so
    channels = shape[0] if len(shape) == 3 else shape[1]
    data = _data_channels(cfg)
    if data is not None and channels != data:
        wanted = list(shape)
        wanted[0 if len(shape) == 3 else 1] = data
        raise ConfigError(
            f'model.input_shape={tuple(shape)} has {channels} channels but '
            f'the data has {data} (data_preprocessor.mean has {data} '
            f'values): set input_shape={tuple(wanted)}.')


def check_input_channels(channels, models, input_shape=None, view=False):
    """The dry run's input fits the first convolution of every model.

    For algorithms that run a dummy batch at build time: call it before the
    forward, so a wrong ``input_shape`` is a one-line error naming the model
    instead of a raw convolution error.

    Args:
        channels (int): channels of the dummy input (``input_shape[0]``,
            or ``[1]`` for clips).
        models (dict[str, nn.Module]): the models, by the name used in the
            message, e.g. ``{'student': s, "teacher 't_hr'": t}``.
        input_shape (Sequence[int], optional): the whole shape, (C, H, W)
            or (T, C, H, W), so the fix names the exact shape to set.
            Defaults to None: the fix says ``(C, H, W)``.
        view (bool): ``channels`` are what the model's view makes of
            ``input_shape`` (e.g. a frame pair: 2C); the message says so.
            Defaults to False.
    """
    from torch.nn.modules.conv import _ConvNd
    for name, model in models.items():
        first = next(
            ((n, m)
             for n, m in model.named_modules() if isinstance(m, _ConvNd)),
            None)
        if first is None or first[1].in_channels == channels:
            continue
        wanted = first[1].in_channels
        if input_shape is None:
            fix = f'({wanted}, H, W)'
        else:
            shape = list(input_shape)
            shape[-3] = wanted
            fix = str(tuple(shape))
        if view:
            raise ValueError(
                f'the view of the {name} gives it {channels}-channel inputs '
                f'but its first convolution ({first[0]}) takes {wanted}: fix '
                'input_shape, the view, or the model\'s in_channels.')
        raise ValueError(
            f'input_shape has {channels} channels but the first convolution '
            f'of the {name} ({first[0]}) takes {wanted}: set input_shape='
            f'{fix}, the size of one preprocessed input before any view.')


def _dataset_class(type_name):
    """The registered class of a dataset type name, or None."""
    import importlib
    name = str(type_name).split('.')[-1]
    for scope in TASK_REGISTRIES:
        try:
            registry = importlib.import_module(f'{scope}.registry').DATASETS
        except (ImportError, AttributeError):
            continue
        found = registry._module_dict.get(name)
        if found is not None:
            return found
    return None


def check_labelled_counts(cfg):
    """Warn when ``num_labelled`` leaves some classes without any label."""
    loader = cfg.get('train_dataloader') or {}
    for ds in _nested_datasets(loader.get('dataset')):
        count = ds.get('num_labelled')
        if not isinstance(count, int) or isinstance(count, bool):
            continue
        classes = getattr(_dataset_class(ds.get('type')), 'METAINFO',
                          {}).get('classes')
        if classes and count < len(classes):
            warnings.warn(
                f'train_dataloader: num_labelled={count} is below the '
                f'{len(classes)} classes of {ds.get("type")}, so '
                f'{len(classes) - count} classes get no labelled sample: '
                f'use num_labelled >= {len(classes)}.',
                ConfigWarning,
                stacklevel=2)


SELF_SYNCED_WRAPPER = 'SelfSyncedDataParallel'


def _model_class(type_name):
    """The registered class of a model type name, or None."""
    from mmrazor.registry import MODELS
    return MODELS._module_dict.get(str(type_name).split('.')[-1])


def check_model_wrapper(cfg):
    """A distributed run of an algorithm whose ``train_step`` averages the
    gradients itself must not be wrapped in DDP (mmengine's default)."""
    if cfg.get('launcher', 'none') in (None, 'none'):
        return
    model = cfg.get('model') or {}
    model_cls = _model_class(model.get('type')) if isinstance(model,
                                                              dict) else None
    if not getattr(model_cls, 'averages_own_gradients', False):
        return
    wrapper = (cfg.get('model_wrapper_cfg') or {}).get('type', '')
    if str(wrapper).split('.')[-1] != SELF_SYNCED_WRAPPER:
        raise ConfigError(
            f'{model_cls.__name__} steps its optimizers and averages their '
            'gradients itself, which DDP cannot wrap: add  model_wrapper_cfg'
            f" = dict(type='mmrazor.{SELF_SYNCED_WRAPPER}')  to the config "
            f'(it has {wrapper or "none"}).')


def check_config(cfg):
    """Run every pre-training check on a loaded :class:`mmengine.Config`."""
    check_custom_import(cfg)
    check_dataset_paths(cfg)
    check_teacher_checkpoints(cfg)
    check_load_from(cfg)
    check_input_shape_channels(cfg)
    check_labelled_counts(cfg)
    check_model_wrapper(cfg)
