"""Every fix this project applies to third-party packages, and nothing else.

Each patch is guarded by a version or feature check, idempotent, applied by
:func:`apply_all` when ``mmkd_transfer`` is imported (and, through the import
hook in :mod:`mmkd_transfer_hook`, before ``mmrazor`` is first imported
anywhere in an environment where that hook is installed), covered by a test in
``tests/test_compat.py`` and listed in the README with its upstream issue.

Patches:

1. ``mmrazor_quantization_import`` -- MMRazor 1.0.0 does not import on
   torch >= 2.0: ``mmrazor/structures/quantization/backend_config`` builds
   quantization backend configs at import time from torch internals that moved
   (``reverse2``/``reverse3``/``reverse_sequential_wrapper2`` and friends).
   Upstream: open-mmlab/mmrazor#615, #632, #652. We pre-register a stand-in for
   that package whose ``BackendConfigs`` are all ``None``; quantization then
   fails with a clear :class:`QuantizationUnavailableError` (an
   ``ImportError``, as MMRazor's placeholders raise, and a
   ``RuntimeError``); distillation is unaffected.
2. ``safe_checkpoint_types`` -- torch >= 2.6 loads with ``weights_only=True``;
   mmengine 0.10.7's runner checkpoints pickle ``HistoryBuffer``, numpy arrays
   and scalars, ``ConfigDict`` ... so resume and local ``load_checkpoint``
   fail. Upstream: open-mmlab/mmengine#1655 (PR #1650). We allow-list exactly
   those types (never ``weights_only=False``), and turn torch's refusal of
   anything else into a one-line error that names the fix
   (:class:`UnsafeCheckpointError`, still torch's
   ``pickle.UnpicklingError`` and its opening words).
3. ``cpu_distributed`` -- mmengine 0.10.7 always calls
   ``torch.cuda.set_device`` in ``_init_dist_pytorch`` and passes
   ``device_ids=[LOCAL_RANK]`` to DDP; both fail on a CPU-only machine
   (torchrun + gloo). No upstream issue found; the CUDA call is hard-coded
   in ``mmengine/dist/utils.py:_init_dist_pytorch`` and ``Runner.wrap_model``.
   We skip ``set_device`` and use the gloo backend when CUDA is unavailable,
   and drop ``device_ids`` for modules that live on the CPU.
   Guarded to mmengine <= 0.10.7 (the newest release, still affected).
4. ``recorder_source_errors`` -- MMRazor's ``ModuleOutputsRecorder`` (and
   ``ModuleInputsRecorder``) fail on a misspelt ``source`` with a bare
   ``AssertionError: "neck" is not in the model.`` (open-mmlab/mmrazor#654).
   We keep that exception type and those words and add the model's closest
   module names: :class:`RecorderSourceError` is both an ``AssertionError``
   (what MMRazor raised) and a ``ValueError``. Guarded to mmrazor <= 1.0.0.
5. ``mmcls_to_mmpretrain`` -- MMRazor 1.0's distillation configs and some of
   its classes were written for mmcls 1.x, which was renamed mmpretrain and
   cannot be installed beside mmcv 2.1 and torch 2
   (open-mmlab/mmrazor#546, #534, #660). Only when mmcls is absent and
   mmpretrain is installed: ``mmcls::`` config paths load mmpretrain's
   configs (:data:`MMCLS_RENAMED_CONFIGS` lists the files that were
   renamed), the ``mmcls`` registry scope means ``mmpretrain``, mmcls-era
   type names that mmpretrain renamed build the mmpretrain class
   (:data:`MMCLS_RENAMED_TYPES`), and MMRazor's own mmcls-backed pieces
   (``KDSoftCELoss``, ``PackCRDClsInputs``, the mmcls demo inputs, recorders
   and deliveries with ``mmcls.`` paths) use mmpretrain's code; mmpretrain's
   ``ImageClassifier`` finds its default data preprocessor from any scope,
   as mmcls 1.x's did. mmengine is never asked to ``pip install mmcls``.
6. ``strict_teacher_loading`` -- MMRazor 1.0.0's ``SingleTeacherDistill``
   (and ``FpnTeacherDistill``, ``OverhaulFeatureDistillation``) load
   ``teacher_ckpt`` with ``strict=False`` and unsafe-by-default mmengine
   loading, so a wrong checkpoint trains a random teacher with only log
   lines as a trace (related: open-mmlab/mmrazor#456, #603). Teachers load
   through :func:`mmkd_transfer.checkpoint_io.load_teacher_weights`:
   strict, ``weights_only``, first missing/unexpected keys listed; opt out
   with ``model.teacher_ckpt_strict=False``. Guarded to mmrazor <= 1.0.0.
"""
import importlib.metadata
import pickle
import sys
import types
import warnings

_APPLIED = set()


def _version_tuple(version):
    parts = []
    for piece in version.split('+')[0].split('.')[:3]:
        digits = ''.join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _installed_version(dist_name):
    try:
        return importlib.metadata.version(dist_name)
    except importlib.metadata.PackageNotFoundError:
        return None


#: The newest mmrazor release the mmrazor patches are written for.
MMRAZOR_LAST_AFFECTED = (1, 0, 0)


def _installed_at_most(dist_name, last_affected):
    """True when ``dist_name`` is installed at a version <= ``last_affected``.

    The version guard of a patch: ``last_affected`` is the newest release
    (a version tuple) known to need it; an absent package needs nothing.
    """
    version = _installed_version(dist_name)
    return version is not None and _version_tuple(version) <= last_affected


def _wrap_once(owner, name, make_wrapper):
    """Replace ``owner.name`` by ``make_wrapper(original)`` once."""
    original = getattr(owner, name)
    if getattr(original, '_mmkd_wrapped', False):
        return
    wrapper = make_wrapper(original)
    wrapper._mmkd_wrapped = True
    wrapper._mmkd_original = original
    setattr(owner, name, wrapper)


# --------------------------------------------------------------------------
# 1. mmrazor 1.0.0 on torch >= 2
# --------------------------------------------------------------------------
BACKEND_CONFIG_MODULE = 'mmrazor.structures.quantization.backend_config'
BACKEND_NAMES = ('academic', 'native', 'tensorrt', 'openvino')


class QuantizationUnavailableError(ImportError, RuntimeError):
    """MMRazor quantization cannot run on this torch.

    An ``ImportError``, as MMRazor's placeholders raise for a missing
    dependency, and a ``RuntimeError``.
    """


def _quantization_unsupported(*args, **kwargs):
    raise QuantizationUnavailableError(
        'MMRazor quantization backend configs are unavailable on torch>=2 '
        '(mmrazor 1.0.0 builds them against torch 1.13 internals; '
        'open-mmlab/mmrazor#615). mmkd_transfer supports distillation only; '
        'use torch 1.13 for MMRazor quantization.')


def _make_backend_config_standin():
    module = types.ModuleType(BACKEND_CONFIG_MODULE)
    module.__doc__ = ('Stand-in installed by mmkd_transfer.compat: MMRazor '
                      'quantization is not supported on torch>=2.')
    module.__path__ = []  # a package, so submodule imports fail cleanly
    module.BackendConfigs = {name: None for name in BACKEND_NAMES}
    exported = ['BackendConfigs']
    for name in BACKEND_NAMES:
        for suffix in ('', '_dict'):
            func_name = f'get_{name}_backend_config{suffix}'
            setattr(module, func_name, _quantization_unsupported)
            exported.append(func_name)
    module.__all__ = exported
    module.MMKD_TRANSFER_STANDIN = True
    return module


def patch_mmrazor_quantization_import():
    """Let ``import mmrazor.models`` work on torch >= 2 (patch 1)."""
    # mmrazor main (after 1.0.0) restricts these configs to torch 1.13.x
    # itself; only the released 1.0.0 needs the stand-in.
    if not _installed_at_most('mmrazor', MMRAZOR_LAST_AFFECTED):
        return False
    torch_version = _installed_version('torch')
    if torch_version is None or _version_tuple(torch_version) < (2, 0, 0):
        return False
    if BACKEND_CONFIG_MODULE in sys.modules:
        return getattr(sys.modules[BACKEND_CONFIG_MODULE],
                       'MMKD_TRANSFER_STANDIN', False)
    sys.modules[BACKEND_CONFIG_MODULE] = _make_backend_config_standin()
    return True


# --------------------------------------------------------------------------
# 2. runner checkpoints under torch's weights_only=True
# --------------------------------------------------------------------------
def history_buffer_getattr(obj, name):
    """``getattr`` restricted to HistoryBuffer's statistics methods."""
    from mmengine.logging import HistoryBuffer

    # The four built-in statistics are added lazily by HistoryBuffer.__init__.
    allowed = {'min', 'max', 'current', 'mean'}
    allowed.update(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise RuntimeError(f'getattr({obj!r}, {name!r}) is not allowed while '
                       'loading a checkpoint (only HistoryBuffer statistics)')


def checkpoint_safe_globals():
    """The exact types an mmengine runner checkpoint pickles.

    Everything else stays refused by torch's ``weights_only`` unpickler.
    """
    import numpy as np
    from mmengine.config import ConfigDict
    from mmengine.logging import HistoryBuffer

    safe = [
        HistoryBuffer,
        ConfigDict,
        np.ndarray,
        np.dtype,
        # HistoryBuffer pickles its statistics as getattr(HistoryBuffer,
        # 'min'); a general getattr would let a pickle reach
        # __globals__/__builtins__, so only that exact lookup is allowed.
        (history_buffer_getattr, 'builtins.getattr'),
        (history_buffer_getattr, '__builtin__.getattr')
    ]
    # numpy arrays and scalars are rebuilt through these two functions.
    try:
        from numpy.core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy >= 2 renamed numpy.core
        from numpy._core.multiarray import _reconstruct, scalar
    safe += [_reconstruct, scalar]
    # Since numpy 1.25 every dtype has its own class (np.dtypes.Float64DType).
    dtype_classes = getattr(np, 'dtypes', None)
    if dtype_classes is not None:
        safe += [
            getattr(dtype_classes, name) for name in dir(dtype_classes)
            if name.endswith('DType')
        ]
    return safe


class UnsafeCheckpointError(pickle.UnpicklingError, RuntimeError):
    """A checkpoint asked to run code while being loaded; it was refused.

    A ``pickle.UnpicklingError``, as torch raises it (code written against
    torch catches that), and a ``RuntimeError``.
    """


def _refusal_message(filename, err):
    first_line = str(err).strip().splitlines()
    detail = next(
        (ln for ln in first_line if 'GLOBAL' in ln or 'Unsupported' in ln),
        first_line[0] if first_line else '')
    # torch's own opening words come first: callers match on them.
    return (f'Weights only load failed: refused to load checkpoint '
            f'{filename!r}: its pickle calls code '
            f'that is not a plain tensor/state-dict type ({detail.strip()}). '
            'It was not executed. Fix: re-save it as a plain state dict '
            '(torch.save(model.state_dict(), path)) from a trusted source, or '
            'if you trust this file and the type is harmless, allow-list it '
            'with torch.serialization.add_safe_globals([...]).')


def patch_safe_checkpoint_types():
    """Allow-list runner checkpoint types, clear error for others (patch 2)."""
    import torch
    if _version_tuple(torch.__version__) < (2, 4, 0):
        return False
    if 'safe_checkpoint_types' in _APPLIED:
        return True
    torch.serialization.add_safe_globals(checkpoint_safe_globals())

    from mmengine.runner import checkpoint as ckpt_mod

    original = ckpt_mod.CheckpointLoader._schemes.get('')
    if original is None or getattr(original, '_mmkd_wrapped', False):
        return True

    def load_from_local_safely(filename, map_location):
        try:
            return original(filename, map_location)
        except Exception as err:  # torch raises pickle.UnpicklingError
            if 'weights_only' in str(err) or 'Unsupported global' in str(err):
                raise UnsafeCheckpointError(_refusal_message(filename,
                                                             err)) from None
            raise

    load_from_local_safely._mmkd_wrapped = True
    load_from_local_safely.__doc__ = original.__doc__
    ckpt_mod.CheckpointLoader._schemes[''] = load_from_local_safely
    _APPLIED.add('safe_checkpoint_types')
    return True


# --------------------------------------------------------------------------
# 3. torchrun on a CPU-only machine
# --------------------------------------------------------------------------
# The newest mmengine release; later ones are left alone until checked.
CPU_DISTRIBUTED_LAST_AFFECTED = (0, 10, 7)


def patch_cpu_distributed():
    """Make mmengine's pytorch launcher and DDP wrapper work without CUDA."""
    import torch
    if not _installed_at_most('mmengine', CPU_DISTRIBUTED_LAST_AFFECTED):
        return False
    if 'cpu_distributed' in _APPLIED:
        return True
    from mmengine.dist import utils as dist_utils
    from mmengine.model.wrappers import distributed as ddp_mod

    original_init = dist_utils._init_dist_pytorch

    def init_dist_pytorch(backend, init_backend='torch', **kwargs):
        if torch.cuda.is_available():
            return original_init(backend, init_backend=init_backend, **kwargs)
        if backend == 'nccl':
            warnings.warn('CUDA is not available: using the gloo backend '
                          'instead of nccl for distributed training.')
            backend = 'gloo'
        # The original calls torch.cuda.set_device unconditionally.
        import torch.distributed as torch_dist
        torch_dist.init_process_group(backend=backend, **kwargs)

    init_dist_pytorch._mmkd_original = original_init
    dist_utils._init_dist_pytorch = init_dist_pytorch

    ddp_cls = ddp_mod.MMDistributedDataParallel
    original_ddp_init = ddp_cls.__init__

    def ddp_init(self, module, detect_anomalous_params=False, **kwargs):
        params = list(module.parameters())
        on_cpu = all(p.device.type == 'cpu' for p in params)
        if on_cpu and kwargs.get('device_ids') is not None:
            # torch rejects device_ids for CPU modules.
            kwargs['device_ids'] = None
        original_ddp_init(
            self,
            module,
            detect_anomalous_params=detect_anomalous_params,
            **kwargs)

    ddp_init._mmkd_original = original_ddp_init
    ddp_cls.__init__ = ddp_init
    _APPLIED.add('cpu_distributed')
    return True


# --------------------------------------------------------------------------
# 4. recorder sources that name no module
# --------------------------------------------------------------------------
class RecorderSourceError(AssertionError, ValueError):
    """A recorder ``source`` names no module of the model.

    An ``AssertionError`` as MMRazor raised it (code written against MMRazor
    catches that), and a ``ValueError``, which is what it is.
    """


def patch_recorder_source_errors():
    """Unknown recorder sources name the closest modules (patch 4)."""
    if not _installed_at_most('mmrazor', MMRAZOR_LAST_AFFECTED):
        return False
    from mmrazor.models.task_modules.recorder import \
        module_outputs_recorder as recorder_mod

    from mmkd_transfer.utils import closest_names

    def prepare_wrapper(original):

        def prepare_from_model(self, model=None):
            if model is not None:
                names = [name for name, _ in model.named_modules()]
                if self.source not in names:
                    close = closest_names(self.source, names)
                    # MMRazor's own words first: users match on them.
                    raise RecorderSourceError(
                        f'"{self.source}" is not in the model. '
                        f'{type(self).__name__}: {type(model).__name__} has '
                        f'no module "{self.source}"; closest names: '
                        f'{", ".join(repr(c) for c in close)}. Fix the '
                        'source in the recorder config.')
            return original(self, model)

        return prepare_from_model

    _wrap_once(recorder_mod.ModuleOutputsRecorder, 'prepare_from_model',
               prepare_wrapper)
    return True


# --------------------------------------------------------------------------
# 6. strict, safe teacher loading in MMRazor's single-teacher algorithms
# --------------------------------------------------------------------------
def patch_strict_teacher_loading():
    """MMRazor's ``SingleTeacherDistill`` loads ``teacher_ckpt`` strictly.

    MMRazor 1.0.0's ``SingleTeacherDistill`` (and its subclasses
    ``FpnTeacherDistill``, ``OverhaulFeatureDistillation``) load the teacher
    with mmengine's ``load_checkpoint(strict=False)``: a checkpoint of
    another model, an exported student or a non-state-dict only logs
    "size mismatch"/"missing keys" lines and training goes on with a random
    teacher. No upstream issue asks for strict loading; related reports of
    silently wrong teachers: open-mmlab/mmrazor#456, #603 (and PR #452 on
    teacher loading). We load the teacher through
    :func:`mmkd_transfer.checkpoint_io.load_teacher_weights` (safe loader,
    strict, one-line report of the first missing/unexpected/mis-shaped keys)
    and add the keyword ``teacher_ckpt_strict`` (default True; False loads a
    partial checkpoint and warns about what did not fit). A recorder whose
    source names no module is reported with its side (student or teacher).
    """
    import functools

    if not _installed_at_most('mmrazor', MMRAZOR_LAST_AFFECTED):
        return False

    from mmrazor.models.algorithms.distill.configurable import \
        single_teacher_distill as algorithm_mod

    def init_wrapper(original):

        @functools.wraps(original)
        def __init__(self,
                     distiller,
                     teacher,
                     teacher_ckpt=None,
                     *args,
                     teacher_ckpt_strict=True,
                     **kwargs):
            # build everything with no checkpoint, then load it ourselves
            # (still inside __init__, so subclasses that read teacher
            # weights after super().__init__, like
            # OverhaulFeatureDistillation, see them)
            try:
                original(self, distiller, teacher, None, *args, **kwargs)
            except ValueError as err:
                # say whose recorder names an unknown source: student/teacher
                # models often share class names (ImageClassifier)
                owners = [
                    f'{side} recorder {name!r}'
                    for side in ('student', 'teacher')
                    for name, recorder in dict(
                        distiller.get(f'{side}_recorders') or {}).items()
                    if isinstance(recorder, dict)
                    and f'"{recorder.get("source")}"' in str(err)
                ] if isinstance(distiller, dict) else []
                if not owners:
                    raise
                # same type (RecorderSourceError is still MMRazor's
                # AssertionError), MMRazor's words kept inside the message
                raise type(err)(
                    f'{type(self).__name__}, {owners[0]}: {err}') from err
            if teacher_ckpt:
                from mmkd_transfer.checkpoint_io import load_teacher_weights
                load_teacher_weights(
                    self.teacher,
                    teacher_ckpt,
                    strict=teacher_ckpt_strict,
                    what=f'the teacher of {type(self).__name__}',
                    opt_out='model.teacher_ckpt_strict=False')
                # keep Runner.init_weights() from re-initialising the teacher
                self.teacher._is_init = True

        return __init__

    _wrap_once(algorithm_mod.SingleTeacherDistill, '__init__', init_wrapper)
    return True


# --------------------------------------------------------------------------
# 5. mmcls 1.x projects on mmpretrain
# --------------------------------------------------------------------------
# mmcls config files that have another name in mmpretrain (path after '::').
MMCLS_RENAMED_CONFIGS = {
    'deit/deit-base_pt-16xb64_in1k.py': 'deit/deit-base_16xb64_in1k.py',
}
# Registered type names of mmcls 1.x that mmpretrain renamed:
# {mmpretrain registry name: {mmcls name: mmpretrain name}}.
MMCLS_RENAMED_TYPES = {
    'transform': {
        'PackClsInputs': 'PackInputs'
    },
    'visualizer': {
        'ClsVisualizer': 'UniversalVisualizer'
    },
}


def mmcls_is_replaced_by_mmpretrain():
    """True when mmcls is absent and mmpretrain is installed."""
    import importlib.util
    return (importlib.util.find_spec('mmcls') is None
            and importlib.util.find_spec('mmpretrain') is not None)


def mmcls_cfg_path_to_mmpretrain(cfg_path):
    """``'mmcls::a/b.py'`` -> ``'mmpretrain::a/b.py'`` (renamed files too).

    Any other path is returned unchanged.
    """
    package, sep, rel_path = cfg_path.partition('::')
    if not sep or package != 'mmcls':
        return cfg_path
    return 'mmpretrain::' + MMCLS_RENAMED_CONFIGS.get(rel_path, rel_path)


def _alias_mmcls_config_paths():
    """``mmcls::`` in ``_base_``, ``cfg_path`` and ``get_config/get_model``.

    mmengine resolves ``package::path`` in ``_get_package_and_cfg_path``,
    imported by name into its config and hub modules; ``get_model`` also
    imports ``<package>.utils``, so it gets the mmpretrain path up front.
    """
    import mmengine.hub
    from mmengine.config import config as config_mod
    from mmengine.config import utils as config_utils
    from mmengine.hub import hub as hub_mod

    def path_wrapper(original):

        def _get_package_and_cfg_path(cfg_path):
            return original(mmcls_cfg_path_to_mmpretrain(cfg_path))

        return _get_package_and_cfg_path

    for module in (config_utils, config_mod, hub_mod):
        _wrap_once(module, '_get_package_and_cfg_path', path_wrapper)

    def get_model_wrapper(original):

        def get_model(cfg_path, *args, **kwargs):
            return original(
                mmcls_cfg_path_to_mmpretrain(cfg_path), *args, **kwargs)

        return get_model

    for module in (mmengine.hub, hub_mod):
        _wrap_once(module, 'get_model', get_model_wrapper)

    def install_wrapper(original):

        def install_package(package):
            if package == 'mmcls':
                raise ModuleNotFoundError(
                    'mmcls is not installed and is not installed on demand '
                    '(mmcls 1.x needs mmcv < 2.1.0); '
                    'mmkd_transfer maps mmcls:: configs to mmpretrain. '
                    'Fix: install mmpretrain.')
            return original(package)

        return install_package

    _wrap_once(hub_mod, 'install_package', install_wrapper)


def _alias_mmcls_scope():
    """The ``mmcls`` scope means ``mmpretrain``.

    Covers ``default_scope='mmcls'``, ``_scope_='mmcls'`` (both go through
    :class:`DefaultScope`) and ``type='mmcls.X'`` (``split_scope_key``).
    """
    from mmengine.registry import DefaultScope, Registry

    def scope_wrapper(original):

        def __init__(self, name, scope_name):
            if scope_name == 'mmcls':
                scope_name = 'mmpretrain'
            original(self, name, scope_name)

        return __init__

    _wrap_once(DefaultScope, '__init__', scope_wrapper)

    original_split = Registry.split_scope_key
    if not getattr(original_split, '_mmkd_wrapped', False):

        def split_scope_key(key):
            scope, real_key = original_split(key)
            return ('mmpretrain' if scope == 'mmcls' else scope), real_key

        split_scope_key._mmkd_wrapped = True
        split_scope_key._mmkd_original = original_split
        Registry.split_scope_key = staticmethod(split_scope_key)


def _alias_mmcls_type_names():
    """mmcls-era type names build the renamed mmpretrain classes.

    The aliases are added to mmpretrain's registries on their first lookup,
    right after the registry imported its modules (which registers the new
    names), whatever the order in which mmpretrain and the plugin load.
    """
    from mmengine.registry import Registry

    def import_wrapper(original):

        def import_from_location(self):
            original(self)
            renames = MMCLS_RENAMED_TYPES.get(self.name)
            if self.scope != 'mmpretrain' or not renames:
                return
            for old, new in renames.items():
                if old not in self._module_dict and new in self._module_dict:
                    self._module_dict[old] = self._module_dict[new]

        return import_from_location

    _wrap_once(Registry, 'import_from_location', import_wrapper)


def _is_mmrazor_placeholder(obj):
    return (isinstance(obj, type) and obj.__name__ == 'PlaceHolder'
            and obj.__module__ == 'mmrazor.utils.placeholder')


def _import_mmcls_as_mmpretrain(module_path):
    """Import an ``mmcls.`` module path from mmpretrain (same layout)."""
    import importlib
    if module_path == 'mmcls' or module_path.startswith('mmcls.'):
        module_path = 'mmpretrain' + module_path[len('mmcls'):]
    return importlib.import_module(module_path)


def _demo_mmcls_data(self, model, input_shape, training=False):
    """``DefaultMMClsDemoInput._get_mm_data`` with mmpretrain's DataSample.

    Args:
        model: a classifier with a ``data_preprocessor``.
        input_shape (tuple): (N, C, H, W) of the random images.
        training (bool): passed to the data preprocessor.
    """
    import torch
    from mmpretrain.structures import DataSample
    samples = [
        DataSample(metainfo=dict(img_shape=input_shape[i],
                                 num_classes=1000)).set_gt_label(1)
        for i in range(input_shape[0])
    ]
    data = {'inputs': torch.rand(input_shape), 'data_samples': samples}
    return model.data_preprocessor(data, training)


# mmrazor modules with mmcls placeholders (names too long for one line)
_DEMO_INPUTS = 'mmrazor.models.task_modules.demo_inputs.default_demo_inputs'
_SEARCHABLE_CLASSIFIER = 'mmrazor.models.architectures.classifiers.image'


def _point_mmrazor_at_mmpretrain():
    """MMRazor's mmcls-backed pieces use mmpretrain's code.

    MMRazor swaps a placeholder in for every mmcls import that fails; we
    replace those placeholders (module names and base classes) by the
    mmpretrain objects, and route ``mmcls.`` recorder/delivery paths to
    mmpretrain.
    """
    import importlib
    from collections import OrderedDict

    from mmpretrain.datasets.transforms import formatting as pt_formatting
    from mmpretrain.models import ImageClassifier, VisionTransformerClsHead
    from mmpretrain.models.losses.cross_entropy_loss import soft_cross_entropy
    from mmpretrain.structures import DataSample

    # (mmrazor module, name) -> the mmpretrain object for the placeholder
    names = {
        ('mmrazor.models.losses.kd_soft_ce_loss', 'soft_cross_entropy'):
        soft_cross_entropy,
        ('mmrazor.datasets.transforms.formatting', 'PackClsInputs'):
        pt_formatting.PackInputs,
        ('mmrazor.datasets.transforms.formatting', 'to_tensor'):
        pt_formatting.to_tensor,
        ('mmrazor.datasets.transforms.formatting', 'ClsDataSample'):
        DataSample,
        (_DEMO_INPUTS, 'ImageClassifier'):
        ImageClassifier,
        ('mmrazor.models.task_modules.tracer.loss_calculator.'
         'image_classifier_loss_calculator', 'ImageClassifier'):
        ImageClassifier,
    }
    for (module_name, name), replacement in names.items():
        module = importlib.import_module(module_name)
        if _is_mmrazor_placeholder(getattr(module, name, None)):
            setattr(module, name, replacement)

    # Classes MMRazor derived from a placeholder: give them the real base.
    bases = {
        ('mmrazor.datasets.transforms.formatting', 'PackCRDClsInputs'):
        pt_formatting.PackInputs,
        (_SEARCHABLE_CLASSIFIER, 'SearchableImageClassifier'):
        ImageClassifier,
        ('mmrazor.models.architectures.heads.deit_head', 'DeiTClsHead'):
        VisionTransformerClsHead,
    }
    for (module_name, name), base in bases.items():
        cls = getattr(importlib.import_module(module_name), name)
        if _is_mmrazor_placeholder(cls.__bases__[0]):
            cls.__bases__ = (base, ) + cls.__bases__[1:]

    demo = importlib.import_module(
        'mmrazor.models.task_modules.demo_inputs.default_demo_inputs')
    # The model -> demo input table was keyed by the placeholder (mmpose's
    # placeholder is another key of the same table).
    cls_demo = demo.DefaultMMClsDemoInput
    demo.default_demo_input_class = OrderedDict(
        (ImageClassifier
         if value is cls_demo and _is_mmrazor_placeholder(key) else key, value)
        for key, value in demo.default_demo_input_class.items())
    demo.default_demo_input_class_for_scope.setdefault(
        'mmpretrain', demo.DefaultMMClsDemoInput)
    if getattr(demo.DefaultMMClsDemoInput._get_mm_data, '__module__',
               None) != __name__:
        demo.DefaultMMClsDemoInput._get_mm_data = _demo_mmcls_data

    # Recorders and deliveries import the module of their source path.
    for module_name in (
            'mmrazor.models.task_modules.recorder.method_outputs_recorder',
            'mmrazor.models.task_modules.recorder.function_outputs_recorder',
            'mmrazor.models.task_modules.delivery.method_outputs_delivery',
            'mmrazor.models.task_modules.delivery.function_outputs_delivery'):
        module = importlib.import_module(module_name)

        def import_wrapper(original):

            def import_modules_from_strings(imports, *args, **kwargs):
                if isinstance(imports, str) and (imports == 'mmcls' or
                                                 imports.startswith('mmcls.')):
                    return _import_mmcls_as_mmpretrain(imports)
                return original(imports, *args, **kwargs)

            return import_modules_from_strings

        _wrap_once(module, 'import_modules_from_strings', import_wrapper)


def _scope_classifier_preprocessor():
    """mmpretrain's ``ImageClassifier`` finds its default preprocessor from
    any scope, as mmcls 1.x's did.

    mmcls 1.x defaulted to ``'mmcls.ClsDataPreprocessor'``; mmpretrain 1.2
    defaults to the bare ``'ClsDataPreprocessor'``, which is not found when
    the classifier is built inside an MMRazor algorithm
    (``_scope_='mmrazor'``), as MMRazor's mmcls configs do (e.g. BYOT).
    """
    import inspect

    from mmpretrain.models.classifiers.image import ImageClassifier

    def init_wrapper(original):
        signature = inspect.signature(original)

        def __init__(self, *args, **kwargs):
            bound = signature.bind(self, *args, **kwargs)
            preprocessor = bound.arguments.get('data_preprocessor') or {}
            if isinstance(preprocessor, dict) and 'type' not in preprocessor:
                preprocessor = dict(
                    preprocessor, type='mmpretrain.ClsDataPreprocessor')
            bound.arguments['data_preprocessor'] = preprocessor
            original(*bound.args, **bound.kwargs)

        return __init__

    _wrap_once(ImageClassifier, '__init__', init_wrapper)


def patch_mmcls_to_mmpretrain():
    """Run mmcls 1.x-era MMRazor projects on mmpretrain (patch 5)."""
    if not mmcls_is_replaced_by_mmpretrain():
        return False
    if 'mmcls_to_mmpretrain' in _APPLIED:
        return True
    _alias_mmcls_config_paths()
    _alias_mmcls_scope()
    _alias_mmcls_type_names()
    _scope_classifier_preprocessor()
    if _installed_version('mmrazor') is not None:
        _point_mmrazor_at_mmpretrain()
    _APPLIED.add('mmcls_to_mmpretrain')
    return True


def apply_all():
    """Apply every patch; safe to call many times."""
    applied = {}
    applied['mmrazor_quantization_import'] = \
        patch_mmrazor_quantization_import()
    applied['safe_checkpoint_types'] = patch_safe_checkpoint_types()
    applied['cpu_distributed'] = patch_cpu_distributed()
    applied['recorder_source_errors'] = patch_recorder_source_errors()
    applied['strict_teacher_loading'] = patch_strict_teacher_loading()
    applied['mmcls_to_mmpretrain'] = patch_mmcls_to_mmpretrain()
    return applied
