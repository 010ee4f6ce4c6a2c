"""Running the chunks of a sweep on this machine: in this process (one worker) or on a process pool.

Both are backends of the same shape (:class:`~.evaluate.Backend`): ``start(job, tasks, n_tasks)``
yields each chunk's columns as it finishes; ``close()`` releases the workers. Only a few tasks per worker
are in flight at a time, so memory stays flat however many chunks a sweep has.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator

from ..processes import process_context
from .evaluate import Job, RunFailed, Task, run_chunk

IN_FLIGHT_PER_WORKER = 2


class InProcess:
    """Runs every chunk in the calling process, one after another (``--workers 1``)."""

    where = "in-process"
    workers = 1

    def start(self, job: Job, tasks: Iterator[Task], n_tasks: int) -> Iterator[tuple[int, dict]]:
        """Yields ``(chunk, columns)`` for each task, in order."""
        return ((t.chunk, run_chunk(job, t.start, t.stop, t.rows, t.first_point)) for t in tasks)

    def close(self) -> None:
        """Nothing to release."""


class ProcessPool:
    """Runs chunks on ``workers`` local processes (default: all cores; never more than there are tasks),
    started from :func:`model.processes.process_context`."""

    where = "local processes"

    def __init__(self, workers: int | None = None) -> None:
        self.requested = workers or os.cpu_count() or 1
        self.workers = self.requested
        self.pool: ProcessPoolExecutor | None = None
        self.pending: dict = {}

    def start(self, job: Job, tasks: Iterator[Task], n_tasks: int) -> Iterator[tuple[int, dict]]:
        """Starts the processes now (before a progress bar starts its thread, so they can be forked) and
        submits the first tasks; the returned iterator yields ``(chunk, columns)`` as chunks finish."""
        self.workers = max(1, min(self.requested, n_tasks))
        # the package's one process context (fork while single-threaded); workers leave Ctrl-C to this process
        self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=process_context(),
                                        initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
        self.job, self.queue = job, iter(tasks)
        for _ in range(IN_FLIGHT_PER_WORKER * self.workers):
            self._submit()
        return self._finished()

    def _submit(self) -> None:
        task = next(self.queue, None)
        if task is not None:
            future = self.pool.submit(run_chunk, self.job, task.start, task.stop, task.rows, task.first_point)
            self.pending[future] = task.chunk

    def _finished(self) -> Iterator[tuple[int, dict]]:
        while self.pending:
            finished, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: self.pending[f]):
                chunk = self.pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise RunFailed("a worker process died (killed, or out of memory?) while running chunk "
                                    f"{chunk}") from None
                self._submit()
                yield chunk, result

    def close(self) -> None:
        """Cancels the tasks not yet started and waits for the processes to end."""
        self.pending.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
