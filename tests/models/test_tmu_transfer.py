"""TMUTransferDistill: sources share the target's sampling mask, the memory
loss trains the distillers, the reversed second step, strict source
checkpoints, memory norms over long rollouts and the bad-input errors."""
import copy

import pytest
import torch
from conftest import TINY_PREDICTOR
from mmengine.optim import OptimWrapper
from mmrazor.registry import MODELS

from mmkd_transfer.models import StepMemoriesRecorder, TMUTransferDistill
from mmkd_transfer.models.predictors import sampling_mask

PREDICTOR = dict(
    TINY_PREDICTOR,
    pred_frames=4,
    # a ratio of 0.5 at every iteration: masks differ between iterations
    sampling_start=0.5,
    sampling_step=0.0,
    sampling_seed=7)


def distiller_cfg(sources=('src_a', 'src_b'), loss_weight=1.0, **mapping):
    entry = dict(record_idx=None, **mapping)
    return dict(
        type='ConfigurableDistiller',
        student_recorders=dict(
            memories=dict(type='StepMemories', source='cells.0.distillers.*')),
        teacher_recorders=dict(
            memories=dict(
                type='StepMemories', source=[f'{s}.cells.0'
                                             for s in sources])),
        distill_losses=dict(
            loss_mem=dict(type='TMUMemoryLoss', loss_weight=loss_weight)),
        loss_forward_mappings=dict(
            loss_mem=dict(
                distilled=dict(
                    recorder='memories', from_student=True, **entry),
                source_memories=dict(
                    recorder='memories', from_student=False, **entry))))


def transfer_cfg(num_sources=2, target=None, source=None, **kwargs):
    names = ['src_a', 'src_b', 'src_c'][:num_sources]
    source = dict(PREDICTOR, type='ConvLSTMPredictor', **(source or {}))
    cfg = dict(
        type='TMUTransferDistill',
        architecture=dict(
            PREDICTOR, type='TMUPredictor', num_sources=num_sources),
        teachers={n: dict(cfg=copy.deepcopy(source))
                  for n in names},
        distiller=distiller_cfg(names),
        input_shape=(7, 1, 8, 8))
    cfg['architecture'].update(target or {})
    cfg.update(kwargs)
    return cfg


def build(**kwargs):
    torch.manual_seed(0)
    return MODELS.build(transfer_cfg(**kwargs))


def clips(n=2, t=7, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, t, 1, 8, 8, generator=g)


def capture_masks(model):
    """Every mask the target and the sources are called with, in order."""
    seen = []

    def hook(name):

        def pre_hook(module, args, kwargs):
            seen.append((name, kwargs.get('mask'), args[0].clone()))

        return pre_hook

    model.student.register_forward_pre_hook(hook('target'), with_kwargs=True)
    for name, source in model.teachers.items():
        source.register_forward_pre_hook(hook(name), with_kwargs=True)
    return seen


# ---------------------------------------------------------------- masks
def test_sources_get_the_targets_mask_at_every_iteration():
    model = build(reverse_second_step=False)
    seen = capture_masks(model)
    optim = OptimWrapper(torch.optim.Adam(model.student.parameters()))
    masks = []
    for iteration in range(3):
        seen.clear()
        model.train_step(dict(inputs=clips(seed=iteration)), optim)
        assert [s[0] for s in seen] == ['src_a', 'src_b', 'target']
        expected = sampling_mask(iteration, 2, 4, start=0.5, step=0.0, seed=7)
        for name, mask, inputs in seen:
            assert torch.equal(mask, expected), name
            assert torch.equal(inputs, clips(seed=iteration)), name
        masks.append(expected)
    assert int(model.student.sampling_iteration) == 3
    # the masks are not trivially equal across iterations
    assert not all(torch.equal(masks[0], m) for m in masks[1:])


def test_reversed_second_step_reuses_the_mask_on_reversed_clips():
    model = build(reverse_second_step=True)
    seen = capture_masks(model)
    optim = OptimWrapper(torch.optim.Adam(model.student.parameters()))
    before = copy.deepcopy(model.student.state_dict())
    x = clips()
    log = model.train_step(dict(inputs=x), optim)
    assert [s[0] for s in seen] == ['src_a', 'src_b', 'target'] * 2
    expected = sampling_mask(0, 2, 4, start=0.5, step=0.0, seed=7)
    for _, mask, _ in seen:
        assert torch.equal(mask, expected)
    for _, _, inputs in seen[:3]:
        assert torch.equal(inputs, x)
    for _, _, inputs in seen[3:]:
        assert torch.equal(inputs, x.flip(1))
    # one iteration: the counter advances once, the optimizer steps twice
    assert int(model.student.sampling_iteration) == 1
    state = optim.optimizer.state
    assert {int(s['step']) for s in state.values()} == {2}
    assert not torch.equal(before['cells.0.conv.0.weight'],
                           model.student.state_dict()['cells.0.conv.0.weight'])
    assert set(log) == {
        'loss', 'student.loss', 'distill.loss_mem', 'distill.mem_mse'
    }
    assert all(torch.isfinite(v) and not v.requires_grad for v in log.values())


def test_sources_stay_frozen_and_only_the_target_learns():
    model = build(reverse_second_step=False)
    sources = copy.deepcopy(model.teachers.state_dict())
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    model.train()
    assert not any(t.training for t in model.teachers.values())
    model.train_step(dict(inputs=clips()), optim)
    for key, value in model.teachers.state_dict().items():
        assert torch.equal(value, sources[key]), key
    assert all(not p.requires_grad for p in model.teachers.parameters())


# ------------------------------------------------------------ the loss
def test_memory_loss_falls_when_optimised():
    model = build(reverse_second_step=False)
    optim = torch.optim.Adam(model.student.parameters(), lr=1e-2)
    x = clips(n=4)
    values = []
    for _ in range(12):
        model.student.sampling_iteration.zero_()  # same mask every step
        losses = model.loss(x)
        optim.zero_grad()
        losses['distill.loss_mem'].backward()
        optim.step()
        values.append(losses['distill.mem_mse'].item())
    assert values[-1] < 0.5 * values[0], values
    assert all(b < a for a, b in zip(values[:4], values[1:5])), values


def test_lambda_zero_logs_the_memory_loss_without_training_it():
    cfg = transfer_cfg(reverse_second_step=False)
    cfg['distiller']['distill_losses']['loss_mem']['loss_weight'] = 0.0
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    losses = model.loss(clips())
    assert losses['distill.loss_mem'].item() == 0.0
    assert losses['distill.mem_mse'].item() > 0
    # the total the optimizer sees is the target's own loss
    total, _ = model.parse_losses(losses)
    assert total.item() == pytest.approx(losses['student.loss'].item())


def test_distiller_memories_match_the_cells_at_every_step():
    model = build(reverse_second_step=False)
    # an independent recorder of the sources' C_t
    check = StepMemoriesRecorder(['src_a.cells.0', 'src_b.cells.0'])
    check.initialize(model.teachers)
    with check:
        model.loss(clips())
    distiller = model.distiller
    got = distiller.get_record('memories', False, record_idx=None)
    want = check.get_record_data(None)
    assert [g.shape for g in got] == [(6, 2, 4, 4, 4)] * 2
    for g, w in zip(got, want):
        assert torch.equal(g, w)
    distilled = distiller.get_record('memories', True, record_idx=None)
    assert [d.shape for d in distilled] == [(6, 2, 4, 4, 4)] * 2


# ------------------------------------------------------- memory norms
@pytest.mark.parametrize('memory_mix', [None, 'mean', 'sum'])
def test_memory_norms_over_a_200_step_rollout(memory_mix):
    torch.manual_seed(0)
    # None: the default, 'mean'
    mix = {} if memory_mix is None else dict(memory_mix=memory_mix)
    model = MODELS.build(
        dict(
            type='TMUPredictor',
            num_sources=2,
            **mix,
            **dict(PREDICTOR, input_frames=100, pred_frames=101)))
    assert model.memory_mix == (memory_mix or 'mean')
    recorder = StepMemoriesRecorder('cells.0')  # C_t after the mix
    recorder.initialize(model)
    with torch.no_grad(), recorder:
        model(clips(t=201), mode='tensor', mask=torch.ones(2, 100))
    peaks = recorder.get_record_data(None, 0).flatten(1).abs().amax(1)
    assert peaks.shape == (200, )
    if memory_mix in (None, 'mean'):
        # a convex mix of C'_t and layer-normalised D^m: finite and small
        assert torch.isfinite(peaks).all()
        assert peaks.max() < 10
    else:
        # the paper's sum amplifies C'_t up to 1 + M = 3 times per step: at
        # random initialisation it is finite over a clip (20 steps) but
        # overflows float32 long before 200 steps (README, TMUCell)
        assert torch.isfinite(peaks[:20]).all()
        assert peaks[19] > 100 * peaks[0]
        assert not torch.isfinite(peaks[-1])


# ------------------------------------------------------ checkpoints
def test_source_checkpoints_load_strictly(tmp_path):
    torch.manual_seed(3)
    trained = MODELS.build(dict(type='ConvLSTMPredictor', **PREDICTOR))
    good = tmp_path / 'source.pth'
    torch.save(dict(state_dict=trained.state_dict()), good)
    cfg = transfer_cfg(num_sources=1)
    cfg['teachers']['src_a']['ckpt'] = str(good)
    model = MODELS.build(cfg)
    for key, value in trained.state_dict().items():
        assert torch.equal(model.teachers['src_a'].state_dict()[key], value)
    wider = MODELS.build(
        dict(type='ConvLSTMPredictor', **dict(PREDICTOR, hidden_channels=8)))
    bad = tmp_path / 'wider.pth'
    torch.save(dict(state_dict=wider.state_dict()), bad)
    cfg['teachers']['src_a']['ckpt'] = str(bad)
    with pytest.raises(Exception, match='src_a'):
        MODELS.build(cfg)


# ---------------------------------------------------------- bad input
def one_line_error(exc_type, **kwargs):
    with pytest.raises(exc_type) as err:
        build(**kwargs)
    message = str(err.value)
    assert '\n' not in message, message
    return message


def test_short_clips_are_an_error_at_build_and_at_the_first_step():
    message = one_line_error(ValueError, input_shape=(6, 1, 8, 8))
    assert 'input_frames + pred_frames = 3 + 4' in message
    assert 'clips of >= 7 frames' in message
    model = build(input_shape=None, reverse_second_step=False)
    optim = OptimWrapper(torch.optim.Adam(model.student.parameters()))
    with pytest.raises(
            ValueError, match='clips have 6 frames but the model '
            'needs 7'):
        model.train_step(dict(inputs=clips(t=6)), optim)
    # nothing was drawn or trained
    assert int(model.student.sampling_iteration) == 0


def test_source_memory_shape_mismatch_names_both_shapes():
    message = one_line_error(ValueError, source=dict(hidden_channels=8))
    assert "source 'src_a' has first-cell memory (8, 4, 4)" in message
    assert "target's TMU cell has (4, 4, 4)" in message
    message = one_line_error(
        ValueError, source=dict(patch_size=1), input_shape=None)
    assert "(4, 'H/1', 'W/1')" in message and "(4, 'H/2', 'W/2')" in message
    assert 'patch_size=2' in message


@pytest.mark.parametrize('kwargs, expected', [
    (dict(num_sources=1, target=dict(num_sources=2)), 'num_sources=1'),
    (dict(source=dict(pred_frames=2), input_shape=None), 'same input_frames'),
    (dict(input_shape=(7, 3, 8, 8)), 'set input_shape=(7, 1, 8, 8)'),
    (dict(input_shape=(1, 8, 8)), 'one clip (T, C, H, W)'),
    (dict(student_view=dict(type='FrameView', frames=[0])), 'student_view'),
])
def test_inconsistent_transfer_setups_are_one_line_errors(kwargs, expected):
    assert expected in one_line_error(ValueError, **kwargs)


def test_target_must_be_a_tmu_predictor():
    cfg = transfer_cfg()
    cfg['architecture']['type'] = 'ConvLSTMPredictor'
    cfg['architecture'].pop('num_sources')
    with pytest.raises(TypeError, match="type='TMUPredictor'"):
        MODELS.build(cfg)


@pytest.mark.parametrize('spec, expected', [
    (dict(trainable=True), 'remove trainable=True'),
    (dict(mode='loss'), "remove mode='loss'"),
    (dict(view=dict(type='FrameView', frames=[0])), 'remove its view'),
])
def test_sources_are_frozen_tensor_mode_without_views(spec, expected):
    cfg = transfer_cfg()
    cfg['teachers']['src_a'].update(spec)
    with pytest.raises(ValueError, match=expected.replace('(', r'\(')):
        MODELS.build(cfg)


def test_memory_loss_mapped_to_one_step_is_an_error():
    cfg = transfer_cfg()
    for entry in cfg['distiller']['loss_forward_mappings']['loss_mem'].values(
    ):
        entry.pop('record_idx')
    with pytest.raises(ValueError, match='add record_idx=None'):
        MODELS.build(cfg)


def test_negative_lambda_is_an_error_at_build():
    cfg = transfer_cfg()
    cfg['distiller']['distill_losses']['loss_mem']['loss_weight'] = -1.0
    with pytest.raises(ValueError, match='loss_weight \\(lambda_mem\\) must'):
        MODELS.build(cfg)


def test_registered():
    assert MODELS.get('TMUTransferDistill') is TMUTransferDistill
