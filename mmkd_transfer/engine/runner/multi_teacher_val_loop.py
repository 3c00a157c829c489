"""Validation of the student and of every teacher on its own view."""
from typing import Dict, List, Sequence, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.model import is_model_wrapper
from mmengine.runner import ValLoop, autocast
from mmrazor.registry import LOOPS
from torch.utils.data import DataLoader


@LOOPS.register_module()
class MultiTeacherValLoop(ValLoop):
    """Score the student, then each teacher, and return all metrics.

    The student is scored as mmengine's ``ValLoop`` does (its view applies
    inside ``MultiTeacherDistill``'s predict). Then, for each teacher, every
    batch goes through the algorithm's data preprocessor (teachers see the
    batch the student sees, as in training), the teacher's view and its
    ``predict``; its metrics are logged as ``<name>.<metric>``, e.g.
    ``t_hr.accuracy/top1``. Unlike MMRazor's ``SingleTeacherDistillValLoop``
    it returns the merged metrics.

    Frozen teachers do not change during training, so by default their
    metrics are computed at the first validation only and reused.

    Args:
        runner (Runner): the runner.
        dataloader (DataLoader | dict): validation dataloader.
        evaluator (Evaluator | dict | list): validation evaluator.
        fp16 (bool): autocast during validation. Defaults to False.
        evaluate_teachers (bool | Sequence[str]): True for all teachers, a
            list of names for some, False for none. Defaults to True.
        cache_frozen_teachers (bool): compute a frozen teacher's metrics
            once. Defaults to True.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 fp16: bool = False,
                 evaluate_teachers: Union[bool, Sequence[str]] = True,
                 cache_frozen_teachers: bool = True) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        model = self._algorithm
        if not hasattr(model, 'predict_teacher'):
            raise TypeError(
                'MultiTeacherValLoop needs a model with teachers and views '
                f'(MultiTeacherDistill), got {type(model).__name__}; use '
                'ValLoop for a plain model.')
        names = model.teacher_names
        if evaluate_teachers is True:
            self.teacher_names = names
        elif evaluate_teachers is False:
            self.teacher_names = []
        else:
            unknown = [n for n in evaluate_teachers if n not in names]
            if unknown:
                raise ValueError(f'evaluate_teachers names {unknown} that are '
                                 f'not teachers; the teachers are {names}.')
            self.teacher_names = list(evaluate_teachers)
        self.cache_frozen_teachers = cache_frozen_teachers
        self._cache: Dict[str, dict] = {}

    @property
    def _algorithm(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def run(self) -> dict:
        """Validate the student and the teachers; return the metrics."""
        self.runner.call_hook('before_val')
        self.runner.call_hook('before_val_epoch')
        self.runner.model.eval()
        self.val_loss.clear()
        for idx, data_batch in enumerate(self.dataloader):
            self.run_iter(idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        for name in self.teacher_names:
            metrics.update({
                f'{name}.{key}': value
                for key, value in self.evaluate_teacher(name).items()
            })
        self.runner.call_hook('after_val_epoch', metrics=metrics)
        self.runner.call_hook('after_val')
        return metrics

    def evaluate_teacher(self, name: str) -> dict:
        """Metrics of teacher ``name`` on its view of the whole val set."""
        model = self._algorithm
        frozen = not model.teacher_trainable[name]
        if frozen and self.cache_frozen_teachers and name in self._cache:
            return self._cache[name]
        for data_batch in self.dataloader:
            self._teacher_iter(name, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        if frozen and self.cache_frozen_teachers:
            self._cache[name] = metrics
        return metrics

    @torch.no_grad()
    def _teacher_iter(self, name: str, data_batch) -> None:
        model = self._algorithm
        with autocast(enabled=self.fp16):
            data = model.data_preprocessor(data_batch, False)
            outputs = model.predict_teacher(name, data['inputs'],
                                            data['data_samples'])
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
