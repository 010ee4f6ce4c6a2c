"""Compiling a kernel in a forked process while this one goes on, so a first run uses two cores.

numba compiles each kernel when it is first called, and the first run in a fresh environment calls four:
the people kernel and the tie-signal kernel while the model is built, then the quarter loop and the life
cycle (the largest kernel), which the loop calls by its address (:mod:`model.dynamics.native`), so that
each compiles on its own. Only the loop calls the life cycle, so with an empty cache the loop's module
(:func:`model.dynamics.quarters.compile_ahead`) has :func:`start` fork a process that compiles the life
cycle into numba's on-disk cache while this process builds the model and compiles the other three;
:func:`wait` (:func:`waiting`: whether there is a process to wait for), called before the life cycle's
address is needed, lets it finish, and this process then loads the life cycle from the cache. The machine
code is the same whichever process compiled it.

The forked process needs the kernel's argument types, which depend on the run's arrays: it builds a run
with the package's other kernels replaced by no-ops (it needs the arrays' types, not their values, and
calling those kernels would compile them a second time, on the critical path: the life cycle's own module's
``introduce`` too), puts them back (the life cycle calls the kernels of :mod:`model.dynamics.hazards`,
:mod:`~model.dynamics.moves` and :mod:`~model.dynamics.payments`) and compiles for the types of its
arguments, with the garbage collector off (numba's compiler makes many objects and no garbage: about 15 %
of its time). It
never returns into the caller's code: it leaves with ``os._exit``, silently, whatever happens. If it fails
or finds other types than the run's, this process compiles the kernel itself, as without it.

A first run with levers also compiles the levers' kernels (grants, know-how, ties: several seconds),
which they would compile one after another before the loop. :func:`start_run` forks a second process once
the model is built, which runs its levers with the quarters not advanced (``model.runner._levers_only``:
the kernels' types are the run's, their values are not used), while this one compiles the loop once the
life cycle is compiled; :func:`wait_run` lets it finish before the levers first act, and they load their
kernels from the cache.

It forks only where that is safe and cheap: on Linux, in a process with no other Python thread (the rule
of :func:`model.processes.process_context`).
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from ..processes import quiet_fork_warning

#: seconds :func:`wait` waits for the life cycle before compiling it here instead (a loaded machine takes
#: several times the usual 4 s)
WAIT_SECONDS = 120.0

#: the forked process (pid) and the process that forked it; pid 0 once started (or found unnecessary) and
#: done with, so each process forks at most once
_child: int | None = None
_parent: int | None = None


def start(kernel: Any, argument_types: Callable[[], tuple], needed: Callable[[], bool]) -> None:
    """Start compiling ``kernel`` for the numba types ``argument_types()`` in a forked process, if
    ``needed()`` (asked once: with an empty compile cache); ``argument_types()`` runs only there. Does
    nothing after the first call in a process, off Linux or with other threads running."""
    global _child, _parent
    if _child is not None:
        return
    _child = 0
    if _may_fork(needed):
        _child, _parent = fork(kernel, argument_types), os.getpid()


def _may_fork(needed: Callable[[], bool]) -> bool:
    """Whether to fork now: on Linux, with no other thread running, and if ``needed()`` (asked last)."""
    return sys.platform == "linux" and threading.active_count() == 1 and needed()


def fork(kernel: Any, argument_types: Callable[[], tuple]) -> int:
    """Fork a process that compiles ``kernel`` for the numba types ``argument_types()`` and exits (status 0
    if ``kernel`` is then compiled for them, else 1); returns its pid. :func:`start` decides whether to;
    this always does."""
    return _fork_silently(lambda: compile_for(kernel, argument_types))


def _fork_silently(work: Callable[[], bool]) -> int:
    """Fork a process that does ``work()`` with Ctrl-C ignored, the collector off and its output discarded,
    and exits (status 0 if ``work()`` returned True, else 1) without ever returning into the caller's code;
    returns its pid."""
    with quiet_fork_warning():
        pid = os.fork()
    if pid:
        return pid
    status = 1
    try:  # the forked process: whatever happens, it must not return into the caller's code
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the parent's to handle
        gc.disable()  # numba's compiler makes many objects and no garbage, and this process only compiles
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        status = 0 if work() else 1
    finally:
        os._exit(status)


def compile_for(kernel: Any, argument_types: Callable[[], tuple]) -> bool:
    """Compile ``kernel`` for the numba types ``argument_types()``, run with the package's other kernels
    (those of ``kernel``'s own module too) replaced by no-ops, which are put back before ``kernel`` is
    compiled (it may call them). Returns whether ``kernel`` is compiled for those types."""
    replaced = []
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("model."):
            for attribute, value in list(vars(module).items()):
                if value is not kernel and _is_kernel(value, module):  # its own module's too (introduce)
                    replaced.append((module, attribute, value))
                    setattr(module, attribute, _nothing)
    try:
        types = tuple(argument_types())
    finally:
        # put back before compiling: ``kernel`` calls kernels of other modules (the hazards, ...), which numba
        # finds in their modules when it compiles it
        for module, attribute, value in replaced:
            setattr(module, attribute, value)
    kernel.compile(types)
    return types in kernel.signatures


def waiting() -> bool:
    """Whether a process this one forked (:func:`start`) may still be compiling: :func:`wait` not yet called."""
    return bool(_child) and _parent == os.getpid()


def wait(timeout: float = WAIT_SECONDS) -> bool:
    """Let the process :func:`start` forked finish (after ``timeout`` seconds it is stopped, and this
    process compiles the kernel itself when it needs it); returns whether the forked process compiled the
    kernel. Returns False at once if none was forked by this process. The work given to :func:`meanwhile`
    is done first if the forked process is still at work."""
    global _child
    pid, _child = _child, 0
    work, _meanwhile[:] = list(_meanwhile), []
    if not pid or _parent != os.getpid():  # none, or a forked worker that inherited the parent's pid
        return False
    if work:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) == 0
        for item in work:  # still compiling: this core would be idle until it ends
            try:
                item()
            except Exception:  # noqa: BLE001 - work done later anyway, where its error is said
                pass
    return _reap(pid, timeout)


#: work to do while waiting for the forked process (:func:`meanwhile`)
_meanwhile: list[Callable[[], None]] = []


def meanwhile(work: Callable[[], None]) -> None:
    """Have :func:`wait` call ``work()`` if the process :func:`start` forked is still compiling when this
    one has built its run and would wait idle: work the command does later anyway, which then costs no time
    (loading the modules that draw the charts: half a second). Ignored if no process is compiling."""
    if _child and _parent == os.getpid():
        _meanwhile.append(work)


#: the process :func:`start_run` forked, and its parent (as :data:`_child`, :data:`_parent`)
_run_child: int | None = None
_run_parent: int | None = None


def start_run(work: Callable[[], None], needed: Callable[[], bool]) -> None:
    """Start ``work()`` (a run that compiles kernels into the cache: the levers') in a forked process, if
    ``needed()``; once per process, on Linux with no other thread, as :func:`start`. The process leaves
    silently whatever happens; what it did not compile, this process compiles when it needs it."""
    global _run_child, _run_parent
    if _run_child is not None:
        return
    _run_child = 0
    if _may_fork(needed):
        _run_child, _run_parent = _fork_silently(lambda: _ran(work)), os.getpid()


def _ran(work: Callable[[], None]) -> bool:
    """Do ``work()``; True when it returns (an error ends the forked process with status 1)."""
    work()
    return True


def wait_run(timeout: float = WAIT_SECONDS) -> bool:
    """Let the process :func:`start_run` forked finish (as :func:`wait`); whether it ran ``work`` through."""
    global _run_child
    pid, _run_child = _run_child, 0
    if not pid or _run_parent != os.getpid():
        return False
    return _reap(pid, timeout)


def _reap(pid: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``pid`` to exit (then stop it); whether it exited with status 0."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) == 0
            time.sleep(0.005)
    except BaseException:  # Ctrl-C (which the forked process ignores): stop it too
        _stop(pid)
        raise
    _stop(pid)
    return False


def _stop(pid: int) -> None:
    """Kill and reap the forked process ``pid`` (if it has not exited already)."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _is_kernel(value: Any, module: Any) -> bool:
    """Whether ``value`` is a numba dispatcher defined in ``module``. By its type: asking a module for an
    attribute it lacks would load it whole where it loads lazily (Mesa, :mod:`model.mesa_import`: with
    pandas, NetworkX and pyarrow, half a second before the life cycle could start compiling)."""
    from numba.core.dispatcher import Dispatcher

    return isinstance(value, Dispatcher) and value.__module__ == module.__name__


def _nothing(*args: Any) -> None:
    """A kernel's stand-in while the forked process builds a run whose values it never reads."""
