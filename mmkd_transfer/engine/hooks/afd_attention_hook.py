"""Heat map of what AFD's meta-network learned: mean attention per layer pair.

For *Show, Attend and Distill: Knowledge Distillation via Attention-based
Feature Matching* (Mingi Ji, Byeongho Heo, Sungrae Park; AAAI 2021; arXiv
2102.02973; reference code github.com/clovaai/attention-feature-distillation).
The paper shows such maps (teacher layers x student layers) to explain which
links AFD picks; this hook writes them during training through mmengine's
visualizer, so they land wherever the config's ``vis_backends`` write
(``LocalVisBackend``: PNG files, ``TensorboardVisBackend``: event files).
"""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmrazor.registry import HOOKS


def attention_heatmap(matrix,
                      row_labels: Optional[Sequence[str]] = None,
                      col_labels: Optional[Sequence[str]] = None,
                      title: str = '',
                      annotate: Optional[bool] = None,
                      cmap: str = 'viridis') -> np.ndarray:
    """Render a (T, S) attention matrix as an RGB heat map.

    Rows are teacher layers, columns student layers; each row of AFD's mean
    α sums to 1, so the colour scale is fixed to [0, 1] and maps from
    different steps compare directly.

    Args:
        matrix (Tensor | ndarray): shape (T, S).
        row_labels (Sequence[str], optional): T teacher layer names.
        col_labels (Sequence[str], optional): S student layer names.
        title (str): figure title.
        annotate (bool, optional): write each value in its cell. Defaults to
            doing so when the matrix has at most 100 cells.
        cmap (str): a matplotlib colour map name. Defaults to 'viridis'.

    Returns:
        np.ndarray: (H, W, 3) uint8 RGB image.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if isinstance(matrix, torch.Tensor):
        matrix = matrix.detach().float().cpu().numpy()
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError('attention_heatmap needs a (teacher layers, student '
                         f'layers) matrix, got shape {matrix.shape}.')
    num_t, num_s = matrix.shape
    rows = list(row_labels) if row_labels else [f't{i}' for i in range(num_t)]
    cols = list(col_labels) if col_labels else [f's{j}' for j in range(num_s)]
    if len(rows) != num_t or len(cols) != num_s:
        raise ValueError(
            f'attention_heatmap: {len(rows)} row / {len(cols)} column labels '
            f'for a {num_t}x{num_s} matrix.')
    if annotate is None:
        annotate = num_t * num_s <= 100

    # about 0.45 inch per cell, room for the layer names on the left/bottom
    width = 2.5 + 0.45 * num_s + 0.06 * max(len(r) for r in rows)
    height = 1.8 + 0.35 * num_t + 0.06 * max(len(c) for c in cols)
    fig = Figure(figsize=(width, height), dpi=100)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(matrix, cmap=cmap, vmin=0.0, vmax=1.0, aspect='auto')
    ax.set_xticks(range(num_s), labels=cols, rotation=90, fontsize=7)
    ax.set_yticks(range(num_t), labels=rows, fontsize=7)
    ax.set_xlabel('student layer')
    ax.set_ylabel('teacher layer')
    if title:
        ax.set_title(title, fontsize=9)
    if annotate:
        for i in range(num_t):
            for j in range(num_s):
                ax.text(
                    j,
                    i,
                    f'{matrix[i, j]:.2f}',
                    ha='center',
                    va='center',
                    fontsize=6,
                    color='black' if matrix[i, j] > 0.6 else 'white')
    fig.colorbar(image, ax=ax, fraction=0.05)
    fig.tight_layout()
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    return np.ascontiguousarray(rgba[..., :3])


def strip_common_prefix(names: Sequence[str]) -> List[str]:
    """Drop the dotted parts all names share (``backbone.``), keeping at
    least the last part of each: ``['backbone.layer1.0', 'backbone.layer2.0']
    -> ['layer1.0', 'layer2.0']``."""
    parts = [n.split('.') for n in names]
    k = 0
    while len(parts) > 1 and all(
            len(p) > k + 1 and p[k] == parts[0][k] for p in parts):
        k += 1
    return ['.'.join(p[k:]) for p in parts]


@HOOKS.register_module()
class AFDAttentionHook(Hook):
    """Save the mean AFD attention α (teacher layers × student layers).

    After every training iteration the hook takes, from each
    :class:`~mmkd_transfer.models.losses.afd_loss.AFDLoss` of the
    distiller, the batch mean of the α of that step (``last_attention``,
    (N, T, S)) and accumulates it. Every ``interval`` iterations, and at the
    last one, it renders the mean over the iterations since the last image
    as a heat map (rows sum to 1) and hands it to
    ``runner.visualizer.add_image`` under the name ``afd_attention_<loss>``.
    The local backend writes ``<name>_<iter>.png`` under
    ``<work_dir>/<timestamp>/vis_data/vis_image/``; TensorBoard shows it in
    its Images tab. Axis labels are the recorded module names.

    Configs refer to it as ``'mmrazor.AFDAttentionHook'`` (the runner's
    default scope is the task's)::

        custom_hooks = [dict(type='mmrazor.AFDAttentionHook', interval=200)]

    Args:
        interval (int): write a map every ``interval`` training iterations.
            Defaults to 200.
        loss_names (Sequence[str], optional): which distill losses to show
            (keys of ``distill_losses``). Defaults to every ``AFDLoss``.
        cmap (str): matplotlib colour map. Defaults to 'viridis'.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 200,
                 loss_names: Optional[Sequence[str]] = None,
                 cmap: str = 'viridis') -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(
                f'AFDAttentionHook: interval must be a positive int (training '
                f'iterations between two maps), got {interval!r}.')
        self.interval = interval
        self.loss_names = None if loss_names is None else list(loss_names)
        self.cmap = cmap
        self._sums: Dict[str, torch.Tensor] = {}
        self._counts: Dict[str, int] = {}
        self._last_seen: Dict[str, int] = {}

    @staticmethod
    def _algorithm(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def _afd_losses(self, runner) -> Dict[str, torch.nn.Module]:
        from mmkd_transfer.models.losses.afd_loss import AFDLoss
        distiller = getattr(self._algorithm(runner), 'distiller', None)
        losses = getattr(distiller, 'distill_losses', {}) or {}
        found = {n: m for n, m in losses.items() if isinstance(m, AFDLoss)}
        if self.loss_names is not None:
            missing = [n for n in self.loss_names if n not in found]
            if missing:
                raise ValueError(
                    f'AFDAttentionHook: loss_names {missing} are not AFDLoss '
                    f'distill losses of the model; it has {sorted(found)}.')
            found = {n: found[n] for n in self.loss_names}
        return found

    def before_train(self, runner) -> None:
        if not self._afd_losses(runner):
            raise ValueError(
                'AFDAttentionHook: the model has no AFDLoss among '
                '`model.distiller.distill_losses`; remove the hook or use an '
                'AFD config.')

    @staticmethod
    def _layer_names(distiller, loss_name: str, arg: str,
                     count: int) -> Optional[List[str]]:
        """Module names of the recorder that feeds ``arg``, if unambiguous."""
        spec = distiller.loss_forward_mappings.get(loss_name, {}).get(arg)
        if not spec or spec.get('data_idx') is not None or spec.get(
                'connector') is not None:
            return None
        manager = (
            distiller.student_recorders
            if spec.get('from_student') else distiller.teacher_recorders)
        recorder = manager.recorders.get(spec.get('recorder'))
        names = list(getattr(recorder, 'module_names', []) or [])
        if len(names) != count:
            return None
        return strip_common_prefix(names)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        for name, loss in self._afd_losses(runner).items():
            alpha = getattr(loss, 'last_attention', None)
            # no new α this step (e.g. distillation stopped): count nothing
            if alpha is None or self._last_seen.get(name) == id(alpha):
                continue
            self._last_seen[name] = id(alpha)
            mean = alpha.detach().float().mean(dim=0).cpu()
            if name in self._sums and self._sums[name].shape == mean.shape:
                self._sums[name] += mean
                self._counts[name] += 1
            else:
                self._sums[name] = mean.clone()
                self._counts[name] = 1
        if (self.every_n_train_iters(runner, self.interval)
                or self.is_last_train_iter(runner)):
            self.write_maps(runner)

    def write_maps(self, runner) -> None:
        """Render the accumulated means and send them to the visualizer."""
        if not self._sums:
            return
        algorithm = self._algorithm(runner)
        step = runner.iter + 1
        for name, total in self._sums.items():
            mean = total / self._counts[name]
            num_t, num_s = mean.shape
            rows = self._layer_names(algorithm.distiller, name, 't_features',
                                     num_t)
            cols = self._layer_names(algorithm.distiller, name, 's_features',
                                     num_s)
            title = (f'AFD mean attention ({name}), iter {step}, '
                     f'{self._counts[name]} steps')
            image = attention_heatmap(mean, rows, cols, title, cmap=self.cmap)
            runner.visualizer.add_image(
                f'afd_attention_{name}', image, step=step)
        self._sums.clear()
        self._counts.clear()
