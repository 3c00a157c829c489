"""Every registered class is importable from its package (explicit imports
and ``__all__``, as in MMRazor), and dependencies point one way: models know
no dataset, no engine and no tool API."""
import ast
import glob
import importlib
import os.path as osp

import pytest
from conftest import REPO

import mmkd_transfer

PACKAGES = [
    'mmkd_transfer.datasets',
    'mmkd_transfer.engine',
    'mmkd_transfer.engine.hooks',
    'mmkd_transfer.engine.runner',
    'mmkd_transfer.evaluation',
    'mmkd_transfer.models',
    'mmkd_transfer.models.algorithms',
    'mmkd_transfer.models.architectures',
    'mmkd_transfer.models.connectors',
    'mmkd_transfer.models.discriminators',
    'mmkd_transfer.models.distillers',
    'mmkd_transfer.models.losses',
    'mmkd_transfer.models.predictors',
    'mmkd_transfer.models.recorders',
    'mmkd_transfer.models.saliency',
    'mmkd_transfer.models.wrappers',
    'mmkd_transfer.views',
]


def _registries():
    from mmdet.registry import DATASETS as DET_DATASETS
    from mmpretrain.registry import DATASETS as CLS_DATASETS
    from mmpretrain.registry import MODELS as CLS_MODELS
    from mmrazor.registry import (HOOKS, LOOPS, MODEL_WRAPPERS, MODELS,
                                  TASK_UTILS)
    from mmseg.registry import DATASETS as SEG_DATASETS
    return [
        MODELS, TASK_UTILS, HOOKS, LOOPS, MODEL_WRAPPERS, CLS_MODELS,
        CLS_DATASETS, SEG_DATASETS, DET_DATASETS
    ]


def _registered_plugin_classes():
    found = {}
    for registry in _registries():
        for cls in registry.module_dict.values():
            if cls.__module__.startswith('mmkd_transfer.'):
                found[cls.__name__] = cls
    return found


def test_plugin_registers_the_expected_classes():
    names = set(_registered_plugin_classes())
    assert {
        'MultiTeacherDistill', 'ShapeInferringDistiller',
        'ResizeProjectConnector', 'AFDLoss', 'LabelledCrossEntropyLoss',
        'ModuleListOutputsRecorder', 'AFDAttentionHook', 'MultiTeacherValLoop',
        'DigitsClsDataset', 'DigitsSegDataset', 'DigitsDetDataset',
        'ResolutionView', 'FrameView', 'ComposeView', 'SelfSyncedDataParallel'
    } <= names
    # nothing generic carries a method's name
    assert 'AFDDistiller' not in names
    assert 'DryRunSingleTeacherDistill' not in names


@pytest.mark.parametrize('name, cls',
                         sorted(_registered_plugin_classes().items()))
def test_registered_class_is_exported_by_its_package(name, cls):
    # the package is the module's parent: mmkd_transfer.models.losses
    package = importlib.import_module(cls.__module__.rsplit('.', 1)[0])
    assert name in package.__all__, (package.__name__, name)
    assert getattr(package, name) is cls


@pytest.mark.parametrize('package', PACKAGES)
def test_all_names_resolve(package):
    module = importlib.import_module(package)
    assert module.__all__
    for name in module.__all__:
        assert getattr(module, name) is not None, (package, name)


def test_readme_example_imports():
    from mmkd_transfer.models import MultiTeacherDistill  # noqa: F401
    from mmkd_transfer.models.connectors import \
        ResizeProjectConnector  # noqa: F401
    from mmkd_transfer.models.losses import AFDLoss  # noqa: F401
    from mmkd_transfer.structures import UNLABELLED
    assert UNLABELLED == -1
    assert mmkd_transfer.datasets.digits_cls_dataset.UNLABELLED is UNLABELLED


def _imported_modules(path):
    """Absolute names of the mmkd_transfer modules a file imports."""
    package = osp.relpath(osp.dirname(path), REPO).replace(osp.sep, '.')
    tree = ast.parse(open(path).read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                yield '.'.join(base + ([node.module] if node.module else []))
            else:
                yield node.module


@pytest.mark.parametrize(
    'path',
    sorted(
        glob.glob(
            osp.join(REPO, 'mmkd_transfer', 'models', '**', '*.py'),
            recursive=True)),
    ids=lambda p: osp.relpath(p, REPO))
def test_models_import_no_dataset_engine_or_api(path):
    forbidden = ('mmkd_transfer.datasets', 'mmkd_transfer.engine',
                 'mmkd_transfer.apis')
    bad = [m for m in _imported_modules(path) if m.startswith(forbidden)]
    assert not bad, bad
