"""An LR student behind a ResolutionView gets the losses of the same model
fed pre-resized data: classification, segmentation, detection."""
import copy

import pytest
import torch
import torch.nn.functional as F
from conftest import config_path


@pytest.fixture
def task_scope(request):
    """The task's default scope for this test only (not left behind)."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope(request.param):
        yield request.param


def _cfg(*parts):
    from mmengine.config import Config
    return Config.fromfile(config_path(*parts))


def _algo(student, teacher, student_view, preprocessor=None):
    from mmrazor.registry import MODELS
    return MODELS.build(
        dict(
            _scope_='mmrazor',
            type='MultiTeacherDistill',
            architecture=copy.deepcopy(student),
            # None: the student's own (the seg/det KD configs do this)
            data_preprocessor=copy.deepcopy(preprocessor),
            # a teacher that only runs (its records are not used here)
            teachers=dict(
                t_hr=dict(cfg=copy.deepcopy(teacher), mode='tensor')),
            student_view=student_view,
            distiller=dict(type='ConfigurableDistiller'))).eval()


def _task_batch(algo, dataset_cfg, img_size, n=2):
    """``n`` samples of a task dataset at ``img_size``, preprocessed."""
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import DATASETS
    cfg = copy.deepcopy(dataset_cfg)
    for step in cfg['pipeline']:
        if step['type'] == 'Resize':
            step['scale'] = (img_size, img_size)
    dataset = DATASETS.build(cfg)
    batch = pseudo_collate([dataset[i] for i in range(n)])
    data = algo.data_preprocessor(batch, True)
    return data['inputs'], data['data_samples']


def _student_losses(losses):
    return {
        k[len('student.'):]: v
        for k, v in losses.items() if k.startswith('student.')
    }


def _assert_same_losses(got, ref):
    assert sorted(got) == sorted(ref) and got
    for key in ref:
        assert torch.equal(
            torch.as_tensor(got[key]).float(),
            torch.as_tensor(ref[key]).float()), key


def test_cls_lr_student_equals_model_on_pre_resized_batch():
    cfg = _cfg('kd', 'kd_logits_r18w32_r18w8_1xb64_digits-cls-100l.py')
    preprocessor = dict(
        cfg.data_preprocessor, type='mmpretrain.ClsDataPreprocessor')
    algo = _algo(cfg.model.architecture, cfg.model.teachers.teacher.cfg,
                 dict(type='ResolutionView', size=8), preprocessor)
    from mmengine.dataset import pseudo_collate

    from mmkd_transfer.datasets.digits_cls_dataset import DigitsClsDataset
    ds = DigitsClsDataset(
        split='train',
        img_size=32,
        pipeline=[dict(type='mmpretrain.PackInputs')])
    data = algo.data_preprocessor(
        pseudo_collate([ds[i] for i in range(4)]), True)
    inputs, samples = data['inputs'], data['data_samples']
    lr = F.interpolate(
        inputs,
        size=(8, 8),
        mode='bilinear',
        align_corners=False,
        antialias=True)
    _assert_same_losses(
        _student_losses(algo.loss(inputs, samples)),
        algo.student.loss(lr, samples))
    # predict runs the student on its view too
    ref = algo.student(lr, copy.deepcopy(samples), mode='predict')
    got = algo(inputs, copy.deepcopy(samples), mode='predict')
    assert all(
        torch.equal(a.pred_score, b.pred_score) for a, b in zip(got, ref))


@pytest.mark.parametrize('task_scope', ['mmseg'], indirect=True)
@pytest.mark.parametrize('seg_target', ['keep', 'resize'])
def test_seg_lr_student_scored_against_hr_or_resized_map(
        seg_target, task_scope):
    model = _cfg('_base_', 'models', 'digits_fcn_r18.py')
    data = _cfg('_base_', 'datasets', 'digits_seg.py')
    algo = _algo(
        model.seg_student_model, model.seg_teacher_model,
        dict(type='ResolutionView', scale_factor=0.5, seg_target=seg_target))
    inputs, samples = _task_batch(algo, data.train_dataloader.dataset, 64)
    assert inputs.shape[-2:] == (64, 64)
    lr = F.interpolate(
        inputs,
        size=(32, 32),
        mode='bilinear',
        align_corners=False,
        antialias=True)
    if seg_target == 'keep':
        # mmseg resizes the LR logits to the 64x64 ground truth
        ref_samples = samples
    else:
        # the ground truth of the pipeline run at 32x32 (nearest resize),
        # without the preprocessor's padding to size=(64, 64)
        from mmengine.structures import PixelData
        _, padded = _task_batch(algo, data.train_dataloader.dataset, 32)
        _, viewed = algo.student_batch(inputs, samples)
        ref_samples = []
        for got, ref in zip(viewed, padded):
            ref = ref.new()
            ref.gt_sem_seg = PixelData(data=ref.gt_sem_seg.data[:, :32, :32])
            assert torch.equal(got.gt_sem_seg.data, ref.gt_sem_seg.data)
            assert got.img_shape == ref.img_shape == (32, 32)
            ref_samples.append(ref)
    ref = algo.student.loss(lr, ref_samples)
    _assert_same_losses(_student_losses(algo.loss(inputs, samples)), ref)
    assert samples[0].gt_sem_seg.data.shape[-2:] == (64, 64)  # not mutated


@pytest.mark.parametrize('task_scope', ['mmdet'], indirect=True)
def test_det_lr_student_equals_model_on_pre_resized_data(task_scope):
    model = _cfg('_base_', 'models', 'digits_retinanet_r18.py')
    data = _cfg('_base_', 'datasets', 'digits_det.py')
    algo = _algo(model.det_student_model, model.det_teacher_model,
                 dict(type='ResolutionView', scale_factor=0.5))
    inputs, samples = _task_batch(algo, data.train_dataloader.dataset, 64)
    # the same images through mmdet's pipeline at 32x32: boxes and metadata
    # as mmdet's Resize + DetDataPreprocessor make them
    _, ref_samples = _task_batch(algo, data.train_dataloader.dataset, 32)
    lr, viewed = algo.student_batch(inputs, samples)
    assert lr.shape[-2:] == (32, 32)
    for got, ref, hr in zip(viewed, ref_samples, samples):
        # (DetDataPreprocessor turns HorizontalBoxes into tensors)
        boxes = got.gt_instances.bboxes
        assert torch.equal(boxes, ref.gt_instances.bboxes)
        assert torch.equal(boxes, hr.gt_instances.bboxes / 2)
        for key in ('img_shape', 'pad_shape', 'batch_input_shape',
                    'scale_factor', 'ori_shape'):
            assert tuple(got.metainfo[key]) == pytest.approx(
                tuple(ref.metainfo[key])), key
    ref = algo.student.loss(lr, ref_samples)
    _assert_same_losses(_student_losses(algo.loss(inputs, samples)), ref)
