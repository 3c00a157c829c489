"""AFDAttentionHook: AFD's mean attention (Show, Attend and Distill; Ji, Heo,
Park; AAAI 2021) as a heat map through mmengine's visualizer."""
import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmrazor.registry import HOOKS, MODELS

import mmkd_transfer  # noqa: F401  (compat fixes, registration)
from mmkd_transfer.engine.hooks import afd_attention_hook
from mmkd_transfer.engine.hooks.afd_attention_hook import (AFDAttentionHook,
                                                           attention_heatmap,
                                                           strip_common_prefix)

BLOCKS = ['backbone.layer*.*']


def classifier(width):
    return dict(
        _scope_='mmpretrain',
        type='ImageClassifier',
        backbone=dict(
            type='ResNet_CIFAR',
            depth=18,
            stem_channels=width,
            base_channels=width,
            num_stages=2,
            strides=(1, 2),
            dilations=(1, 1),
            out_indices=(1, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='LinearClsHead',
            num_classes=3,
            in_channels=2 * width,
            loss=dict(type='CrossEntropyLoss')))


@pytest.fixture
def algorithm():
    """A tiny AFD pair (4 teacher and 4 student blocks), built by config."""
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            _scope_='mmrazor',  # whatever scope an earlier test left
            type='MultiTeacherDistill',
            architecture=classifier(4),
            teachers=dict(teacher=dict(cfg=classifier(8))),
            input_shape=(3, 8, 8),
            distiller=dict(
                type='ShapeInferringDistiller',
                student_recorders=dict(
                    blocks=dict(type='ModuleListOutputs', source=BLOCKS)),
                teacher_recorders=dict(
                    blocks=dict(
                        type='ModuleListOutputs',
                        source=[f'teacher.{b}' for b in BLOCKS])),
                distill_losses=dict(
                    loss_afd=dict(type='AFDLoss', qk_dim=8, loss_weight=1.)),
                loss_forward_mappings=dict(
                    loss_afd=dict(
                        s_features=dict(recorder='blocks', from_student=True),
                        t_features=dict(recorder='blocks',
                                        from_student=False))))))


def train_forward(alg):
    from mmpretrain.structures import DataSample
    alg.train()
    samples = [DataSample().set_gt_label(i % 3) for i in range(4)]
    return alg(torch.rand(4, 3, 8, 8), samples, mode='loss')


def fake_runner(model, visualizer, max_iters):
    return SimpleNamespace(
        model=model, visualizer=visualizer, iter=0, max_iters=max_iters)


def make_visualizer(save_dir, backends):
    from mmengine.visualization import Visualizer
    return Visualizer(
        name=f'afd_hook_test_{id(save_dir)}_{len(backends)}',
        vis_backends=[dict(type=b) for b in backends],
        save_dir=str(save_dir))


def test_heatmap_is_an_rgb_image():
    matrix = torch.tensor([[0.9, 0.1], [0.3, 0.7], [0.5, 0.5]])
    image = attention_heatmap(matrix, ['a', 'b', 'c'], ['x', 'y'], 'title')
    assert image.dtype == np.uint8 and image.ndim == 3
    assert image.shape[2] == 3 and min(image.shape[:2]) > 100
    with pytest.raises(ValueError, match='3 column labels for a 3x2'):
        attention_heatmap(matrix, None, ['x', 'y', 'z'])
    with pytest.raises(ValueError, match='matrix'):
        attention_heatmap(torch.ones(2, 2, 2))


def test_strip_common_prefix():
    assert strip_common_prefix(['backbone.layer1.0', 'backbone.layer2.1'
                                ]) == ['layer1.0', 'layer2.1']
    assert strip_common_prefix(
        ['backbone.layer1.0',
         'neck.fpn_convs.0']) == ['backbone.layer1.0', 'neck.fpn_convs.0']
    assert strip_common_prefix(['a.b.0', 'a.b.1']) == ['0', '1']
    assert strip_common_prefix(['a.b']) == ['a.b']


def test_registered_and_checks_arguments():
    # as configs write it (their default scope is the task's)
    hook = HOOKS.build(dict(type='mmrazor.AFDAttentionHook', interval=5))
    assert isinstance(hook, AFDAttentionHook) and hook.interval == 5
    with pytest.raises(ValueError, match='positive int'):
        AFDAttentionHook(interval=0)


def test_writes_png_and_tensorboard_image(algorithm, tmp_path):
    vis = make_visualizer(tmp_path,
                          ['LocalVisBackend', 'TensorboardVisBackend'])
    runner = fake_runner(algorithm, vis, max_iters=3)
    hook = AFDAttentionHook(interval=2)
    hook.before_train(runner)
    for it in range(3):
        runner.iter = it
        train_forward(algorithm)
        hook.after_train_iter(runner, it)
    # every 2 iterations and at the last one
    pngs = sorted(glob.glob(str(tmp_path / 'vis_data' / 'vis_image' / '*')))
    assert [osp.basename(p) for p in pngs] == [
        'afd_attention_loss_afd_2.png', 'afd_attention_loss_afd_3.png'
    ]
    image = cv2.imread(pngs[0])
    assert image is not None and image.shape[2] == 3
    vis.close()
    events = glob.glob(
        str(tmp_path / 'vis_data' / '**' / 'events.out.tfevents.*'),
        recursive=True)
    assert events
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    acc = EventAccumulator(osp.dirname(events[0]))
    acc.Reload()
    assert 'afd_attention_loss_afd' in acc.Tags()['images']
    steps = [e.step for e in acc.Images('afd_attention_loss_afd')]
    assert steps == [2, 3]


def test_mean_over_the_interval_and_layer_names(algorithm, monkeypatch):
    drawn = []

    def fake_heatmap(matrix, rows, cols, title, **kwargs):
        drawn.append((matrix.clone(), rows, cols))
        return np.zeros((4, 4, 3), np.uint8)

    monkeypatch.setattr(afd_attention_hook, 'attention_heatmap', fake_heatmap)
    images = []
    vis = SimpleNamespace(
        add_image=lambda name, image, step: images.append((name, step)))
    runner = fake_runner(algorithm, vis, max_iters=10)
    hook = AFDAttentionHook(interval=3)
    loss = algorithm.distiller.distill_losses['loss_afd']
    first = torch.softmax(torch.randn(2, 4, 4), dim=-1)
    second = torch.softmax(torch.randn(5, 4, 4), dim=-1)
    for it, alpha in enumerate([first, second, second]):
        runner.iter = it
        loss.last_attention = alpha
        hook.after_train_iter(runner, it)
    # the third step saw no new α (same tensor): it is not counted twice
    assert images == [('afd_attention_loss_afd', 3)]
    matrix, rows, cols = drawn[0]
    torch.testing.assert_close(matrix, (first.mean(0) + second.mean(0)) / 2)
    torch.testing.assert_close(matrix.sum(-1), torch.ones(4))
    names = ['layer1.0', 'layer1.1', 'layer2.0', 'layer2.1']
    assert rows == names and cols == names


def test_refuses_a_model_without_afd(tmp_path):
    model = MODELS.build(classifier(4))
    runner = fake_runner(model, None, max_iters=1)
    with pytest.raises(ValueError, match='no AFDLoss'):
        AFDAttentionHook().before_train(runner)


def test_unknown_loss_name(algorithm):
    runner = fake_runner(algorithm, None, max_iters=1)
    with pytest.raises(ValueError, match='loss_x'):
        AFDAttentionHook(loss_names=['loss_x']).before_train(runner)
