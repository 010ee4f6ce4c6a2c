"""Worker processes for replications: one explicit process context, a quick start and a clean Ctrl-C.

Every pool of the package comes from :func:`imap_indexed`:

- **The context is chosen explicitly**, never the process-wide default (which Mesa 3.3 sets to ``spawn``
  on import, see :mod:`model.mesa_import`): ``fork`` on platforms that have it while this process runs a
  single thread, so workers start in milliseconds with everything already imported and compiled;
  ``forkserver`` (with the runner preloaded) when other threads exist (forking them is unsafe); ``spawn``
  elsewhere. With ``fork`` a user's script needs no ``if __name__ == "__main__"`` guard.
- **Workers ignore Ctrl-C**; the parent gets it, terminates them and re-raises ``KeyboardInterrupt`` — so a
  terminal's Ctrl-C, which reaches the whole process group, prints no worker tracebacks.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any


def process_context() -> BaseContext:
    """The multiprocessing context our pools use (see the module docstring).

    Only Python threads count: native threads such as OpenBLAS's pool register fork handlers, and
    Python 3.12's warning about forking a process with threads counts those too
    (:func:`quiet_fork_warning` silences it where we fork by this rule).
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["model.runner"])
        return context
    return multiprocessing.get_context("spawn")


@contextmanager
def quiet_fork_warning() -> Iterator[None]:
    """Silence Python 3.12's DeprecationWarning about fork() in a process with (native) threads, for
    pools started by :func:`process_context`'s rule (no other Python thread is running)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*use of fork\\(\\) may lead to deadlocks",
                                category=DeprecationWarning)
        yield


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def imap_indexed(function: Callable[[Any], Any], jobs: Iterable[Any], workers: int,
                 chunksize: int = 1) -> Iterator[Any]:
    """``function(job)`` for every job on ``workers`` processes, yielded as each finishes (unordered: let
    ``function`` return the job's index with its result). Ctrl-C (or any error) terminates the workers
    before the exception reaches the caller."""
    gc.freeze()  # forked workers inherit the parent's objects: keep the collector from touching (copying) them
    try:
        with quiet_fork_warning():
            pool = process_context().Pool(workers, initializer=_ignore_interrupt)
    finally:
        gc.unfreeze()
    try:
        yield from pool.imap_unordered(function, jobs, chunksize)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
