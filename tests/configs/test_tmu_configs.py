"""The embedded TMU predictor config builds and trains a few iterations."""
import math

import torch
from conftest import load_config, loss_history, train

CONFIG = ('tmu', 'convlstm_l2h32p2_1xb16-3k_moving-digits-1d-32px.py')


def test_convlstm_moving_digits_config_trains_two_iterations(tmp_path):
    cfg = load_config(
        *CONFIG,
        work_dir=tmp_path,
        **{
            'train_cfg.max_iters': 2,
            'train_cfg.val_interval': 2,
            'train_dataloader.dataset.num_clips': 32,
            'train_dataloader.batch_size': 4,
            'val_dataloader.dataset.num_clips': 4,
            'val_dataloader.batch_size': 4,
        })
    runner = train(cfg)
    assert runner.iter == 2
    losses = loss_history(runner)
    assert len(losses) == 2 and all(map(math.isfinite, losses))
    # the scheduled-sampling iteration counts with the runner
    assert int(runner.model.sampling_iteration) == 2
    metrics = runner.val_loop.run()
    for key in ('video/mse', 'video/mae', 'video/psnr', 'video/ssim',
                'video/mse/step_1', 'video/ssim/step_10'):
        assert math.isfinite(metrics[key]), key
    assert 0 < metrics['video/ssim'] < 1
    # the checkpoint holds the counter, so a resumed run continues the masks
    ckpt = torch.load(
        tmp_path / 'iter_2.pth', map_location='cpu', weights_only=True)
    assert int(ckpt['state_dict']['sampling_iteration']) == 2


def test_resume_continues_the_scheduled_sampling_counter(tmp_path):
    small = {
        'train_dataloader.dataset.num_clips': 8,
        'train_dataloader.batch_size': 4,
        'val_dataloader.dataset.num_clips': 4,
        'train_cfg.val_interval': 100,
        'default_hooks.checkpoint.interval': 1,
    }
    straight = train(
        load_config(
            *CONFIG,
            work_dir=tmp_path / 'straight',
            **{
                'train_cfg.max_iters': 3,
                **small
            }))
    train(
        load_config(
            *CONFIG,
            work_dir=tmp_path / 'split',
            **{
                'train_cfg.max_iters': 2,
                **small
            }))
    cfg = load_config(
        *CONFIG,
        work_dir=tmp_path / 'split',
        **{
            'train_cfg.max_iters': 3,
            **small
        })
    cfg.resume = True
    resumed = train(cfg)
    assert int(resumed.model.sampling_iteration) == 3
    a, b = straight.model.state_dict(), resumed.model.state_dict()
    for key in a:
        torch.testing.assert_close(a[key], b[key], msg=key)
