"""Distiller that sizes its connectors and losses from one dry forward.

Some distillation modules own parameters whose sizes depend on the recorded
features: AFD's meta-network needs the channels of every recorded layer, a
student-to-teacher projector needs the channels and map size of both sides.
Writing those sizes in configs is error-prone, and creating the modules at
the first training step would hide them from the optimizer. So they are
built when the algorithm is built, from the shapes of one dry forward
(:mod:`mmkd_transfer.models.utils.shape_inference`, the one mechanism).

**The build-time sizing contract** (the one place it is written down):

1. The algorithm, in its ``__init__`` (after ``prepare_from_student`` and
   ``prepare_from_teacher`` have hooked the recorders, **before** any
   optimizer exists), calls once::

       shapes = distiller.init_from_dry_run(student, teachers, inputs)

   ``student`` and ``teachers`` are called as ``model(inputs, data_samples,
   mode='tensor')`` (``MultiTeacherDistill`` passes the student behind its
   view and all teachers behind theirs); ``inputs`` is a dummy preprocessed
   batch, e.g. ``torch.zeros(2, 3, 32, 32)``. The forwards run in eval mode
   under ``no_grad``: BN statistics, train/eval flags and the random state
   are left as they were, and the recorders are cleared afterwards.
2. **Connectors** that define ``build_from_shapes(in_shape, target_shape)``
   are built first. ``in_shape`` is the shape of what the connector
   receives: the record named by the ``loss_forward_mappings`` entry that
   uses it (``recorder``, ``from_student``, ``record_idx``, ``data_idx``).
   ``target_shape`` is the shape it must match, found in this order:

   - ``connector_targets[<connector>]``, a record spec like a mapping
     entry: ``dict(recorder='fc', from_student=False)`` (plus optional
     ``record_idx``, ``data_idx``);
   - otherwise the *other side* of the same loss: the one argument of that
     loss mapping whose ``from_student`` differs (e.g. ``preds_T`` for a
     connector on ``preds_S``). When that loss has several other-side
     arguments, or the other side has a connector too, the pairing is
     ambiguous and ``connector_targets`` is required.

   A connector used by several mapping entries must get the same shapes
   from each.
3. **Losses** that define ``build_from_shapes`` are built next. They get,
   as keyword arguments named like their ``forward`` arguments in
   ``loss_forward_mappings``, the shapes of what ``forward`` will get (after
   ``record_idx``/``data_idx``, the now-built connector and
   ``connector_idx``).

Shapes are :class:`torch.Size` for a tensor and lists of them for a list
record (``ModuleListOutputs``). ``build_from_shapes`` must create the
module's parameters, and may be called again with the same shapes (then do
nothing; other shapes: raise). Modules without ``build_from_shapes`` are
left alone, so any MMRazor connector or loss can sit next to these.

Everything else is :class:`mmrazor.models.ConfigurableDistiller`.
"""
from contextlib import ExitStack
from typing import Any, Dict, List, Optional, Tuple

import torch
from mmrazor.models.distillers import ConfigurableDistiller
from mmrazor.registry import MODELS
from torch import Tensor, nn

from ..utils.shape_inference import dry_run_records, eval_mode, tensor_shapes

# keys of a loss_forward_mappings entry that pick the record itself
_RECORD_KEYS = ('recorder', 'from_student', 'record_idx', 'data_idx')


def _has_build(module: nn.Module) -> bool:
    return callable(getattr(module, 'build_from_shapes', None))


def _record_spec(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k in _RECORD_KEYS}


@MODELS.register_module()
class ShapeInferringDistiller(ConfigurableDistiller):
    """ConfigurableDistiller that builds size-dependent connectors and
    losses from a dry forward (the contract is in this module's docstring).

    Args:
        connector_targets (dict, optional): connector name -> record spec
            (``recorder``, ``from_student``, optional ``record_idx``,
            ``data_idx``) of the record whose shape the connector's output
            must have. Needed only when the loss that uses the connector
            does not name exactly one other-side argument. Defaults to None.
        **kwargs: the arguments of
            :class:`mmrazor.models.ConfigurableDistiller`.

    Examples:
        >>> # AFD: the meta-network is sized from every block on both sides
        >>> distiller = dict(
        ...     type='ShapeInferringDistiller',
        ...     student_recorders=dict(blocks=dict(
        ...         type='ModuleListOutputs', source=['backbone.layer*.*'])),
        ...     teacher_recorders=dict(blocks=dict(
        ...         type='ModuleListOutputs',
        ...         source=['teacher.backbone.layer*.*'])),
        ...     distill_losses=dict(loss_afd=dict(type='AFDLoss')),
        ...     loss_forward_mappings=dict(loss_afd=dict(
        ...         s_features=dict(recorder='blocks', from_student=True),
        ...         t_features=dict(recorder='blocks', from_student=False))))
        >>> # a student map projected to the teacher's (C, H, W): the
        >>> # connector's target is preds_T, the other side of loss_mse
        >>> distiller = dict(
        ...     type='ShapeInferringDistiller',
        ...     student_recorders=dict(feat=dict(
        ...         type='ModuleOutputs', source='backbone.layer3')),
        ...     teacher_recorders=dict(feat=dict(
        ...         type='ModuleOutputs', source='teacher.backbone.layer3')),
        ...     connectors=dict(proj=dict(type='ResizeProjectConnector')),
        ...     distill_losses=dict(loss_mse=dict(type='L2Loss')),
        ...     loss_forward_mappings=dict(loss_mse=dict(
        ...         s_feature=dict(recorder='feat', from_student=True,
        ...                        connector='proj'),
        ...         t_feature=dict(recorder='feat', from_student=False))))
    """

    def __init__(self,
                 connector_targets: Optional[Dict[str, dict]] = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.connector_targets = dict(connector_targets or {})
        unknown = sorted(set(self.connector_targets) - set(self.connectors))
        if unknown:
            raise ValueError(
                f'connector_targets names {unknown}, which are not '
                f'connectors; the connectors are {sorted(self.connectors)}.')
        for name, spec in self.connector_targets.items():
            if not isinstance(spec, dict) or 'recorder' not in spec:
                raise ValueError(
                    f'connector_targets[{name!r}] must be a record spec, '
                    "e.g. dict(recorder='fc', from_student=False), got "
                    f'{spec!r}.')

    def modules_to_build(self) -> Dict[str, Dict[str, nn.Module]]:
        """The connectors and distill losses that define
        ``build_from_shapes``: ``{'connectors': {...}, 'losses': {...}}``."""
        return dict(
            connectors={
                n: c
                for n, c in self.connectors.items() if _has_build(c)
            },
            losses={
                n: loss
                for n, loss in self.distill_losses.items() if _has_build(loss)
            })

    def init_from_dry_run(
            self,
            student: nn.Module,
            teacher: nn.Module,
            inputs: Tensor,
            data_samples: Optional[list] = None,
            mode: Optional[str] = 'tensor') -> Dict[str, Dict[str, Any]]:
        """Build every shape-dependent connector, then loss, from one dry
        forward of each side.

        Args:
            student (nn.Module): the model ``prepare_from_student`` got (or
                a module that runs it, e.g. behind its view).
            teacher (nn.Module): the model(s) ``prepare_from_teacher`` got,
                likewise.
            inputs (Tensor): dummy preprocessed batch, e.g. (N, C, H, W).
            data_samples (list, optional): passed to both forwards.
            mode (str, optional): forward ``mode``; ``None`` calls
                ``model(inputs)``. Defaults to ``'tensor'``.

        Returns:
            dict: for each built module, the shapes it was built from:
            ``'connectors.<name>'`` -> ``{'in_shape': ..., 'target_shape':
            ...}`` and ``<loss name>`` -> {forward argument: shapes}.
        """
        to_build = self.modules_to_build()
        if not any(to_build.values()):
            return {}
        missing = [
            n for n in to_build['losses']
            if n not in self.loss_forward_mappings
        ]
        if missing:
            raise ValueError(
                f'{type(self).__name__}: losses {missing} need shapes from '
                'their inputs but have no entry in loss_forward_mappings.')
        uses = {
            name: self._connector_uses(name)
            for name in to_build['connectors']
        }

        shapes: Dict[str, Dict[str, Any]] = {}
        with ExitStack() as stack:
            # connectors may hold BN; never update their statistics here
            stack.enter_context(eval_mode(self))
            stack.enter_context(torch.no_grad())
            for model, recorders in ((teacher, self.teacher_recorders),
                                     (student, self.student_recorders)):
                if recorders.recorders:
                    stack.enter_context(
                        dry_run_records(model, recorders, inputs, data_samples,
                                        mode))
            for name, connector in to_build['connectors'].items():
                found = self._connector_shapes(name, uses[name])
                connector.build_from_shapes(**found)
                connector.eval()  # the loss shapes below run it
                shapes[f'connectors.{name}'] = found
            for name in to_build['losses']:
                shapes[name] = {
                    arg: tensor_shapes(self.get_record(**spec))
                    for arg, spec in self.loss_forward_mappings[name].items()
                }

        # new submodules follow their owner's (restored) mode
        for name, connector in to_build['connectors'].items():
            connector.train(connector.training)
        for name, loss in to_build['losses'].items():
            loss.build_from_shapes(**shapes[name])
            loss.train(loss.training)
        return shapes

    def _connector_uses(self, name: str) -> List[Tuple[str, str]]:
        """(loss, argument) pairs whose mapping entry uses connector
        ``name``; a clear error when there are none."""
        uses = [(loss, arg)
                for loss, mapping in self.loss_forward_mappings.items()
                for arg, spec in mapping.items()
                if spec.get('connector') == name]
        if not uses:
            raise ValueError(
                f'connector {name!r} is sized from the records it receives, '
                'but no loss_forward_mappings entry uses it: add '
                f"connector='{name}' to the entry of the record it projects.")
        return uses

    def _target_spec(self, name: str, loss: str, arg: str) -> dict:
        """Record spec of what connector ``name`` (on ``loss``/``arg``)
        must match: ``connector_targets``, else the loss' other side."""
        if name in self.connector_targets:
            return _record_spec(self.connector_targets[name])
        mapping = self.loss_forward_mappings[loss]
        side = mapping[arg]['from_student']
        others = {
            a: s
            for a, s in mapping.items() if s['from_student'] != side
        }
        if len(others) != 1 or next(iter(others.values())).get('connector'):
            raise ValueError(
                f'connector {name!r} on {loss}.{arg}: cannot tell which '
                f'record it must match (other side of {loss}: '
                f'{sorted(others) or "none"}); name it in the distiller, '
                f"e.g. connector_targets=dict({name}=dict(recorder='fc', "
                'from_student=False)).')
        return _record_spec(next(iter(others.values())))

    def _connector_shapes(self, name: str,
                          uses: List[Tuple[str, str]]) -> Dict[str, Any]:
        found = None
        for loss, arg in uses:
            spec = self.loss_forward_mappings[loss][arg]
            shapes = dict(
                in_shape=tensor_shapes(self.get_record(**_record_spec(spec))),
                target_shape=tensor_shapes(
                    self.get_record(**self._target_spec(name, loss, arg))))
            if found is not None and shapes != found:
                raise ValueError(
                    f'connector {name!r} is used with different shapes: '
                    f'{found} and, on {loss}.{arg}, {shapes}; use one '
                    'connector per shape.')
            found = shapes
        return found
