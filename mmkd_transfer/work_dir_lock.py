"""One training run per work dir at a time.

Two runs in one work dir share mmengine's timestamped log folder and
overwrite each other's config dump, ``last_checkpoint`` and checkpoints,
both exiting 0. ``tools/train.py`` takes an exclusive ``flock`` on
``<work_dir>/.mmkd_train.lock`` before building anything; a second run fails
at once with a line naming the first (pid, host, start time). The operating
system drops the lock when the holding process ends, however it ends
(SIGKILL included), so a killed run never leaves the work dir locked; the
file's content is only a description of the last holder.
"""
import datetime
import os
import os.path as osp
import socket
import sys

try:
    import fcntl
except ImportError:  # Windows: no flock, so no lock (documented)
    fcntl = None

LOCK_NAME = '.mmkd_train.lock'
# the launchers' variables for the global rank of this process
_RANK_VARIABLES = ('RANK', 'SLURM_PROCID', 'OMPI_COMM_WORLD_RANK')


class WorkDirLockedError(RuntimeError):
    """Another run holds the work dir."""


def global_rank():
    """This process's global rank under torchrun / slurm / mpirun, else 0."""
    for name in _RANK_VARIABLES:
        value = os.environ.get(name)
        if value is not None and value.strip().isdigit():
            return int(value)
    return 0


class WorkDirLock:
    """An exclusive, non-blocking lock on a work dir.

    Use as a context manager, or call :meth:`acquire` / :meth:`release`.
    Only global rank 0 of a distributed run locks (the other ranks belong
    to the same run).

    Args:
        work_dir (str): the run's work dir (created if missing).
    """

    def __init__(self, work_dir):
        self.work_dir = str(work_dir)
        self.path = osp.join(self.work_dir, LOCK_NAME)
        self._file = None

    def acquire(self):
        """Take the lock, or raise :class:`WorkDirLockedError` at once."""
        if fcntl is None or global_rank() != 0 or self._file is not None:
            return self
        os.makedirs(self.work_dir, exist_ok=True)
        # 'a+' keeps the holder's description readable until we own it
        handle = open(self.path, 'a+')
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or 'another process'
            handle.close()
            raise WorkDirLockedError(
                f'work dir {self.work_dir} is in use by another training '
                f'run ({holder}): wait for it to finish, or pass another '
                '--work-dir.') from None
        handle.seek(0)
        handle.truncate()
        started = datetime.datetime.now().isoformat(timespec='seconds')
        handle.write(f'pid {os.getpid()} on {socket.gethostname()}, '
                     f'started {started}: {" ".join(sys.argv)[:200]}\n')
        handle.flush()
        self._file = handle
        return self

    def release(self):
        """Drop the lock (also done by the OS when the process ends)."""
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()
