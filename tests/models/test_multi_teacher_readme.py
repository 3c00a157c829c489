"""Every example of configs/multi_teacher/README.md runs or is in a config."""
import copy
import re

import torch
from conftest import config_path

README = config_path('multi_teacher', 'README.md')
CONFIGS = {
    1:
    'mtkd_r18w32-32px_r18w32-8px_r18w8-8px_1xb64_digits-cls-100l.py',
    2:
    'cwd-lr-view_fcn-r18w16_fcn-r18w8-d4-32px_1xb8_digits-seg.py',
    3: ('pkd-lr-view_retinanet-r18w16_retinanet-r18w8-p2-32px_1xb8_'
        'digits-det.py'),
}


def _python_blocks():
    with open(README) as f:
        return re.findall(r'```python\n(.*?)```', f.read(), re.S)


def _digits_models():
    from mmengine.config import Config
    cfg = Config.fromfile(
        config_path('_base_', 'models', 'digits_resnet18_cifar.py'))
    return cfg.student_model.to_dict(), cfg.teacher_model.to_dict()


def _shipped_model(name):
    from mmengine.config import Config
    return Config.fromfile(config_path('multi_teacher', name)).model


def _save_random(cfg, path):
    from mmrazor.registry import MODELS
    torch.save(MODELS.build(copy.deepcopy(cfg)).state_dict(), path)


def test_readme_has_the_expected_examples():
    assert len(_python_blocks()) == 5


def test_task_excerpts_are_lines_of_the_shipped_configs():
    blocks = _python_blocks()
    for index, name in CONFIGS.items():
        with open(config_path('multi_teacher', name)) as f:
            lines = {line.strip() for line in f}
        for line in blocks[index].splitlines():
            if line.strip():
                assert line.strip() in lines, (name, line)


def test_generic_example_builds():
    from mmrazor.registry import MODELS
    student_cfg, teacher_cfg = _digits_models()
    _save_random(teacher_cfg, 'hr.pth')  # the test runs in its tmp dir
    code = re.sub(r'\n\s*\.\.\.\),[^\n]*', '),', _python_blocks()[0])
    namespace = dict(student_cfg=student_cfg, teacher_cfg=teacher_cfg)
    exec(code, namespace)
    model = MODELS.build(namespace['model'])
    assert type(model).__name__ == 'MultiTeacherDistill'
    out = model(torch.zeros(2, 3, 32, 32), mode='tensor')
    assert out.shape == (2, 10)  # the student ran at 8x8


def test_clip_example_feeds_each_teacher_its_frames():
    from mmpretrain.structures import DataSample
    from mmrazor.registry import MODELS
    student_cfg, spatial_cfg = _digits_models()
    temporal_cfg = copy.deepcopy(spatial_cfg)
    temporal_cfg['backbone']['in_channels'] = 6  # a frame pair
    _save_random(spatial_cfg, 'spatial.pth')
    _save_random(temporal_cfg, 'temporal.pth')
    namespace = dict(spatial_cfg=spatial_cfg, temporal_cfg=temporal_cfg)
    exec(f'kwargs = dict({_python_blocks()[4]})', namespace)
    # the shipped two-teacher distiller, its teacher recorders pointed at
    # this example's teachers
    distiller = _shipped_model(CONFIGS[1]).distiller.to_dict()
    distiller['teacher_recorders']['fc_hr']['source'] = 'spatial.head.fc'
    distiller['teacher_recorders']['fc_lr']['source'] = 'temporal.head.fc'
    model = MODELS.build(
        dict(
            _scope_='mmrazor',
            type='MultiTeacherDistill',
            architecture=student_cfg,
            **namespace['kwargs'],
            distiller=distiller))
    torch.manual_seed(0)
    clips = torch.randn(2, 2, 3, 64, 64)
    samples = [DataSample().set_gt_label(i) for i in range(2)]
    losses = model.train().loss(clips, samples)
    assert sorted(losses) == [
        'distill.loss_kl_hr', 'distill.loss_kl_lr', 'student.loss'
    ]
    records = model.distiller.teacher_recorders.recorders
    with torch.no_grad():
        spatial = model.teachers['spatial'](clips[:, 0], mode='tensor')
        temporal = model.teachers['temporal'](
            clips.reshape(2, 6, 64, 64), mode='tensor')
    assert torch.allclose(records['fc_hr'].data_buffer[0], spatial)
    assert torch.allclose(records['fc_lr'].data_buffer[0], temporal)


def test_clip_example_checks_channels_through_each_view():
    # the frame-pair view gives the temporal teacher 6 channels: a teacher
    # built for 3 is named, with its view, before the dry run
    import pytest
    from mmrazor.registry import MODELS
    student_cfg, spatial_cfg = _digits_models()
    namespace = dict(
        spatial_cfg=spatial_cfg, temporal_cfg=copy.deepcopy(spatial_cfg))
    exec(f'kwargs = dict({_python_blocks()[4]})', namespace)
    for spec in namespace['kwargs']['teachers'].values():
        spec['ckpt'] = None
    distiller = _shipped_model(CONFIGS[1]).distiller.to_dict()
    distiller['teacher_recorders']['fc_hr']['source'] = 'spatial.head.fc'
    distiller['teacher_recorders']['fc_lr']['source'] = 'temporal.head.fc'
    with pytest.raises(ValueError) as err:
        MODELS.build(
            dict(
                _scope_='mmrazor',
                type='MultiTeacherDistill',
                architecture=student_cfg,
                **namespace['kwargs'],
                distiller=distiller))
    message = str(err.value)
    assert ("the view of the teacher 'temporal' gives it 6-channel inputs "
            'but its first convolution (backbone.conv1) takes 3') in message
