"""Checks a config before training, so mistakes fail in one clear line.

What is checked here (everything that can be seen without building models):
- a config that uses an mmkd_transfer component must import the plugin
  (``custom_imports``), or it would fail under ``mim train mmrazor`` and
  plain OpenMMLab tools;
- dataset roots and annotation files that do not exist;
- local teacher checkpoints that do not exist.
Model-level checks (recorder sources, checkpoint contents, shapes) happen
when the algorithm is built, still before the first iteration.
"""
import os.path as osp

CUSTOM_IMPORT_FIX = ("add  custom_imports = dict(imports=['mmkd_transfer'], "
                     'allow_failed_imports=False)  to the config')
TASK_REGISTRIES = ('mmrazor', 'mmpretrain', 'mmseg', 'mmdet')


class ConfigError(ValueError):
    """A config mistake found before training."""


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


def _dataset_cfgs(node):
    """Yield every dataset dict (wrappers included) under a dataloader."""
    if isinstance(node, dict):
        if 'type' in node and ('data_root' in node or 'ann_file' in node
                               or 'data_prefix' in node):
            yield node
        for key in ('dataset', 'datasets'):
            if key in node:
                yield from _dataset_cfgs(node[key])
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _dataset_cfgs(value)


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


def check_teacher_checkpoints(cfg):
    model = cfg.get('model') or {}
    fix = ('train the teacher first (see the config README) or set '
           'model.teacher_ckpt to an existing file')
    check_file(model.get('teacher_ckpt'), 'teacher checkpoint', fix)
    for name, teacher in (model.get('teachers') or {}).items():
        if isinstance(teacher, dict):
            check_file(teacher.get('ckpt'), f'checkpoint of teacher {name!r}',
                       fix.replace('model.teacher_ckpt',
                                   f'model.teachers.{name}.ckpt'))


def check_config(cfg):
    """Run every pre-training check on a loaded :class:`mmengine.Config`."""
    check_custom_import(cfg)
    check_dataset_paths(cfg)
    check_teacher_checkpoints(cfg)
