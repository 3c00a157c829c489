"""The third-party fixes in mmkd_transfer.compat, each shown to be needed."""
import importlib.util
import os
import os.path as osp
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
    return subprocess.run([sys.executable, '-c', code],
                          env=env,
                          capture_output=True,
                          text=True,
                          timeout=timeout)


def assert_fails_without_the_fixes(code, error_text):
    """``code`` fails in a fresh interpreter that never imports the plugin,
    with ``error_text`` in its error output."""
    result = run_python(code, no_hook=True)
    assert result.returncode != 0
    assert error_text in result.stderr


def assert_runs(code, no_hook=False):
    """``code`` succeeds in a fresh interpreter (its stderr shown if not)."""
    result = run_python(code, no_hook=no_hook)
    assert result.returncode == 0, result.stderr[-2000:]


# -- 1. mmrazor 1.0.0 on torch 2 -------------------------------------------
def test_mmrazor_fails_to_import_without_the_fix():
    assert_fails_without_the_fixes('import mmrazor.models', 'torch>=1.13')


def test_mmrazor_imports_and_builds_after_importing_the_plugin():
    code = ('import mmkd_transfer, mmrazor.models, mmrazor.engine\n'
            'from mmrazor.registry import MODELS\n'
            'assert MODELS.get("SingleTeacherDistill") is not None\n'
            'from mmrazor.structures.quantization import BackendConfigs\n'
            'assert set(BackendConfigs.values()) == {None}\n')
    assert_runs(code, no_hook=True)


def test_import_hook_applies_fixes_before_mmrazor_is_first_imported():
    # What `mim train mmrazor CONFIG` does: mmrazor's tools/train.py imports
    # mmrazor before reading any custom_imports.
    code = ('import sys\n'
            'from mmrazor.utils import register_all_modules\n'
            'register_all_modules(False)\n'
            'assert "mmkd_transfer" in sys.modules\n')
    assert_runs(code)


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
    torch.save(
        {
            'state_dict': {
                'w': torch.zeros(1)
            },
            'evil': _Payload(str(marker))
        }, bad)
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
    assert_fails_without_the_fixes(code, 'weights_only')


def test_runner_checkpoint_loads_safely_with_the_allow_list(runner_checkpoint):
    from mmengine.runner.checkpoint import _load_checkpoint
    ckpt = _load_checkpoint(str(runner_checkpoint), map_location='cpu')
    assert set(ckpt) >= {'meta', 'state_dict', 'optimizer', 'message_hub'}


def test_safe_globals_are_exact_types():
    names = {
        getattr(t, '__qualname__', str(t))
        for t in compat.checkpoint_safe_globals()
    }
    assert 'HistoryBuffer' in names and 'ConfigDict' in names
    assert not any(n in names for n in ('system', 'eval', 'exec', 'open'))


# -- 3. CPU distributed -----------------------------------------------------
@pytest.fixture
def process_group():
    import torch.distributed as dist
    assert not dist.is_initialized(), 'an earlier test left a process group'
    dist.init_process_group(
        'gloo', init_method='tcp://127.0.0.1:29631', rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_ddp_wrapper_accepts_cpu_module_with_device_ids(process_group):
    from mmengine.model import MMDistributedDataParallel
    wrapped = MMDistributedDataParallel(
        module=torch.nn.Linear(2, 2), device_ids=[0])
    assert wrapped.device_ids is None


def test_ddp_wrapper_refuses_cpu_module_with_device_ids_without_the_fix(
        process_group):
    from mmengine.model import MMDistributedDataParallel as DDP
    original_init = DDP.__init__._mmkd_original
    with pytest.raises(ValueError, match='device_ids'):
        original_init(DDP.__new__(DDP), torch.nn.Linear(2, 2), device_ids=[0])


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='shows the CPU-only failure')
def test_pytorch_launcher_needs_cuda_without_the_fix(monkeypatch):
    from mmengine.dist import utils as dist_utils
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.setenv('RANK', '0')
    original = dist_utils._init_dist_pytorch._mmkd_original
    with pytest.raises((AssertionError, RuntimeError), match='CUDA|NVIDIA'):
        original('gloo')


def test_cpu_distributed_patch_leaves_newer_mmengine_alone(monkeypatch):
    monkeypatch.setattr(compat, '_installed_version', lambda name: '0.10.8'
                        if name == 'mmengine' else None)
    assert compat.patch_cpu_distributed() is False


# -- 4. recorder sources ----------------------------------------------------
class _Net(torch.nn.Module):

    def __init__(self):
        super().__init__()
        self.backbone = torch.nn.Linear(2, 2)
        self.neck = torch.nn.Linear(2, 2)


@pytest.mark.parametrize('recorder_type',
                         ['ModuleOutputsRecorder', 'ModuleInputsRecorder'])
def test_unknown_recorder_source_keeps_mmrazor_contract(recorder_type):
    from mmrazor.registry import TASK_UTILS
    recorder = TASK_UTILS.build(
        dict(type=recorder_type, source='nekc', _scope_='mmrazor'))
    with pytest.raises(AssertionError) as info:  # what MMRazor raised
        recorder.initialize(_Net())
    err = info.value
    assert isinstance(err, ValueError)
    message = str(err)
    assert message.startswith('"nekc" is not in the model.')  # its words
    assert "closest names: 'neck'" in message and '\n' not in message


def test_unknown_recorder_source_names_nothing_without_the_fix():
    from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder
    original = ModuleOutputsRecorder.prepare_from_model._mmkd_original
    with pytest.raises(AssertionError) as info:
        original(ModuleOutputsRecorder('nekc'), _Net())
    assert not isinstance(info.value, ValueError)
    assert str(info.value) == '"nekc" is not in the model.'


def test_recorder_patch_leaves_newer_mmrazor_alone(monkeypatch):
    monkeypatch.setattr(compat, '_installed_version', lambda name: '1.1.0'
                        if name == 'mmrazor' else None)
    assert compat.patch_recorder_source_errors() is False


def test_known_recorder_source_still_records():
    from mmrazor.models.task_modules.recorder import ModuleOutputsRecorder
    recorder = ModuleOutputsRecorder('neck')
    net = _Net()
    recorder.initialize(net)
    with recorder:
        out = net.neck(torch.ones(1, 2))
    assert torch.equal(recorder.get_record_data(), out)


# -- 5. mmcls 1.x projects on mmpretrain ------------------------------------
MMRAZOR_KD_CLS = osp.join(
    osp.dirname(importlib.util.find_spec('mmrazor').origin), '.mim', 'configs',
    'distill', 'mmcls', 'kd', 'kd_logits_resnet34_resnet18_8xb32_in1k.py')


def test_mmcls_configs_fail_to_load_without_the_fix():
    code = ('from mmengine.config import Config\n'
            f'Config.fromfile({MMRAZOR_KD_CLS!r})\n')
    assert_fails_without_the_fixes(code, 'mmcls is not installed')


def test_mmcls_configs_load_under_the_import_hook():
    # What MMRazor's tools/train.py does (mim train mmrazor CONFIG): import
    # mmrazor, then read the config; nothing imports the plugin by hand.
    code = ('import sys\n'
            'from mmrazor.utils import register_all_modules\n'
            'from mmengine.config import Config\n'
            f'cfg = Config.fromfile({MMRAZOR_KD_CLS!r})\n'
            'assert "mmkd_transfer" in sys.modules\n'
            'assert cfg.default_scope == "mmpretrain"\n')
    assert_runs(code)


def test_mmcls_base_configs_load_from_mmpretrain():
    from mmengine.config import Config
    cfg = Config.fromfile(MMRAZOR_KD_CLS)
    # mmcls::_base_/default_runtime.py is now mmpretrain's
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.visualizer.type == 'UniversalVisualizer'
    assert cfg.train_dataloader.dataset.type == 'ImageNet'
    assert cfg.model.architecture.cfg_path == \
        'mmcls::resnet/resnet18_8xb32_in1k.py'


def test_renamed_mmcls_config_loads_the_mmpretrain_file(tmp_path):
    from mmengine.config import Config
    derived = tmp_path / 'derived.py'
    derived.write_text(
        "_base_ = ['mmcls::deit/deit-base_pt-16xb64_in1k.py']\n")
    cfg = Config.fromfile(str(derived))
    assert cfg.model.backbone.type == 'VisionTransformer'
    assert cfg.model.backbone.arch == 'deit-base'
    assert compat.mmcls_cfg_path_to_mmpretrain(
        'mmcls::deit/deit-base_pt-16xb64_in1k.py') == \
        'mmpretrain::deit/deit-base_16xb64_in1k.py'
    assert compat.mmcls_cfg_path_to_mmpretrain('mmdet::a/b.py') == \
        'mmdet::a/b.py'


def test_mmcls_cfg_path_builds_the_mmpretrain_model():
    from mmpretrain.models import ImageClassifier, ResNet_CIFAR
    from mmrazor.registry import MODELS
    model = MODELS.build(
        dict(
            cfg_path='mmcls::resnet/resnet18_8xb16_cifar10.py',
            pretrained=False))
    assert type(model) is ImageClassifier
    assert type(model.backbone) is ResNet_CIFAR


def test_mmcls_is_never_pip_installed():
    from mmengine.hub import hub
    with pytest.raises(ModuleNotFoundError, match='not installed on demand'):
        hub.install_package('mmcls')


def test_mmcls_scope_means_mmpretrain():
    import mmpretrain.models as pt_models
    from mmengine.registry import MODELS as ROOT_MODELS
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS
    head = ROOT_MODELS.build(
        dict(
            type='LinearClsHead',
            num_classes=3,
            in_channels=4,
            _scope_='mmcls'))
    assert type(head) is pt_models.LinearClsHead
    assert MODELS.get('mmcls.ResNet_CIFAR') is pt_models.ResNet_CIFAR
    with DefaultScope.overwrite_default_scope('mmcls'):
        assert DefaultScope.get_current_instance().scope_name == 'mmpretrain'


def test_mmcls_type_names_build_the_renamed_mmpretrain_classes():
    from mmengine.registry import TRANSFORMS
    from mmpretrain.datasets.transforms import PackInputs
    from mmpretrain.models.utils import ClsDataPreprocessor
    from mmpretrain.registry import VISUALIZERS
    from mmpretrain.visualization import UniversalVisualizer
    pack = TRANSFORMS.build(dict(type='PackClsInputs', _scope_='mmcls'))
    assert type(pack) is PackInputs
    assert VISUALIZERS.get('ClsVisualizer') is UniversalVisualizer
    assert VISUALIZERS.get('mmcls.ClsVisualizer') is UniversalVisualizer
    # kept its name in mmpretrain: found through the scope alone
    from mmrazor.registry import MODELS
    assert MODELS.get('mmcls.ClsDataPreprocessor') is ClsDataPreprocessor


def test_classifier_finds_its_default_preprocessor_from_mmrazor_scope():
    # MMRazor's BYOT config builds mmcls.ImageClassifier inside a mmrazor
    # algorithm, without a data preprocessor type.
    from mmengine.registry import DefaultScope
    from mmpretrain.models import ClsDataPreprocessor, ImageClassifier
    from mmrazor.registry import MODELS
    backbone = dict(type='mmcls.ResNet_CIFAR', depth=18)
    with DefaultScope.overwrite_default_scope('mmrazor'):
        model = MODELS.build(
            dict(type='mmcls.ImageClassifier', backbone=backbone))
        assert type(model.data_preprocessor) is ClsDataPreprocessor
        # mmpretrain alone looks the bare name up in the mmrazor registry
        original_init = ImageClassifier.__init__._mmkd_original
        with pytest.raises(KeyError, match='ClsDataPreprocessor'):
            original_init(ImageClassifier.__new__(ImageClassifier), backbone)


def test_kd_soft_ce_loss_uses_mmpretrain_soft_cross_entropy():
    from mmrazor.models import KDSoftCELoss
    torch.manual_seed(0)
    student, teacher = torch.randn(4, 5), torch.randn(4, 5)
    loss = KDSoftCELoss(tau=2.0, loss_weight=1.0)(student, teacher)
    # soft cross-entropy of the tempered distributions, times tau ** 2
    soft_t = torch.softmax(teacher / 2.0, dim=1)
    expected = -(soft_t * torch.log_softmax(student / 2.0, dim=1)).sum(1)
    assert torch.allclose(loss, expected.mean() * 4.0, atol=1e-6)


def test_pack_crd_cls_inputs_packs_mmpretrain_data_samples():
    import numpy as np
    from mmpretrain.structures import DataSample
    from mmrazor.datasets.transforms import formatting
    from mmrazor.registry import TRANSFORMS
    assert formatting.PackClsInputs.__module__.startswith('mmpretrain')
    pack = TRANSFORMS.build(dict(type='PackCRDClsInputs', _scope_='mmrazor'))
    img = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    out = pack(
        dict(
            img=img,
            gt_label=3,
            sample_idx=7,
            contrast_sample_idxs=np.array([1, 2])))
    assert torch.equal(out['inputs'], torch.from_numpy(img).permute(2, 0, 1))
    sample = out['data_samples']
    assert isinstance(sample, DataSample)
    assert sample.gt_label.tolist() == [3]
    assert sample.sample_idx.item() == 7
    assert sample.contrast_sample_idxs.tolist() == [1, 2]


def test_mmrazor_classes_on_mmcls_bases_get_the_mmpretrain_bases():
    from mmpretrain.models import ImageClassifier, VisionTransformerClsHead
    from mmrazor.models.architectures.classifiers import \
        SearchableImageClassifier
    from mmrazor.models.architectures.heads import DeiTClsHead
    from mmrazor.models.task_modules.tracer.loss_calculator import \
        image_classifier_loss_calculator as calculator
    assert issubclass(SearchableImageClassifier, ImageClassifier)
    assert calculator.ImageClassifier is ImageClassifier
    head = DeiTClsHead(num_classes=3, in_channels=8)
    assert isinstance(head, VisionTransformerClsHead)
    cls_token, dist_token = torch.randn(2, 8), torch.randn(2, 8)
    scores = head([(None, cls_token, dist_token)])
    assert torch.allclose(scores, head.layers.head(cls_token))


def test_mmcls_demo_inputs_use_mmpretrain():
    from mmpretrain.models import ImageClassifier
    from mmpretrain.structures import DataSample
    from mmrazor.models.task_modules.demo_inputs import (DefaultMMClsDemoInput,
                                                         defaul_demo_inputs)
    from mmrazor.models.task_modules.demo_inputs.default_demo_inputs import \
        get_default_demo_input_class
    model = ImageClassifier(
        backbone=dict(type='mmpretrain.ResNet_CIFAR', depth=18),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(
            type='mmpretrain.LinearClsHead', num_classes=10, in_channels=512),
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'))
    assert get_default_demo_input_class(model, None) is DefaultMMClsDemoInput
    data = defaul_demo_inputs(model, (2, 3, 16, 16), training=True)
    assert data['inputs'].shape == (2, 3, 16, 16)
    assert all(isinstance(s, DataSample) for s in data['data_samples'])
    assert [s.gt_label.item() for s in data['data_samples']] == [1, 1]


def test_recorders_and_deliveries_find_mmcls_paths_in_mmpretrain():
    import mmpretrain.models.losses.cross_entropy_loss as ce
    from mmrazor.models.task_modules.delivery import FunctionOutputsDelivery
    from mmrazor.models.task_modules.recorder import FunctionOutputsRecorder
    path = 'mmcls.models.losses.cross_entropy_loss.soft_cross_entropy'
    original = ce.soft_cross_entropy
    recorder = FunctionOutputsRecorder(path)
    recorder.initialize()
    pred, label = torch.randn(2, 3), torch.softmax(torch.randn(2, 3), 1)
    with recorder:
        out = ce.soft_cross_entropy(pred, label)
    assert torch.equal(recorder.get_record_data(), out)
    delivery = FunctionOutputsDelivery(max_keep_data=1, func_path=path)
    with delivery:
        assert ce.soft_cross_entropy is not original
    assert ce.soft_cross_entropy is original
    # a method path: module, class, method
    from mmpretrain.models.heads import ClsHead
    from mmrazor.models.task_modules.delivery import MethodOutputsDelivery
    method = ClsHead.pre_logits
    delivery = MethodOutputsDelivery(
        max_keep_data=1, method_path='mmcls.models.heads.ClsHead.pre_logits')
    with delivery:
        assert ClsHead.pre_logits is not method
    assert ClsHead.pre_logits is method


def test_mmcls_patch_only_without_mmcls(monkeypatch):
    import importlib.util
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        if name == 'mmcls':
            return real_find_spec('json')  # any spec: "mmcls is installed"
        return real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, 'find_spec', find_spec)
    assert compat.mmcls_is_replaced_by_mmpretrain() is False
    assert compat.patch_mmcls_to_mmpretrain() is False


def test_wrappers_wrap_once():
    from mmengine.config import config as config_mod
    from mmengine.registry import Registry
    compat.apply_all()
    for func in (config_mod._get_package_and_cfg_path,
                 Registry.import_from_location, Registry.split_scope_key):
        assert func._mmkd_wrapped
        assert not getattr(func._mmkd_original, '_mmkd_wrapped', False)


def test_plugin_version_is_in_one_place():
    from mmkd_transfer.version import __version__
    assert mmkd_transfer.__version__ == __version__
