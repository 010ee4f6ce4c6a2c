"""Worker processes for replications: one explicit process context, a quick start and a clean Ctrl-C.

Every pool of the package comes from :func:`imap_indexed`:

- **The context is chosen explicitly**, never the process-wide default (which Mesa 3.3 sets to ``spawn``
  on import, see :mod:`model.mesa_import`): ``fork`` on platforms that have it while this process runs a
  single thread, so workers start in milliseconds with everything already imported and compiled;
  ``forkserver`` (with the runner preloaded) when other threads exist (forking them is unsafe); ``spawn``
  elsewhere. With ``fork`` a user's script needs no ``if __name__ == "__main__"`` guard.
- **Workers ignore Ctrl-C**; the parent gets it, kills them and re-raises ``KeyboardInterrupt`` — so a
  terminal's Ctrl-C, which reaches the whole process group, prints no worker tracebacks. Workers share no
  lock or queue with the parent (each has its own pipe), so stopping them can never deadlock.
- **Workers end when their parent dies**, however it dies (SIGKILL, the out-of-memory killer): each
  starts with :func:`worker_start`, which asks Linux for a signal on its parent's death and otherwise
  watches the starting process from a thread (always so under ``forkserver``, whose server outlives it).
  No worker outlives a killed command.

The other pools of the package (the sweeps', robustness experiments' and the calibration sampler's
``ProcessPoolExecutor``) come from :func:`process_pool`, which applies the same rules.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import select
import signal
import sys
import threading
import traceback
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext
from typing import Any

#: objects the interpreter had frozen when this module was imported (Python 3.12 starts with some frozen):
#: more than these means a caller froze its own, which the pool must not undo
_FROZEN_AT_START = gc.get_freeze_count()


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


PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 1.0  # how often a worker without prctl looks for its parent


def worker_start(parent: int) -> None:
    """First thing in every worker process: ignore Ctrl-C (the parent handles it), and end when process
    ``parent`` (the one that started the pool) ends, however it ends.

    A worker forked or spawned by ``parent`` asks Linux for SIGTERM at its parent's death
    (``prctl(PR_SET_PDEATHSIG)``), or elsewhere starts a daemon thread that checks every
    :data:`WATCH_SECONDS` that its parent is still ``parent``. A worker of a ``forkserver`` has the server
    as parent, which lives on as long as any worker does: it watches ``parent`` itself (a pidfd on Linux,
    else polling the pid). A worker whose ``parent`` is already gone ends at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # held back while it was forked (_ctrl_c_held_back): now ignored
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if os.getppid() == parent:
        if not _die_with_parent():
            threading.Thread(target=_watch_ppid, args=(parent,), name="parent-watch", daemon=True).start()
        if os.getppid() != parent:  # the parent died before the request above: nothing else would tell
            os._exit(1)
        return
    _die_with_parent()  # the forkserver's death too (it dies when killed, or once its workers are gone)
    try:
        handle = os.pidfd_open(parent) if hasattr(os, "pidfd_open") else None
    except ProcessLookupError:
        os._exit(1)
    except OSError:  # a kernel without pidfds
        handle = None
    threading.Thread(target=_watch_pid, args=(parent, handle), name="parent-watch", daemon=True).start()


@contextmanager
def _ctrl_c_held_back() -> Iterator[None]:
    """Hold Ctrl-C back while workers are forked. A worker inherits the block and lets Ctrl-C through only
    once it ignores it (:func:`worker_start`), so none dies of it half-started, printing a traceback; a
    Ctrl-C meant for this process arrives right after the block."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _die_with_parent() -> bool:
    """Ask Linux to send SIGTERM when the parent ends; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_ppid(parent: int) -> None:
    """End this process once its parent is no longer ``parent`` (an orphan is adopted by another)."""
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _watch_pid(parent: int, handle: int | None) -> None:
    """End this process once process ``parent`` has ended: ``handle`` (its pidfd) becomes readable then;
    without one, poll for the pid every :data:`WATCH_SECONDS`."""
    if handle is not None:
        select.select([handle], [], [])
        os._exit(1)
    while True:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except OSError:  # it exists but is not ours to signal: still there
            pass
        time.sleep(WATCH_SECONDS)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` of ``workers`` processes from :func:`process_context`, each started by
    :func:`worker_start` (ignores Ctrl-C, ends with this process). Start it, and submit to it, from the
    thread that will outlive it (Linux's parent-death signal follows the thread that forked)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=process_context(), initializer=worker_start,
                               initargs=(os.getpid(),))


def _worker(function: Callable[[Any], Any], jobs: list, conn, parent: int) -> None:
    """A worker process: run its share of the jobs, send each result, then ``done`` (or the error)."""
    worker_start(parent)
    try:
        for job in jobs:
            conn.send(("ok", function(job)))
        conn.send(("done", None))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", "".join(traceback.format_exception(exc))))
    finally:
        conn.close()


def imap_indexed(function: Callable[[Any], Any], jobs: Iterable[Any], workers: int,
                 chunksize: int = 1) -> Iterator[Any]:
    """``function(job)`` for every job on ``workers`` processes, yielded as each finishes (unordered: let
    ``function`` return the job's index with its result).

    Jobs are dealt out when the workers start (chunks of ``chunksize`` in turn), and each worker sends its
    results through a pipe of its own. No lock or queue is shared, so stopping can never deadlock (a
    ``multiprocessing.Pool`` can hang in ``terminate()`` when an idle worker holds its task queue's lock):
    Ctrl-C, an error or a caller that stops early kills the workers before the exception reaches the
    caller. A worker's exception is raised here as a RuntimeError carrying its traceback.
    """
    jobs = list(jobs)
    chunks = [jobs[i:i + chunksize] for i in range(0, len(jobs), max(1, chunksize))]
    shares = [[job for chunk in chunks[w::workers] for job in chunk] for w in range(workers)]
    context = process_context()
    processes, pipes = [], []
    caller_froze = gc.get_freeze_count() > _FROZEN_AT_START
    gc.freeze()  # forked workers inherit the parent's objects: keep the collector from touching (copying) them
    try:
        try:
            with quiet_fork_warning(), _ctrl_c_held_back():
                for share in shares:
                    if not share:
                        continue
                    reader, writer = context.Pipe(duplex=False)
                    process = context.Process(target=_worker, args=(function, share, writer, os.getpid()),
                                              daemon=True)
                    process.start()
                    writer.close()
                    processes.append(process)
                    pipes.append(reader)
        finally:
            if not caller_froze:  # gc.unfreeze() would also undo a freeze of the caller's (`spridning run`)
                gc.unfreeze()
        running = list(pipes)
        while running:
            for pipe in wait(running):
                try:
                    kind, value = pipe.recv()
                except EOFError:
                    raise RuntimeError("a worker process ended without sending its results") from None
                if kind == "ok":
                    yield value
                elif kind == "done":
                    running.remove(pipe)
                else:
                    raise RuntimeError(f"a worker process failed:\n{value}")
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
        for process in processes:
            process.join()
        for pipe in pipes:
            pipe.close()
