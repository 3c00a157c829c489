"""Model wrappers for distributed training."""
from .self_synced_data_parallel import SelfSyncedDataParallel

__all__ = ['SelfSyncedDataParallel']
