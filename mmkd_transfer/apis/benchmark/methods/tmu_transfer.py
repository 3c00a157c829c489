"""TMU's benchmark entry ``tmu-transfer``: what the TMU cell and the
transfer step cost.

Two measurements, each alternating its variants every repeat:

- **cell**: one step of a :class:`TMUCell` with M sources against a plain
  :class:`ConvLSTMCell` of the same size (the paper's: 64x64 frames in
  4x4 patches, so a 16x16 grid of 16 channels, hidden 64, filter 5),
  forward+backward (training) and forward alone (inference). The TMU cell
  adds M gate maps to the gate convolution and M 1x1 distillers.
- **step**: the whole TMU training step of a config (default: the embedded
  3-digit transfer config) against its parts: each source's forward
  (frozen, ``no_grad``), the target's step alone (next-frame loss
  forward+backward), and the transfer step (sources with the recorders,
  target, memory loss, backward). Also a plain ConvLSTM predictor of the
  target's size (training from scratch). One direction only: with
  ``reverse_second_step`` an iteration runs the step twice.

Run it with ``python tools/benchmark.py --entry tmu-transfer``; options
through ``--batch-size`` and ``--entry-options hidden=64 config=PATH``.
"""
import copy
import os.path as osp
from typing import Any, Dict, Optional

import torch

from ..registry import register_benchmark
from ..report import format_ms, ratio_table, report_header
from ..shipped_configs import resolve_config
from ..timing import (environment, interleaved_timings, summarize,
                      summarized_ratio)

DEFAULT_CONFIG = osp.join(
    'configs', 'tmu',
    'tmu_convlstm_l2h32p2_src-1d-2d_1xb16-3k_moving-digits-3d-32px.py')


def format_tmu_transfer_report(report: Dict[str, Any]) -> str:
    """Markdown tables of a :func:`benchmark_tmu_transfer` report."""
    cell = report['cell']
    step = report['step']
    lines = [
        '## TMU cell vs plain ConvLSTM cell, and the TMU transfer step',
    ] + report_header(report)
    lines += [
        f"Cell: batch {report['batch_size']}, input "
        f"{cell['in_channels']}x{cell['grid']}x{cell['grid']}, hidden "
        f"{cell['hidden']}, filter {cell['filter_size']}, M = "
        f"{cell['num_sources']} sources; parameters: plain "
        f"{cell['params']['plain']:,}, TMU {cell['params']['tmu']:,}.", '',
        '| variant | time (ms) |', '|---|---|'
    ]
    for name, summary in cell['times'].items():
        lines.append(f'| {name} | {format_ms(summary)} |')
    lines += [
        '', f"Step: config {step['config']}, batch {report['batch_size']}, "
        f"clips {'x'.join(map(str, step['clip_shape']))}, sources "
        f"{', '.join(step['sources'])} (one direction; the reversed "
        f"second step is {'on' if step['reverse_second_step'] else 'off'} "
        'in the config).', '', '| variant | time (ms) |', '|---|---|'
    ]
    for name, summary in step['times'].items():
        lines.append(f'| {name} | {format_ms(summary)} |')
    lines += [''] + ratio_table(report['ratios'])
    return '\n'.join(lines)


def _measure_cells(iters, warmup, batch_size, hidden, in_channels, grid,
                   filter_size, num_sources, dev, seed):
    from mmkd_transfer.models.predictors import ConvLSTMCell, TMUCell
    torch.manual_seed(seed)
    cells = dict(
        plain=ConvLSTMCell(in_channels, hidden, filter_size),
        tmu=TMUCell(in_channels, hidden, filter_size, num_sources=num_sources))
    gen = torch.Generator().manual_seed(seed)
    x, h, c = (
        torch.randn(batch_size, ch, grid, grid, generator=gen).to(dev)
        for ch in (in_channels, hidden, hidden))

    def train_step(cell):

        def run():
            h_new, c_new = cell(x, h, c)
            (h_new.sum() + c_new.sum()).backward()

        return run

    def forward(cell):

        def run():
            with torch.no_grad():
                cell(x, h, c)

        return run

    variants, before = {}, {}
    for name, cell in cells.items():
        cell.to(dev).train()
        variants[f'{name} cell fwd+bwd'] = train_step(cell)
        before[f'{name} cell fwd+bwd'] = \
            lambda cell=cell: cell.zero_grad(set_to_none=True)
        variants[f'{name} cell fwd'] = forward(cell)
    times = interleaved_timings(variants, iters, warmup, dev, before)
    return dict(
        in_channels=in_channels,
        grid=grid,
        hidden=hidden,
        filter_size=filter_size,
        num_sources=num_sources,
        params={
            name: sum(p.numel() for p in cell.parameters())
            for name, cell in cells.items()
        }), times


def _measure_step(iters, warmup, batch_size, config, dev, seed):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmrazor.registry import MODELS
    config = resolve_config(config)
    cfg = Config.fromfile(config)
    model_cfg = copy.deepcopy(cfg.model)
    if model_cfg.get('type') != 'TMUTransferDistill' or \
            model_cfg.get('input_shape') is None:
        raise ValueError(
            f'{config}: tmu-transfer needs a TMUTransferDistill config with '
            'model.input_shape; pass one with --entry-options config=PATH.')
    for spec in model_cfg.teachers.values():
        spec.ckpt = None  # timing does not depend on the weights
    scratch_cfg = copy.deepcopy(model_cfg.architecture)
    scratch_cfg.type = 'ConvLSTMPredictor'
    for key in ('num_sources', 'memory_mix'):
        scratch_cfg.pop(key, None)
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = MODELS.build(model_cfg)
        scratch = MODELS.build(scratch_cfg)
    model.to(dev).train()
    scratch.to(dev).train()
    target = model.student
    clip_shape = (target.total_frames, ) + tuple(model.input_shape[1:])
    gen = torch.Generator().manual_seed(seed)
    clips = torch.rand((batch_size, ) + clip_shape, generator=gen).to(dev)
    mask = torch.ones(batch_size, target.pred_frames - 1, device=dev)

    def source(name):

        def run():
            model.forward_teachers(clips, names=[name], mask=mask)

        return run

    def target_step():
        target(clips, mode='loss', mask=mask)['loss'].backward()

    def scratch_step():
        scratch(clips, mode='loss', mask=mask)['loss'].backward()

    def transfer_step():
        total, _ = model.parse_losses(model.transfer_loss(clips, None, mask))
        total.backward()

    variants = {f'source {n} fwd': source(n) for n in model.teacher_names}
    variants.update({
        'target step (fwd+bwd)': target_step,
        'transfer step (sources + target + L_mem)': transfer_step,
        'scratch ConvLSTM step (fwd+bwd)': scratch_step,
    })

    def clear():
        model.zero_grad(set_to_none=True)
        scratch.zero_grad(set_to_none=True)

    times = interleaved_timings(variants, iters, warmup, dev,
                                {name: clear
                                 for name in variants})
    return dict(
        config=config,
        clip_shape=clip_shape,
        sources=model.teacher_names,
        reverse_second_step=model.reverse_second_step), times


@register_benchmark('tmu-transfer', format_report=format_tmu_transfer_report)
def benchmark_tmu_transfer(iters: int = 10,
                           warmup: int = 2,
                           batch_size: int = 8,
                           hidden: int = 64,
                           num_sources: int = 2,
                           config: str = DEFAULT_CONFIG,
                           device: Optional[str] = None,
                           seed: int = 0) -> Dict[str, Any]:
    """TMU cell vs plain ConvLSTM cell; transfer step vs its parts.

    The cell with M sources against a plain cell of the same size; the
    transfer step against M source forwards + the target's step.

    Args:
        iters (int): timed repeats. Defaults to 10.
        warmup (int): untimed repeats first. Defaults to 2.
        batch_size (int): clips per batch. Defaults to 8 (the paper's).
        hidden (int): hidden channels of the two cells. Defaults to 64.
        num_sources (int): M of the TMU cell. Defaults to 2.
        config (str): a ``TMUTransferDistill`` config for the step.
            Defaults to the embedded 3-digit transfer config.
        device (str, optional): default CUDA when available, else CPU.
        seed (int): seed of the weights and inputs. Defaults to 0.

    Returns:
        dict: the report (:func:`format_tmu_transfer_report` prints it).
    """
    dev = torch.device(
        device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    env = environment(dev)
    # the paper's cell: 64x64 frames, patch 4 -> 16 channels on 16x16
    cell, cell_times = _measure_cells(iters, warmup, batch_size, hidden, 16,
                                      16, 5, num_sources, dev, seed)
    step, step_times = _measure_step(iters, warmup, batch_size, config, dev,
                                     seed)
    sources = [f'source {n} fwd' for n in step['sources']]
    ratios = {
        'TMU / plain cell (fwd+bwd)':
        summarized_ratio(cell_times, 'tmu cell fwd+bwd',
                         ['plain cell fwd+bwd']),
        'TMU / plain cell (fwd)':
        summarized_ratio(cell_times, 'tmu cell fwd', ['plain cell fwd']),
        'transfer step / (M source fwds + target step)':
        summarized_ratio(step_times,
                         'transfer step (sources + target + L_mem)',
                         sources + ['target step (fwd+bwd)']),
        'transfer step / scratch ConvLSTM step':
        summarized_ratio(step_times,
                         'transfer step (sources + target + L_mem)',
                         ['scratch ConvLSTM step (fwd+bwd)']),
        'TMU target step / scratch ConvLSTM step':
        summarized_ratio(step_times, 'target step (fwd+bwd)',
                         ['scratch ConvLSTM step (fwd+bwd)']),
    }
    cell['times'] = {k: summarize(v) for k, v in cell_times.items()}
    step['times'] = {k: summarize(v) for k, v in step_times.items()}
    return dict(
        kind='tmu_transfer',
        **env,
        batch_size=batch_size,
        iters=iters,
        warmup=warmup,
        cell=cell,
        step=step,
        ratios=ratios)
