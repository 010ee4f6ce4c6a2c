"""Running the chunks of a sweep on this machine: in this process (one worker) or on a process pool.

Both are backends of the same shape (:class:`~.evaluate.Backend`): ``start(job, tasks, n_tasks)``
yields each chunk's columns as it finishes; ``close()`` releases the workers. :class:`InFlight` keeps only
a few tasks per worker in flight at a time (the Dask backend shares it), so memory stays flat however many
chunks a sweep has.
"""

from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Iterator

from ..processes import process_pool
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


class InFlight:
    """A few tasks per worker in flight: the next task is sent whenever one finishes. Subclasses say how a
    task is sent (``_send(task) -> future``) and what a failed future means (``_failure``)."""

    pending: dict

    def fill(self, tasks: Iterator[Task], n: int) -> None:
        """Take tasks from ``tasks`` from now on, and send the first ``n``."""
        self.queue, self.pending = iter(tasks), {}
        for _ in range(n):
            self.refill()

    def refill(self) -> None:
        """Send the next task, if any is left."""
        task = next(self.queue, None)
        if task is not None:
            self.pending[self._send(task)] = task.chunk

    def collect(self, future: Any) -> tuple[int, dict]:
        """``(chunk, columns)`` of a finished future, after sending the next task; RunFailed if it failed."""
        chunk = self.pending.pop(future)
        try:
            result = future.result()
        except RunFailed:
            raise
        except Exception as exc:
            raise self._failure(exc, chunk) from None
        self.refill()
        return chunk, result

    def _send(self, task: Task) -> Any:
        raise NotImplementedError

    def _failure(self, exc: Exception, chunk: int) -> Exception:
        raise NotImplementedError


class ProcessPool(InFlight):
    """Runs chunks on ``workers`` local processes (default: all cores; never more than there are tasks),
    started from :func:`model.processes.process_pool` (they end when this process does)."""

    where = "local processes"

    def __init__(self, workers: int | None = None) -> None:
        self.requested = workers or os.cpu_count() or 1
        self.workers = self.requested
        self.pool: ProcessPoolExecutor | None = None
        self.pending = {}

    def start(self, job: Job, tasks: Iterator[Task], n_tasks: int) -> Iterator[tuple[int, dict]]:
        """Starts the processes now (before a progress bar starts its thread, so they can be forked) and
        submits the first tasks; the returned iterator yields ``(chunk, columns)`` as chunks finish."""
        self.workers = max(1, min(self.requested, n_tasks))
        # the package's one process context (fork while single-threaded); workers leave Ctrl-C to this process
        # and end when it ends, however it ends
        self.pool = process_pool(self.workers)
        self.job = job
        self.fill(tasks, IN_FLIGHT_PER_WORKER * self.workers)
        return self._finished()

    def _send(self, task: Task) -> Any:
        return self.pool.submit(run_chunk, self.job, task.start, task.stop, task.rows, task.first_point)

    def _failure(self, exc: Exception, chunk: int) -> RunFailed:
        if isinstance(exc, BrokenProcessPool):
            return RunFailed(f"a worker process died (killed, or out of memory?) while running chunk {chunk}")
        return RunFailed(f"chunk {chunk} failed in a worker process: {type(exc).__name__}: {exc}")

    def _finished(self) -> Iterator[tuple[int, dict]]:
        while self.pending:
            finished, _ = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: self.pending[f]):
                yield self.collect(future)

    def close(self) -> None:
        """Cancels the tasks not yet started and waits for the processes to end."""
        self.pending.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
