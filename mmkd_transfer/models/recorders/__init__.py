"""Recorders registered in ``mmrazor.registry.TASK_UTILS``."""
from .module_list_outputs_recorder import ModuleListOutputsRecorder
from .step_memories_recorder import StepMemoriesRecorder

__all__ = ['ModuleListOutputsRecorder', 'StepMemoriesRecorder']
