"""SingleTeacherDistill whose distillation modules are sized by a dry run."""
from typing import Optional, Sequence

import torch
from mmrazor.models import SingleTeacherDistill
from mmrazor.registry import MODELS

from mmkd_transfer.checkpoint_io import load_teacher_weights


def check_input_shape(input_shape):
    """(C, H, W) of positive ints, else a one-line error naming the fix."""
    if (not isinstance(input_shape, (list, tuple)) or len(input_shape) != 3
            or not all(isinstance(v, int) and v >= 1 for v in input_shape)):
        raise ValueError(
            f'input_shape must be (C, H, W) of positive ints, got '
            f'{input_shape!r}: set it to the size of one preprocessed '
            'training image, e.g. input_shape=(3, 32, 32).')
    return tuple(input_shape)


@MODELS.register_module()
class DryRunSingleTeacherDistill(SingleTeacherDistill):
    """MMRazor's ``SingleTeacherDistill`` plus build-time shape inference.

    Methods such as AFD own parameters whose sizes depend on the recorded
    features (a meta-network over every teacher/student layer). Writing those
    channel lists by hand is error-prone, and creating them lazily at the
    first step would hide them from the optimizer. This algorithm runs one
    forward of a dummy batch through teacher and student when it is built, and
    lets the distiller size its losses from the records (see
    ``AFDDistiller.init_from_dry_run``), before the optimizer exists.

    It also loads the teacher checkpoint strictly through the safe loader
    (``weights_only``), failing up front with the first missing/unexpected
    keys instead of MMRazor's warning-only ``load_checkpoint``.

    Args:
        distiller (dict): distiller config; a distiller with
            ``init_from_dry_run`` is sized by the dry forward.
        teacher (dict | BaseModel): teacher config or model.
        teacher_ckpt (str, optional): teacher checkpoint file (runner
            checkpoint or state dict). Defaults to None.
        teacher_ckpt_prefix (str): keep only keys under this prefix, e.g.
            ``'architecture.'`` to take the student of a distillation
            checkpoint as a teacher. Defaults to ``''``.
        input_shape (Sequence[int]): (C, H, W) of one preprocessed input,
            used only for the dry forward. Channel counts are what matters;
            spatial sizes should match training for losses that fix them.
            Defaults to (3, 32, 32).
        **kwargs: the other arguments of ``SingleTeacherDistill``.
    """

    def __init__(self,
                 distiller: dict,
                 teacher,
                 teacher_ckpt: Optional[str] = None,
                 teacher_ckpt_prefix: str = '',
                 input_shape: Sequence[int] = (3, 32, 32),
                 **kwargs):
        input_shape = check_input_shape(input_shape)
        super().__init__(distiller, teacher, teacher_ckpt=None, **kwargs)
        if teacher_ckpt:
            load_teacher_weights(self.teacher, teacher_ckpt,
                                 prefix=teacher_ckpt_prefix)
            # keep Runner.init_weights() from re-initialising the teacher
            self.teacher._is_init = True
        self.input_shape = input_shape
        if hasattr(self.distiller, 'init_from_dry_run'):
            # batch 2: BatchNorm layers in train mode need more than one
            # sample (the dry run itself runs in eval mode).
            dummy = torch.zeros(2, *input_shape)
            self.dry_run_shapes = self.distiller.init_from_dry_run(
                self.student, self.teacher, dummy)
