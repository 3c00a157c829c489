"""AdversarialMultiTeacherDistill: the two optimizers' parameter sets, the
discriminator and student steps, and its one-line bad-input errors."""
import pytest
import torch
from conftest import config_path
from mmengine.optim import OptimWrapper, OptimWrapperDict

import mmkd_transfer  # noqa: F401
from mmkd_transfer.models.algorithms import adversarial_multi_teacher_distill


@pytest.fixture(autouse=True)
def _mmrazor_scope():
    """Build bare type names from mmrazor's registry even when an earlier
    test's Runner left its task scope (e.g. mmpretrain) as the default."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmrazor'):
        yield


CONFIG = ('crkd', 'crkd_r18w32_r18w8-4px_1xb64_digits-cls-100l.py')


def _cfg():
    from mmengine.config import Config
    return Config.fromfile(config_path(*CONFIG))


def build(**overrides):
    """The CRKD digits algorithm (random teacher) and its OptimWrapperDict,
    built as the Runner builds them."""
    from mmengine.optim import build_optim_wrapper
    from mmrazor.registry import MODELS
    torch.manual_seed(0)
    cfg = _cfg()
    model = cfg.model.to_dict()
    model['teachers']['teacher']['ckpt'] = None
    model['data_preprocessor'] = dict(cfg.data_preprocessor)
    model.update(overrides)
    algo = MODELS.build(model)
    return algo, build_optim_wrapper(algo, cfg.optim_wrapper.to_dict())


def batch(n=8):
    from mmengine.dataset import pseudo_collate

    from mmkd_transfer.datasets.digits_cls_dataset import DigitsClsDataset
    ds = DigitsClsDataset(
        split='train',
        img_size=8,
        pipeline=[dict(type='mmpretrain.PackInputs')])
    return pseudo_collate([ds[i] for i in range(n)])


def ids(params):
    return {id(p) for p in params}


def held(wrapper):
    return {id(p) for g in wrapper.param_groups for p in g['params']}


def test_optimizers_are_disjoint_and_cover_every_trainable_parameter():
    algo, optim = build()
    assert sorted(
        optim.keys()) == ['architecture', 'discriminator', 'distiller']
    trainable = ids(p for p in algo.parameters() if p.requires_grad)
    d_params = ids(algo.discriminator.parameters())
    assert held(optim['discriminator']) == d_params
    assert held(optim['architecture']) == ids(algo.student.parameters())
    # the distiller's only parameters: the 64 -> 256 projection
    assert held(optim['distiller']) == ids(
        algo.distiller.connectors['proj'].parameters())
    sets = [held(w) for w in optim.values()]
    assert sum(map(len, sets)) == len(set().union(*sets))  # disjoint
    assert set().union(*sets) == trainable
    # teachers are frozen and in no optimizer
    assert not ids(algo.teachers.parameters()) & trainable
    algo.check_optim_wrapper(optim)


def test_discriminator_and_connector_are_sized_by_the_dry_run():
    algo, _ = build()
    assert algo.discriminator.in_channels == 256  # teacher width
    assert algo.distiller.connectors['proj'].proj.weight.shape == (256, 64)


def test_train_step_runs_k_discriminator_steps_then_one_student_step():
    algo, optim = build(discriminator_steps=3)
    before = {n: p.detach().clone() for n, p in algo.named_parameters()}
    logs = algo.train_step(batch(), optim)
    assert {
        'loss', 'student.loss', 'distill.loss_rad', 'distill.loss_pair',
        'distill.loss_mmd', 'adversarial.loss_g', 'discriminator.loss_d'
    } <= set(logs)
    # the total the student minimised has no discriminator term in it
    parts = [
        v for k, v in logs.items() if k not in ('loss', 'discriminator.loss_d')
    ]
    assert logs['loss'].item() == pytest.approx(
        sum(p.item() for p in parts), rel=1e-5)
    d_param = next(algo.discriminator.parameters())
    s_param = next(algo.student.parameters())
    assert optim['discriminator'].optimizer.state[d_param]['step'] == 3
    assert len(optim['architecture'].optimizer.state[s_param]) > 0
    changed = {
        n
        for n, p in algo.named_parameters() if not torch.equal(p, before[n])
    }
    assert any(n.startswith('discriminator.') for n in changed)
    assert any(n.startswith('architecture.') for n in changed)
    assert any(n.startswith('distiller.connectors.proj') for n in changed)
    assert not any(n.startswith('teachers.') for n in changed)


def test_student_term_sends_no_gradient_into_the_discriminator():
    algo, _ = build()
    z_s = torch.randn(4, 256, requires_grad=True)
    algo.adversarial_student_loss(dict(student=z_s)).backward()
    assert z_s.grad.abs().sum() > 0
    assert all(p.grad is None for p in algo.discriminator.parameters())
    assert all(p.requires_grad for p in algo.discriminator.parameters())


def test_discriminator_steps_lower_its_loss_on_fixed_embeddings():
    algo, optim = build()
    gen = torch.Generator().manual_seed(0)
    feats = dict(
        teacher=torch.randn(16, 256, generator=gen) + 0.5,
        student=torch.randn(16, 256, generator=gen) - 0.5)
    losses = [
        algo.discriminator_step(feats,
                                optim['discriminator'])['loss_d'].item()
        for _ in range(5)
    ]
    assert losses[-1] < losses[0]


def test_adversarial_weight_zero_skips_the_discriminator():
    algo, optim = build(
        adversarial_loss=dict(type='CRKDAdversarialLoss', loss_weight=0.))
    d_before = [p.detach().clone() for p in algo.discriminator.parameters()]
    logs = algo.train_step(batch(), optim)
    assert 'discriminator.loss_d' not in logs
    assert 'adversarial.loss_g' not in logs
    assert all(
        torch.equal(a, b)
        for a, b in zip(d_before, algo.discriminator.parameters()))


def test_exported_student_has_no_discriminator_keys():
    algo, _ = build()
    keys = algo.student.state_dict().keys()
    assert not any('discriminator' in k for k in keys)
    assert any(k.startswith('discriminator.') for k in algo.state_dict())


# ----------------------------------------------------------------- bad input
def test_one_optimizer_for_everything_is_refused():
    algo, _ = build()
    single = OptimWrapper(torch.optim.SGD(algo.parameters(), lr=0.1))
    with pytest.raises(TypeError, match='SeparateOptimWrapperConstructor'):
        algo.train_step(batch(), single)


def test_missing_discriminator_optimizer_is_refused():
    algo, optim = build()
    partial = OptimWrapperDict(
        architecture=optim['architecture'], distiller=optim['distiller'])
    with pytest.raises(KeyError, match='add discriminator=dict'):
        algo.check_optim_wrapper(partial)


def test_student_optimizer_holding_discriminator_is_refused():
    algo, optim = build()
    mixed = OptimWrapper(
        torch.optim.SGD(
            [*algo.student.parameters(), *algo.discriminator.parameters()],
            lr=0.1))
    bad = OptimWrapperDict(
        architecture=mixed,
        distiller=optim['distiller'],
        discriminator=optim['discriminator'])
    with pytest.raises(ValueError, match='holds discriminator parameters'):
        algo.check_optim_wrapper(bad)


def test_parameters_left_out_of_every_optimizer_are_named():
    algo, optim = build()
    partial = OptimWrapperDict(
        architecture=optim['architecture'],
        discriminator=optim['discriminator'])
    with pytest.raises(ValueError, match=r"in no optimizer.*\['distiller'\]"):
        algo.check_optim_wrapper(partial)


def test_student_view_not_lower_resolution_warns(monkeypatch):
    messages = []
    monkeypatch.setattr(adversarial_multi_teacher_distill, 'print_log',
                        lambda msg, **kwargs: messages.append(msg))
    build(student_view=None)
    assert any('not fewer pixels' in m and 'ResolutionView' in m
               for m in messages)
    messages.clear()
    build()  # the config's 4x4 student
    assert not any('not fewer pixels' in m for m in messages)


def test_bad_adversarial_inputs_are_one_line_errors():
    with pytest.raises(ValueError, match="no recorder 'pooled'"):
        build(
            adversarial_inputs=dict(
                student=dict(recorder='pooled'), teacher=dict(recorder='gap')))
    with pytest.raises(ValueError, match='student=<record spec>'):
        build(adversarial_inputs=dict(student=dict(recorder='gap')))
    with pytest.raises(ValueError, match='discriminator_steps'):
        build(discriminator_steps=0)


def test_gradient_accumulation_over_two_student_optimizers_is_refused():
    from mmengine.optim import build_optim_wrapper
    algo, _ = build()
    cfg = _cfg().optim_wrapper.to_dict()
    cfg['architecture']['accumulative_counts'] = 2
    with pytest.raises(ValueError, match='without accumulative_counts'):
        algo.check_optim_wrapper(build_optim_wrapper(algo, cfg))


def test_stopped_distillation_also_stops_the_adversarial_steps():
    algo, optim = build()
    algo.distillation_stopped = True  # what mmrazor's StopDistillHook sets
    logs = algo.train_step(batch(), optim)
    assert not any(
        k.startswith(('distill.', 'adversarial.', 'discriminator.'))
        for k in logs)
