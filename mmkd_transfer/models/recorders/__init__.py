"""Recorders registered in ``mmrazor.registry.TASK_UTILS``."""
from .module_list_outputs_recorder import ModuleListOutputsRecorder

__all__ = ['ModuleListOutputsRecorder']
