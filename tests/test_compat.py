"""The third-party fixes in mmkd_transfer.compat, each shown to be needed."""
import os
import subprocess
import sys

import pytest
import torch

import mmkd_transfer
from mmkd_transfer import compat


def run_python(code, no_hook=False, timeout=300):
    env = dict(os.environ)
    if no_hook:
        env['MMKD_TRANSFER_NO_HOOK'] = '1'
    return subprocess.run([sys.executable, '-c', code], env=env,
                          capture_output=True, text=True, timeout=timeout)


# -- 1. mmrazor 1.0.0 on torch 2 -------------------------------------------
def test_mmrazor_fails_to_import_without_the_fix():
    result = run_python('import mmrazor.models', no_hook=True)
    assert result.returncode != 0
    assert 'torch>=1.13' in result.stderr


def test_mmrazor_imports_and_builds_after_importing_the_plugin():
    code = ('import mmkd_transfer, mmrazor.models, mmrazor.engine\n'
            'from mmrazor.registry import MODELS\n'
            'assert MODELS.get("SingleTeacherDistill") is not None\n'
            'from mmrazor.structures.quantization import BackendConfigs\n'
            'assert set(BackendConfigs.values()) == {None}\n')
    result = run_python(code, no_hook=True)
    assert result.returncode == 0, result.stderr[-2000:]


def test_import_hook_applies_fixes_before_mmrazor_is_first_imported():
    # What `mim train mmrazor CONFIG` does: mmrazor's tools/train.py imports
    # mmrazor before reading any custom_imports.
    code = ('import sys\n'
            'from mmrazor.utils import register_all_modules\n'
            'register_all_modules(False)\n'
            'assert "mmkd_transfer" in sys.modules\n')
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]


def test_quantization_standin_says_it_is_unsupported():
    from mmrazor.structures.quantization import backend_config
    assert backend_config.MMKD_TRANSFER_STANDIN
    with pytest.raises(RuntimeError, match='quantization'):
        backend_config.get_native_backend_config()


def test_patches_are_idempotent():
    first = compat.apply_all()
    second = compat.apply_all()
    assert first == second
    assert all(second.values())


# -- 2. checkpoints under weights_only=True --------------------------------
class _Payload:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


def test_crafted_checkpoint_is_refused_and_never_executed(tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint
    marker = tmp_path / 'pwned'
    bad = tmp_path / 'bad.pth'
    torch.save({'state_dict': {'w': torch.zeros(1)},
                'evil': _Payload(str(marker))}, bad)
    with pytest.raises(compat.UnsafeCheckpointError) as info:
        _load_checkpoint(str(bad), map_location='cpu')
    message = str(info.value)
    assert '\n' not in message
    assert 'not executed' in message and 'state_dict' in message
    assert not marker.exists()


def test_runner_checkpoint_types_are_refused_without_the_allow_list(
        runner_checkpoint):
    code = ('import torch\n'
            f'torch.load({str(runner_checkpoint)!r}, map_location="cpu")\n')
    result = run_python(code, no_hook=True)
    assert result.returncode != 0
    assert 'weights_only' in result.stderr


def test_runner_checkpoint_loads_safely_with_the_allow_list(
        runner_checkpoint):
    from mmengine.runner.checkpoint import _load_checkpoint
    ckpt = _load_checkpoint(str(runner_checkpoint), map_location='cpu')
    assert set(ckpt) >= {'meta', 'state_dict', 'optimizer', 'message_hub'}


def test_safe_globals_are_exact_types():
    names = {getattr(t, '__qualname__', str(t))
             for t in compat.checkpoint_safe_globals()}
    assert 'HistoryBuffer' in names and 'ConfigDict' in names
    assert not any(n in names for n in ('system', 'eval', 'exec', 'open'))


# -- 3. CPU distributed -----------------------------------------------------
def test_ddp_wrapper_accepts_cpu_module_with_device_ids():
    import torch.distributed as dist
    from mmengine.model import MMDistributedDataParallel
    assert not dist.is_initialized(), 'an earlier test left a process group'
    dist.init_process_group('gloo', init_method='tcp://127.0.0.1:29631',
                            rank=0, world_size=1)
    try:
        wrapped = MMDistributedDataParallel(
            module=torch.nn.Linear(2, 2), device_ids=[0])
        assert wrapped.device_ids is None
    finally:
        dist.destroy_process_group()


def test_plugin_version_is_in_one_place():
    from mmkd_transfer.version import __version__
    assert mmkd_transfer.__version__ == __version__
