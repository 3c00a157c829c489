"""Every fix this project applies to third-party packages, and nothing else.

Each patch is guarded by a version or feature check, idempotent, applied by
:func:`apply_all` when ``mmkd_transfer`` is imported (and, through the import
hook in :mod:`mmkd_transfer.import_hook`, before ``mmrazor`` is first imported
anywhere in an environment where that hook is installed), covered by a test in
``tests/test_compat.py`` and listed in the README with its upstream issue.

Patches:

1. ``mmrazor_quantization_import`` -- MMRazor 1.0.0 does not import on
   torch >= 2.0: ``mmrazor/structures/quantization/backend_config`` builds
   quantization backend configs at import time from torch internals that moved
   (``reverse2``/``reverse3``/``reverse_sequential_wrapper2`` and friends).
   Upstream: open-mmlab/mmrazor#615, #632, #652. We pre-register a stand-in for
   that package whose ``BackendConfigs`` are all ``None``; quantization then
   fails with a clear message, distillation is unaffected.
2. ``safe_checkpoint_types`` -- torch >= 2.6 loads with ``weights_only=True``;
   mmengine 0.10.7's runner checkpoints pickle ``HistoryBuffer``, numpy arrays
   and scalars, ``ConfigDict`` ... so resume and local ``load_checkpoint``
   fail. Upstream: open-mmlab/mmengine#1655 (PR #1650). We allow-list exactly
   those types (never ``weights_only=False``), and turn torch's refusal of
   anything else into a one-line error that names the fix.
3. ``cpu_distributed`` -- mmengine 0.10.7 always calls
   ``torch.cuda.set_device`` in ``_init_dist_pytorch`` and passes
   ``device_ids=[LOCAL_RANK]`` to DDP; both fail on a CPU-only machine
   (torchrun + gloo). No upstream issue found; the CUDA call is hard-coded
   in ``mmengine/dist/utils.py:_init_dist_pytorch`` and ``Runner.wrap_model``.
   We skip ``set_device`` and use the gloo backend when CUDA is unavailable,
   and drop ``device_ids`` for modules that live on the CPU.
4. ``recorder_source_errors`` -- MMRazor's ``ModuleOutputsRecorder`` (and
   ``ModuleInputsRecorder``) fail on a misspelt ``source`` with a bare
   ``AssertionError: "neck" is not in the model.`` (open-mmlab/mmrazor#654).
   We raise a ``ValueError`` that lists the model's closest module names.
"""
import importlib.metadata
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


# --------------------------------------------------------------------------
# 1. mmrazor 1.0.0 on torch >= 2
# --------------------------------------------------------------------------
BACKEND_CONFIG_MODULE = 'mmrazor.structures.quantization.backend_config'
BACKEND_NAMES = ('academic', 'native', 'tensorrt', 'openvino')


def _quantization_unsupported(*args, **kwargs):
    raise RuntimeError(
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
    mmrazor_version = _installed_version('mmrazor')
    torch_version = _installed_version('torch')
    if mmrazor_version is None or torch_version is None:
        return False
    # mmrazor main (after 1.0.0) restricts these configs to torch 1.13.x
    # itself; only the released 1.0.0 needs the stand-in.
    if _version_tuple(mmrazor_version) > (1, 0, 0):
        return False
    if _version_tuple(torch_version) < (2, 0, 0):
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

    safe = [HistoryBuffer, ConfigDict, np.ndarray, np.dtype,
            # HistoryBuffer pickles its statistics as getattr(HistoryBuffer,
            # 'min'); a general getattr would let a pickle reach
            # __globals__/__builtins__, so only that exact lookup is allowed.
            (history_buffer_getattr, 'builtins.getattr'),
            (history_buffer_getattr, '__builtin__.getattr')]
    # numpy arrays and scalars are rebuilt through these two functions.
    try:
        from numpy.core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy >= 2 renamed numpy.core
        from numpy._core.multiarray import _reconstruct, scalar
    safe += [_reconstruct, scalar]
    # Since numpy 1.25 every dtype has its own class (np.dtypes.Float64DType).
    dtype_classes = getattr(np, 'dtypes', None)
    if dtype_classes is not None:
        safe += [getattr(dtype_classes, name) for name in dir(dtype_classes)
                 if name.endswith('DType')]
    return safe


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint asked to run code while being loaded; it was refused."""


def _refusal_message(filename, err):
    first_line = str(err).strip().splitlines()
    detail = next((ln for ln in first_line if 'GLOBAL' in ln or
                   'Unsupported' in ln), first_line[0] if first_line else '')
    return (f'Refused to load checkpoint {filename!r}: its pickle calls code '
            f'that is not a plain tensor/state-dict type ({detail.strip()}). '
            'It was not executed. Fix: re-save it as a plain state dict '
            '(torch.save(model.state_dict(), path)) from a trusted source, or '
            'if you trust this file and the type is harmless, allow-list it '
            'with torch.serialization.add_safe_globals([...]).')


def patch_safe_checkpoint_types():
    """Allow-list runner checkpoint types; clear error for the rest (patch 2)."""
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
                raise UnsafeCheckpointError(
                    _refusal_message(filename, err)) from None
            raise

    load_from_local_safely._mmkd_wrapped = True
    load_from_local_safely.__doc__ = original.__doc__
    ckpt_mod.CheckpointLoader._schemes[''] = load_from_local_safely
    _APPLIED.add('safe_checkpoint_types')
    return True


# --------------------------------------------------------------------------
# 3. torchrun on a CPU-only machine
# --------------------------------------------------------------------------
def patch_cpu_distributed():
    """Make mmengine's pytorch launcher and DDP wrapper work without CUDA."""
    import torch
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

    dist_utils._init_dist_pytorch = init_dist_pytorch

    ddp_cls = ddp_mod.MMDistributedDataParallel
    original_ddp_init = ddp_cls.__init__

    def ddp_init(self, module, detect_anomalous_params=False, **kwargs):
        params = list(module.parameters())
        on_cpu = all(p.device.type == 'cpu' for p in params) if params else True
        if on_cpu and kwargs.get('device_ids') is not None:
            # torch rejects device_ids for CPU modules.
            kwargs['device_ids'] = None
        original_ddp_init(self, module,
                          detect_anomalous_params=detect_anomalous_params,
                          **kwargs)

    ddp_cls.__init__ = ddp_init
    _APPLIED.add('cpu_distributed')
    return True


# --------------------------------------------------------------------------
# 4. recorder sources that name no module
# --------------------------------------------------------------------------
def patch_recorder_source_errors():
    """Unknown recorder sources name the closest modules (patch 4)."""
    from mmrazor.models.task_modules.recorder import \
        module_outputs_recorder as recorder_mod

    from mmkd_transfer.utils import closest_names

    recorder_cls = recorder_mod.ModuleOutputsRecorder
    original = recorder_cls.prepare_from_model
    if getattr(original, '_mmkd_wrapped', False):
        return True

    def prepare_from_model(self, model=None):
        if model is not None:
            names = [name for name, _ in model.named_modules()]
            if self.source not in names:
                close = closest_names(self.source, names)
                raise ValueError(
                    f'{type(self).__name__}: source "{self.source}" is not a '
                    f'module of {type(model).__name__}; closest names: '
                    f'{", ".join(repr(c) for c in close)}. Fix the source '
                    'in the recorder config.')
        return original(self, model)

    prepare_from_model._mmkd_wrapped = True
    recorder_cls.prepare_from_model = prepare_from_model
    return True


# --------------------------------------------------------------------------
# strict, safe teacher loading in MMRazor's single-teacher algorithms
# (kept self-contained: one function, no shared helpers)
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

    from mmrazor.models.algorithms.distill.configurable import \
        single_teacher_distill as algorithm_mod

    algorithm_cls = algorithm_mod.SingleTeacherDistill
    original = algorithm_cls.__init__
    if getattr(original, '_mmkd_wrapped', False):
        return True

    @functools.wraps(original)
    def __init__(self, distiller, teacher, teacher_ckpt=None, *args,
                 teacher_ckpt_strict=True, **kwargs):
        # build everything with no checkpoint, then load it ourselves (still
        # inside __init__, so subclasses that read teacher weights after
        # super().__init__, like OverhaulFeatureDistillation, see them)
        try:
            original(self, distiller, teacher, None, *args, **kwargs)
        except ValueError as err:
            # say whose recorder names an unknown source: student/teacher
            # models often share class names (ImageClassifier)
            owners = [
                f'{side} recorder {name!r}' for side in ('student', 'teacher')
                for name, recorder in dict(
                    distiller.get(f'{side}_recorders') or {}).items()
                if isinstance(recorder, dict)
                and f'"{recorder.get("source")}"' in str(err)
            ] if isinstance(distiller, dict) else []
            if not owners:
                raise
            raise ValueError(
                f'{type(self).__name__}, {owners[0]}: {err}') from err
        if teacher_ckpt:
            from mmkd_transfer.checkpoint_io import load_teacher_weights
            load_teacher_weights(
                self.teacher, teacher_ckpt, strict=teacher_ckpt_strict,
                what=f'the teacher of {type(self).__name__}',
                opt_out='model.teacher_ckpt_strict=False')
            # keep Runner.init_weights() from re-initialising the teacher
            self.teacher._is_init = True

    __init__._mmkd_wrapped = True
    algorithm_cls.__init__ = __init__
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
    return applied
