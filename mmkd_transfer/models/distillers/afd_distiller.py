"""Distiller that builds shape-dependent losses from a dry forward."""
from contextlib import ExitStack
from typing import Any, Dict, Optional

import torch
from torch import Tensor, nn

from mmrazor.models.distillers import ConfigurableDistiller
from mmrazor.registry import MODELS
from ..utils.shape_inference import dry_run_records, eval_mode, tensor_shapes


@MODELS.register_module()
class AFDDistiller(ConfigurableDistiller):
    """ConfigurableDistiller that builds size-dependent losses at build time.

    Written for AFD (*Show, Attend and Distill*, Ji, Heo, Park; AAAI 2021),
    whose meta-network needs the channel count of every recorded layer, but
    generic: **every** distill loss that has a ``build_from_shapes`` method is
    built from the shapes of a dry forward. Everything else is
    :class:`mmrazor.models.ConfigurableDistiller`, including how records
    reach the losses: a ``ModuleListOutputs`` recorder yields one list of
    tensors per forward, which ``loss_forward_mappings`` passes to the loss
    argument unchanged (``data_idx`` picks one module's output instead).

    Contract with the algorithm: after
    ``prepare_from_student(student)`` and ``prepare_from_teacher(teacher)``
    (the recorders must be hooked) and **before the optimizer is built**
    (i.e. in the algorithm's ``__init__``), call once::

        self.distiller.init_from_dry_run(self.student, self.teacher, inputs)

    with ``inputs`` a dummy batch shaped like a preprocessed training batch,
    e.g. ``torch.zeros(1, 3, 32, 32)`` (batch 1 is enough). It runs the
    teacher, then the student, once each with ``mode='tensor'``, in eval mode
    and under ``no_grad`` (BN statistics, train/eval flags and recorders are
    left as they were; see :mod:`mmkd_transfer.models.utils.shape_inference`).

    Contract with losses: a loss that defines ``build_from_shapes`` receives,
    as keyword arguments named like its ``forward`` arguments in
    ``loss_forward_mappings``, the *shapes* of what ``forward`` will get
    (after ``record_idx``/``data_idx``/connector/``connector_idx``): a
    :class:`torch.Size` for a tensor, a list of them for a list record. It
    must create its parameters there, and may be called again with the same
    shapes (then do nothing).

    Args: as :class:`mmrazor.models.ConfigurableDistiller`.

    Examples:
        >>> distiller = dict(
        ...     type='AFDDistiller',
        ...     student_recorders=dict(blocks=dict(
        ...         type='ModuleListOutputs', source=['backbone.layer*.*'])),
        ...     teacher_recorders=dict(blocks=dict(
        ...         type='ModuleListOutputs', source=['backbone.layer*.*'])),
        ...     distill_losses=dict(loss_afd=dict(type='AFDLoss')),
        ...     loss_forward_mappings=dict(loss_afd=dict(
        ...         s_features=dict(recorder='blocks', from_student=True),
        ...         t_features=dict(recorder='blocks', from_student=False))))
    """

    def losses_to_build(self) -> Dict[str, nn.Module]:
        """The distill losses that define ``build_from_shapes``."""
        return {
            name: loss
            for name, loss in self.distill_losses.items()
            if callable(getattr(loss, 'build_from_shapes', None))
        }

    def init_from_dry_run(self,
                          student: nn.Module,
                          teacher: nn.Module,
                          inputs: Tensor,
                          data_samples: Optional[list] = None,
                          mode: Optional[str] = 'tensor'
                          ) -> Dict[str, Dict[str, Any]]:
        """Build every shape-dependent loss from one dry forward.

        Args:
            student (nn.Module): the model ``prepare_from_student`` got.
            teacher (nn.Module): the model ``prepare_from_teacher`` got.
            inputs (Tensor): dummy preprocessed batch, (N, C, H, W) at the
                training resolution of each model's input.
            data_samples (list, optional): passed to both forwards.
            mode (str, optional): forward ``mode``; ``None`` calls
                ``model(inputs)``. Defaults to ``'tensor'``.

        Returns:
            dict: loss name -> {forward argument: shapes} that each loss was
            built from (for logging).
        """
        targets = self.losses_to_build()
        if not targets:
            return {}
        missing = [n for n in targets if n not in self.loss_forward_mappings]
        if missing:
            raise ValueError(
                f'{type(self).__name__}: losses {missing} need shapes from '
                'their inputs but have no entry in loss_forward_mappings.')

        shapes: Dict[str, Dict[str, Any]] = {}
        with ExitStack() as stack:
            # Connectors may hold BN; never update their statistics here.
            stack.enter_context(eval_mode(self))
            stack.enter_context(torch.no_grad())
            for model, recorders in ((teacher, self.teacher_recorders),
                                     (student, self.student_recorders)):
                if recorders.recorders:
                    stack.enter_context(
                        dry_run_records(model, recorders, inputs,
                                        data_samples, mode))
            for name in targets:
                shapes[name] = {
                    arg: tensor_shapes(self.get_record(**spec))
                    for arg, spec in self.loss_forward_mappings[name].items()
                }

        for name, loss in targets.items():
            loss.build_from_shapes(**shapes[name])
            loss.train(loss.training)  # new submodules follow the loss' mode
        return shapes
