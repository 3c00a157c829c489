"""Recorder of the outputs of many modules at once, as one ordered list."""
import difflib
import fnmatch
from typing import Any, List, Optional, Sequence, Tuple, Union

from mmrazor.models.task_modules.recorder.base_recorder import BaseRecorder
from mmrazor.registry import TASK_UTILS
from torch import nn

_GLOB_CHARS = '*?['


def is_pattern(source: str) -> bool:
    """Whether a module name contains glob characters (``*``, ``?``, ``[``)."""
    return any(ch in source for ch in _GLOB_CHARS)


def _match_parts(pattern: Sequence[str], name: Sequence[str]) -> bool:
    if not pattern:
        return not name
    head, rest = pattern[0], pattern[1:]
    if head == '**':  # zero or more whole name parts
        return any(_match_parts(rest, name[k:]) for k in range(len(name) + 1))
    return bool(name) and fnmatch.fnmatchcase(name[0], head) and \
        _match_parts(rest, name[1:])


def match_module_name(pattern: str, name: str) -> bool:
    """Match a dotted module name against a dotted glob pattern.

    Unlike :func:`fnmatch.fnmatch`, ``*`` and ``?`` never cross a dot: each
    dot-separated part of the pattern matches one part of the name, so
    ``'backbone.layer*.*'`` matches ``'backbone.layer1.0'`` but not
    ``'backbone.layer1.0.conv1'``. A part that is exactly ``**`` matches any
    number (including zero) of parts.
    """
    return _match_parts(pattern.split('.'), name.split('.'))


def resolve_module_names(model: nn.Module,
                         sources: Sequence[str]) -> List[str]:
    """Expand explicit module names and glob patterns against a model.

    Entries keep the order they are given in; the matches of one pattern come
    in ``model.named_modules()`` order (the order the modules were
    registered, i.e. the forward order for the usual backbones). A module
    named twice is kept once, at its first position.

    Raises:
        ValueError: if a name or pattern matches no module; the message lists
            the closest module names.
    """
    names = [name for name, _ in model.named_modules()]
    resolved: List[str] = []
    for source in sources:
        if is_pattern(source):
            found = [n for n in names if match_module_name(source, n)]
        else:
            found = [source] if source in names else []
        if not found:
            close = difflib.get_close_matches(source, names, n=5, cutoff=0.4)
            if not close:  # show where to start instead
                close = [n for n in names if n and '.' not in n][:5]
            kind = 'pattern' if is_pattern(source) else 'module'
            raise ValueError(
                f'ModuleListOutputsRecorder: {kind} "{source}" matches no '
                f'module of {type(model).__name__}; closest names: '
                f'{", ".join(repr(n) for n in close)}.')
        for name in found:
            if name not in resolved:
                resolved.append(name)
    return resolved


@TASK_UTILS.register_module()
class ModuleListOutputsRecorder(BaseRecorder):
    """Recorder of the outputs of a list of modules, e.g. every residual block.

    Configs write ``type='ModuleListOutputs'`` (MMRazor's ``RecorderManager``
    appends ``'Recorder'``). ``source`` holds explicit module names and/or
    dotted glob patterns (see :func:`match_module_name`), resolved against
    ``named_modules()`` when the recorder is initialised
    (:func:`resolve_module_names`: entries in the given order, each pattern's
    matches in model order). The resolved names are in :attr:`module_names`.

    A record is one list with the output of every resolved module, in that
    order. If the modules run k times inside the context, there are k
    records: record ``r`` holds the ``r``-th output of each module. So
    ``get_record_data(record_idx=0)`` gives the list a list-aware loss takes,
    and ``get_record_data(0, data_idx=m)`` the output of module ``m`` alone.

    Args:
        source (str | list[str]): module names and/or glob patterns, e.g.
            ``['backbone.layer*.*']`` for every block of an mmpretrain ResNet.

    Examples:
        >>> recorders = dict(blocks=dict(
        ...     type='ModuleListOutputs', source=['backbone.layer*.*']))
    """

    def __init__(self, source: Union[str, Sequence[str]]) -> None:
        sources = [source] if isinstance(source, str) else list(source)
        if not sources or not all(isinstance(s, str) for s in sources):
            raise ValueError(
                'ModuleListOutputsRecorder: source must be a module name, a '
                'glob pattern or a non-empty list of them, got '
                f'{source!r}.')
        super().__init__(sources)
        self.module_names: List[str] = []
        self._outputs: List[List[Any]] = []
        self._handles: List[Any] = []
        self._recording = False

    @property
    def recording(self) -> bool:
        """bool: whether the forward hooks store outputs."""
        return self._recording

    def prepare_from_model(self, model: Optional[nn.Module] = None) -> None:
        """Resolve the sources and hook every resolved module."""
        if model is None:
            raise ValueError('ModuleListOutputsRecorder needs a model.')
        self.module_names = resolve_module_names(model, self.source)
        for handle in self._handles:  # initialising again replaces the hooks
            handle.remove()
        modules = dict(model.named_modules())
        self._handles = [
            modules[name].register_forward_hook(self._make_hook(idx))
            for idx, name in enumerate(self.module_names)
        ]
        self.reset_data_buffer()

    def _make_hook(self, idx: int):

        def hook(module: nn.Module, inputs: Tuple, outputs: Any) -> None:
            if self._recording:
                self._outputs[idx].append(outputs)

        return hook

    @property
    def data_buffer(self) -> List[List[Any]]:
        """list[list]: one list of module outputs per forward call."""
        counts = [len(outs) for outs in self._outputs]
        if len(set(counts)) > 1:
            detail = ', '.join(f'{name}: {c}'
                               for name, c in zip(self.module_names, counts))
            raise RuntimeError(
                'ModuleListOutputsRecorder: the recorded modules ran a '
                f'different number of times ({detail}); records cannot be '
                'aligned. Record such modules with separate recorders.')
        return [list(outs) for outs in zip(*self._outputs)]

    def get_record_data(self,
                        record_idx: int = 0,
                        data_idx: Optional[int] = None) -> Any:
        """The list recorded in call ``record_idx``, or its ``data_idx``-th
        module output."""
        # BaseRecorder reads its private list; ours is built from per-module
        # lists, so index our own view.
        buffer = self.data_buffer
        if not -len(buffer) <= record_idx < len(buffer):
            raise IndexError(
                f'ModuleListOutputsRecorder: record_idx={record_idx}, but '
                f'{len(buffer)} forward call(s) were recorded (sources '
                f'{self.source}).')
        record = buffer[record_idx]
        if data_idx is None:
            return record
        if not -len(record) <= data_idx < len(record):
            raise IndexError(
                f'ModuleListOutputsRecorder: data_idx={data_idx}, but '
                f'{len(record)} modules are recorded: {self.module_names}.')
        return record[data_idx]

    def reset_data_buffer(self) -> None:
        """Clear the recorded outputs."""
        self._outputs = [[] for _ in self.module_names]

    def __enter__(self):
        """Enter the context manager: clear the buffer, start recording."""
        super().__enter__()
        self._recording = True

    def __exit__(self, exc_type, exc_value, traceback):
        """Exit the context manager: stop recording, keep the buffer."""
        super().__exit__(exc_type, exc_value, traceback)
        self._recording = False
