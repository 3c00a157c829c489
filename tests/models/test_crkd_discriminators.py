"""Discriminators of CRKD's adversarial term: shapes, build-time sizing, one
Adam step that learns separable features, gradients to the inputs."""
import pytest
import torch
from mmrazor.registry import MODELS

import mmkd_transfer  # noqa: F401
from mmkd_transfer.models.discriminators import (FeatureMapDiscriminator,
                                                 PooledFeatureDiscriminator)
from mmkd_transfer.models.losses.crkd_adversarial_loss import (
    discriminator_bce, generator_bce)


@pytest.fixture(autouse=True)
def _mmrazor_scope():
    """Build bare type names from mmrazor's registry even when an earlier
    test's Runner left its task scope (e.g. mmpretrain) as the default."""
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmrazor'):
        yield


CASES = [
    (dict(type='PooledFeatureDiscriminator', hidden_channels=16), (8, )),
    (dict(type='PooledFeatureDiscriminator', num_layers=1), (8, 3, 3)),
    (dict(type='FeatureMapDiscriminator', hidden_channels=8), (8, 4, 4)),
    (dict(type='FeatureMapDiscriminator', hidden_channels=8), (8, 1, 1)),
]


def separable(shape, seed):
    """Teacher-like (mean +1) and student-like (mean -1) batches of 16."""
    gen = torch.Generator().manual_seed(seed)
    real = torch.randn(16, *shape, generator=gen) * 0.5 + 1.
    fake = torch.randn(16, *shape, generator=gen) * 0.5 - 1.
    return real, fake


@pytest.mark.parametrize('cfg, shape', CASES)
def test_one_adam_step_lowers_the_discriminator_loss(cfg, shape):
    torch.manual_seed(0)
    disc = MODELS.build(dict(cfg, in_channels=shape[0]))
    real, fake = separable(shape, seed=1)
    # METHODS' choice of optimizer, with a larger lr for a single step
    optim = torch.optim.Adam(disc.parameters(), lr=1e-2, betas=(0.5, 0.999))
    before = discriminator_bce(disc(real), disc(fake))
    optim.zero_grad()
    before.backward()
    optim.step()
    with torch.no_grad():
        after = discriminator_bce(disc(real), disc(fake))
    assert after < before - 1e-3


@pytest.mark.parametrize('cfg, shape', CASES)
def test_logits_per_sample_and_gradients_reach_the_features(cfg, shape):
    disc = MODELS.build(dict(cfg))
    assert not disc.is_built
    disc.build_from_shapes((2, ) + shape)
    disc.build_from_shapes((5, ) + shape)  # same width: no-op
    feature = torch.randn(3, *shape, requires_grad=True)
    logits = disc(feature)
    assert logits.shape == (3, )
    generator_bce(logits).backward()
    assert torch.isfinite(feature.grad).all()
    assert feature.grad.abs().sum() > 0


def test_scores_do_not_depend_on_the_rest_of_the_batch():
    disc = PooledFeatureDiscriminator(in_channels=4, hidden_channels=8)
    batch = torch.randn(5, 4)
    assert torch.allclose(disc(batch)[:2], disc(batch[:2]), atol=1e-6)


def test_build_errors_are_one_line_and_name_the_fix():
    disc = FeatureMapDiscriminator()
    with pytest.raises(RuntimeError, match='in_channels or call'):
        disc(torch.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match='4 dimensions'):
        disc.build_from_shapes((2, 3))
    disc.build_from_shapes((2, 3, 4, 4))
    with pytest.raises(RuntimeError, match='refusing to rebuild'):
        disc.build_from_shapes((2, 5, 4, 4))
    with pytest.raises(ValueError, match=r'\(N, 3, H, W\)'):
        disc(torch.randn(2, 5, 4, 4))
    with pytest.raises(ValueError, match='positive int'):
        PooledFeatureDiscriminator(in_channels=0)
