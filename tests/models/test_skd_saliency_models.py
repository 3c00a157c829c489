"""SKD's saliency models: shapes and modes of the students and the
spatiotemporal model, the clip preprocessor, stage 2's parameter transfer
(prefix mapping, bit-identical frozen trunks, one-line errors)."""
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.structures import PixelData
from mmrazor.registry import MODELS
from mmseg.structures import SegDataSample

from mmkd_transfer.checkpoint_io import CheckpointError


def clip_batch(n=4, t=2, hw=32, seed=0):
    """``dict(inputs, data_samples)`` as the saliency datasets give it."""
    g = torch.Generator().manual_seed(seed)
    clips = [
        torch.randint(0, 256, (t, 3, hw, hw), dtype=torch.uint8, generator=g)
        for _ in range(n)
    ]
    samples = []
    for _ in range(n):
        sample = SegDataSample()
        gt = torch.rand(1, hw, hw, generator=g)
        sample.gt_saliency = PixelData(data=gt)
        sample.gt_sem_seg = PixelData(data=gt.clone())
        samples.append(sample)
    return dict(inputs=clips, data_samples=samples)


def build(cfg):
    return MODELS.build(dict(cfg, _scope_='mmrazor'))


def spatial_student(**kw):
    return build(
        dict(
            type='SKDSaliencyModel', trunk=dict(type='SKDSpatialTrunk'), **kw))


def temporal_student(**kw):
    return build(
        dict(
            type='SKDSaliencyModel', trunk=dict(type='SKDTemporalTrunk'),
            **kw))


def test_preprocessor_normalises_fills_metainfo_and_applies_its_view():
    pre = build(
        dict(
            type='SaliencyClipDataPreprocessor',
            mean=[10., 20., 30.],
            std=[2., 4., 5.],
            view=[
                dict(type='FrameView', frames=0),
                dict(type='ResolutionView', scale_factor=0.5)
            ]))
    data = clip_batch(n=2, hw=16)
    out = pre(data)
    assert out['inputs'].shape == (2, 3, 8, 8)
    plain = build(
        dict(
            type='SaliencyClipDataPreprocessor',
            mean=[10., 20., 30.],
            std=[2., 4., 5.]))(
                data)
    x = plain['inputs']
    assert x.shape == (2, 2, 3, 16, 16) and x.dtype == torch.float32
    expected = (data['inputs'][1][1, 2].float() - 30.) / 5.
    assert torch.equal(x[1, 1, 2], expected)
    assert plain['data_samples'][0].metainfo['ori_shape'] == (16, 16)


def test_preprocessor_refuses_images_and_wrong_channel_count():
    pre = build(dict(type='SaliencyClipDataPreprocessor'))
    with pytest.raises(ValueError, match=r'\(T, C, H, W\) clip'):
        pre(dict(inputs=[torch.zeros(3, 8, 8, dtype=torch.uint8)]))
    with pytest.raises(ValueError, match='one value per channel'):
        pre(dict(inputs=[torch.zeros(2, 1, 8, 8, dtype=torch.uint8)]))


@pytest.mark.parametrize('lr', [32, 24])
def test_students_give_logits_at_their_input_size(lr):
    torch.manual_seed(0)
    x = torch.randn(2, 2, 3, lr, lr)
    s, t = spatial_student().eval(), temporal_student().eval()
    assert s(x[:, 0]).shape == (2, 1, lr, lr)
    assert t(x).shape == (2, 1, lr, lr)
    assert s.trunk(x[:, 0]).shape == (2, 128, lr // 4, lr // 4)


def test_temporal_trunk_is_siamese_and_reads_the_frame_difference():
    torch.manual_seed(0)
    trunk = build(dict(type='SKDTemporalTrunk')).eval()
    x = torch.randn(2, 2, 3, 16, 16)
    # one shared stem: the same frame twice gives a zero difference, so
    # the branch sees [F_t, 0]
    same = torch.stack([x[:, 0], x[:, 0]], 1)
    f_t = trunk.stem(x[:, 0])
    expected = trunk.branch(torch.cat([f_t, torch.zeros_like(f_t)], 1))
    torch.testing.assert_close(trunk(same), expected)
    # two different frames: [F_t, F_{t+1} - F_t], sample by sample
    f_next = trunk.stem(x[:, 1])
    expected = trunk.branch(torch.cat([f_t, f_next - f_t], 1))
    torch.testing.assert_close(trunk(x), expected)
    # the temporal model uses frames 0 and 1 only
    longer = torch.cat([x, torch.randn(2, 1, 3, 16, 16)], 1)
    torch.testing.assert_close(trunk(longer), trunk(x))


def test_a_clip_too_short_for_the_temporal_models_is_a_one_line_error():
    x = torch.randn(2, 1, 3, 16, 16)
    for model in (temporal_student(),
                  build(dict(type='SKDSpatioTemporalModel'))):
        with pytest.raises(ValueError) as err:
            model(x)
        assert 'set clip_len >= 2' in str(err.value)
        assert '\n' not in str(err.value)
    with pytest.raises(ValueError, match="FrameView', frames=0"):
        spatial_student()(x)


def test_loss_and_predict_modes_score_at_the_ground_truth_size():
    torch.manual_seed(0)
    model = spatial_student(
        data_preprocessor=dict(
            type='SaliencyClipDataPreprocessor',
            view=[
                dict(type='FrameView', frames=0),
                dict(type='ResolutionView', scale_factor=0.5)
            ]))
    data = model.data_preprocessor(clip_batch(n=3, hw=32), True)
    assert data['inputs'].shape == (3, 3, 16, 16)
    losses = model(**data, mode='loss')
    logits = model(data['inputs'])  # (3, 1, 16, 16), upsampled to 32
    gt = torch.stack([s.gt_saliency.data for s in data['data_samples']])
    up = torch.nn.functional.interpolate(
        logits, size=(32, 32), mode='bilinear', align_corners=False)
    expected = (torch.sigmoid(up) - gt).pow(2).mean()
    torch.testing.assert_close(losses['loss_mse'], expected)
    model.eval()
    with torch.no_grad():
        out = model(**data, mode='predict')
    pred = out[0].pred_saliency.data
    assert pred.shape == (1, 32, 32)
    assert 0 <= float(pred.min()) and float(pred.max()) <= 1


def test_several_losses_are_summed_by_name():
    model = spatial_student(loss_saliency=[
        dict(type='SKDSaliencyMSELoss'),
        dict(type='SKDSaliencyKLLoss', loss_weight=0.5),
        dict(type='SKDSaliencyCCLoss')
    ])
    data = model.data_preprocessor(clip_batch(n=2, hw=16), True)
    losses = model(data['inputs'][:, 0], data['data_samples'], mode='loss')
    assert set(losses) == {'loss_mse', 'loss_kl', 'loss_cc'}
    assert all(torch.isfinite(v) for v in losses.values())


def test_loss_without_ground_truth_names_the_dataset():
    with pytest.raises(ValueError, match='EmbeddedSaliencyClipDataset'):
        spatial_student()(
            torch.zeros(1, 3, 8, 8), [SegDataSample()], mode='loss')


# -- stage 2: parameter transfer ------------------------------------------
def student_checkpoint(tmp_path, student, name, distilled):
    """A stage-1 checkpoint of ``student`` as the runner writes it: the
    student under ``architecture.`` when distilled, teachers beside it."""
    state = student.state_dict()
    if distilled:
        state = {f'architecture.{k}': v for k, v in state.items()}
        state['teachers.spatial.conv.weight'] = torch.zeros(1)
    path = tmp_path / f'{name}.pth'
    torch.save(dict(meta=dict(), state_dict=state), path)
    return str(path)


@pytest.fixture
def trained_students(tmp_path):
    """Two students with random (not initial) weights and BN statistics,
    saved as a distillation and a plain checkpoint."""
    torch.manual_seed(1)
    s, t = spatial_student(), temporal_student()
    for model in (s, t):
        for p in model.parameters():
            p.data.normal_()
        model.train()
        model(
            torch.randn(4, 2, 3, 16, 16)[:, 0] if model is s else torch.randn(
                4, 2, 3, 16, 16))  # moves BN statistics
    return (s, t, student_checkpoint(tmp_path, s, 'spatial', True),
            student_checkpoint(tmp_path, t, 'temporal', False))


def fusion_model(**kw):
    return build(
        dict(
            type='SKDSpatioTemporalModel',
            data_preprocessor=dict(
                type='SaliencyClipDataPreprocessor',
                view=[
                    dict(type='FrameView', frames=(0, 1)),
                    dict(type='ResolutionView', scale_factor=0.5)
                ]),
            **kw))


def test_stage2_loads_both_trunks_through_the_prefix_mapping(trained_students):
    s, t, s_ckpt, t_ckpt = trained_students
    model = fusion_model(
        trunk_checkpoints=dict(spatial=s_ckpt, temporal=t_ckpt))
    model.init_weights()
    for trunk, student in ((model.spatial_trunk, s), (model.temporal_trunk,
                                                      t)):
        mine, theirs = trunk.state_dict(), student.trunk.state_dict()
        assert mine.keys() == theirs.keys()
        for key in mine:
            assert torch.equal(mine[key], theirs[key]), key


def test_stage2_trains_the_fusion_head_only_and_keeps_trunks_bit_identical(
        trained_students):
    _, _, s_ckpt, t_ckpt = trained_students
    model = fusion_model(
        trunk_checkpoints=dict(spatial=s_ckpt, temporal=t_ckpt))
    model.init_weights()
    model.train()
    trunks = {
        k: v.clone()
        for k, v in model.state_dict().items() if 'trunk.' in k
    }
    head = {
        k: v.clone()
        for k, v in model.state_dict().items() if k.startswith('fusion_head.')
    }
    # frozen: no gradient, BN in eval mode even after train()
    assert not any(p.requires_grad for p in model.trunk_parameters())
    assert not model.spatial_trunk.training
    assert not model.temporal_trunk.training
    assert model.fusion_head.training
    optim = OptimWrapper(
        torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1))
    for seed in range(3):
        model.train_step(clip_batch(n=4, hw=32, seed=seed), optim)
    assert all(p.grad is None for p in model.trunk_parameters())
    after = model.state_dict()
    for key, value in trunks.items():
        assert torch.equal(after[key], value), key  # incl. BN statistics
    assert any(not torch.equal(after[k], v) for k, v in head.items())


def test_stage2_refuses_a_missing_checkpoint_in_one_line(tmp_path):
    model = fusion_model(
        trunk_checkpoints=dict(spatial=str(tmp_path / 'none.pth')))
    with pytest.raises(CheckpointError) as err:
        model.init_weights()
    message = str(err.value)
    assert message.startswith('model.trunk_checkpoints.spatial: ')
    assert 'does not exist' in message and '\n' not in message


def test_stage2_refuses_a_swapped_student_naming_its_keys(trained_students):
    _, _, s_ckpt, t_ckpt = trained_students
    # the temporal student's trunk where the spatial one belongs: the branch
    # reads 2x64 channels, not 64
    model = fusion_model(trunk_checkpoints=dict(spatial=t_ckpt))
    with pytest.raises(CheckpointError) as err:
        model.init_weights()
    message = str(err.value)
    assert 'mis-shaped' in message
    assert 'spatial_trunk.branch.0.weight' in message
    assert 'model.trunk_checkpoints.spatial' in message
    assert '\n' not in message


def test_stage2_refuses_other_widths_with_missing_and_unexpected_keys(
        tmp_path):
    other = build(
        dict(
            type='SKDSaliencyModel',
            trunk=dict(type='SKDSpatialTrunk', stem_channels=(8, 8, 16, 32))))
    state = {
        k.replace('stem.layers.5', 'stem.extra'): v
        for k, v in other.state_dict().items()
    }
    path = tmp_path / 'other.pth'
    torch.save(state, path)
    model = fusion_model(trunk_checkpoints=dict(spatial=str(path)))
    with pytest.raises(CheckpointError) as err:
        model.init_weights()
    message = str(err.value)
    assert "missing keys (first: ['spatial_trunk.stem.layers.5" in message
    assert "unexpected keys (first: ['spatial_trunk.stem.extra" in message


def test_stage2_refuses_a_checkpoint_without_a_trunk(tmp_path):
    path = tmp_path / 'teacher.pth'
    torch.save({'backbone.conv.weight': torch.zeros(1)}, path)
    model = fusion_model(trunk_checkpoints=dict(temporal=str(path)))
    with pytest.raises(CheckpointError, match='has no student trunk'):
        model.init_weights()


def test_stage2_refuses_unknown_trunk_names():
    with pytest.raises(ValueError, match='unknown keys'):
        fusion_model(trunk_checkpoints=dict(spacial='x.pth'))
