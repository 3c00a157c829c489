"""Recorder of recurrent memories at every time step (one record per step)."""
from typing import Any, List, Optional, Sequence, Tuple, Union

import torch
from mmrazor.registry import TASK_UTILS
from torch import nn

from .module_list_outputs_recorder import ModuleListOutputsRecorder


@TASK_UTILS.register_module()
class StepMemoriesRecorder(ModuleListOutputsRecorder):
    """The memory of one or more recurrent modules at every time step.

    Configs write ``type='StepMemories'``. A recurrent predictor calls its
    cells once per time step, so a forward over T steps gives T records;
    record ``t`` is the list of the memories the modules in ``source``
    returned at step ``t`` (in the order of ``source``; glob patterns as in
    :class:`ModuleListOutputsRecorder`). What a module's memory is:

    - a recurrent cell returning a tuple ``(H_t, C_t, ...)`` (ConvLSTM,
      ST-LSTM cells): element ``memory_index`` of it, ``C_t`` by default;
      e.g. ``'src_1d.cells.0'``, a frozen source's first cell;
    - a module returning one tensor: that tensor; e.g. the TMU cell's
      distillers, ``'cells.0.distillers.*'``, whose output is the memory
      ``D^m_t`` distilled for source ``m``.

    ``get_record_data(t)`` is the list at step ``t`` (``data_idx=m``: module
    ``m``'s memory, (N, C, H, W)). ``get_record_data(None)`` stacks the
    steps: one (T, N, C, H, W) tensor per module, what
    :class:`~mmkd_transfer.models.losses.TMUMemoryLoss` takes (map it with
    ``record_idx=None``). Recorded tensors keep their graph.

    Args:
        source (str | list[str]): module names and/or glob patterns.
        memory_index (int): which element of a tuple output is the memory.
            Defaults to 1 (``C_t`` of ``(H_t, C_t)``).

    Examples:
        >>> # the TMU target's distilled memories and the sources' memories
        >>> student_recorders = dict(memories=dict(
        ...     type='StepMemories', source='cells.0.distillers.*'))
        >>> teacher_recorders = dict(memories=dict(
        ...     type='StepMemories',
        ...     source=['src_1d.cells.0', 'src_2d.cells.0']))
    """

    def __init__(self,
                 source: Union[str, Sequence[str]],
                 memory_index: int = 1) -> None:
        if isinstance(memory_index, bool) or not isinstance(memory_index, int):
            raise ValueError(f'StepMemoriesRecorder: memory_index must be an '
                             f'int, got {memory_index!r}.')
        try:
            super().__init__(source)
        except ValueError as err:
            raise ValueError(
                str(err).replace(ModuleListOutputsRecorder.__name__,
                                 type(self).__name__)) from err
        self.memory_index = memory_index

    def prepare_from_model(self, model: Optional[nn.Module] = None) -> None:
        """Resolve the sources and hook every resolved module."""
        try:
            super().prepare_from_model(model)
        except ValueError as err:  # name this recorder, not its parent
            raise ValueError(
                str(err).replace(ModuleListOutputsRecorder.__name__,
                                 type(self).__name__)) from err

    def _memory_of(self, name: str, outputs: Any) -> torch.Tensor:
        if isinstance(outputs, torch.Tensor):
            return outputs
        if isinstance(outputs, (list, tuple)) and \
                -len(outputs) <= self.memory_index < len(outputs):
            return outputs[self.memory_index]
        raise TypeError(
            f'StepMemoriesRecorder: module "{name}" returned '
            f'{type(outputs).__name__} (length '
            f'{len(outputs) if hasattr(outputs, "__len__") else "n/a"}); '
            f'expected a tensor or a tuple with the memory at index '
            f'{self.memory_index}: record a recurrent cell or set '
            'memory_index.')

    def _make_hook(self, idx: int):

        def hook(module: nn.Module, inputs: Tuple, outputs: Any) -> None:
            if self._recording:
                self._outputs[idx].append(
                    self._memory_of(self.module_names[idx], outputs))

        return hook

    def get_record_data(self,
                        record_idx: Optional[int] = 0,
                        data_idx: Optional[int] = None) -> Any:
        """The memories at step ``record_idx``, or, with ``record_idx=None``,
        every step stacked: a list with one (T, N, C, H, W) tensor per
        module (``data_idx=m``: module ``m``'s tensor alone)."""
        if record_idx is not None:
            return super().get_record_data(record_idx, data_idx)
        steps = self.data_buffer
        if not steps:
            raise IndexError(
                f'StepMemoriesRecorder: no step was recorded (sources '
                f'{self.source}): run the model inside the recorder.')
        stacked: List[torch.Tensor] = [
            torch.stack(list(memories)) for memories in zip(*steps)
        ]
        if data_idx is None:
            return stacked
        if not -len(stacked) <= data_idx < len(stacked):
            raise IndexError(
                f'StepMemoriesRecorder: data_idx={data_idx}, but '
                f'{len(stacked)} modules are recorded: {self.module_names}.')
        return stacked[data_idx]


__all__ = ['StepMemoriesRecorder']
