"""The levers' compiled kernel modules, imported on first use and then handed out from a dict.

Lever modules are read by ``spridning validate``, which must not load numba, so they import their kernel
modules (``knowhow_kernel``, ``reviewers``, ...) inside the methods that run them. A function-level
``from .knowhow_kernel import train`` costs about 2 µs every time it runs (Python resolves the relative
import anew), and levers ran several such statements every quarter (issue 21: a lever quarter's Python
work); :func:`kernels` costs a dictionary lookup once the module is loaded.
"""

from __future__ import annotations

import importlib
from types import ModuleType

_LOADED: dict[str, ModuleType] = {}


def kernels(name: str) -> ModuleType:
    """The module ``model.levers.<name>`` (a kernel module, e.g. ``"knowhow_kernel"``), imported on first use."""
    module = _LOADED.get(name)
    if module is None:
        module = _LOADED[name] = importlib.import_module(f"{__package__}.{name}")
    return module


def bound(dispatcher):
    """``dispatcher`` (a compiled kernel) bound to its compiled version on its first call
    (:class:`model.kernelcall.BoundKernel`): a lever binds its quarter's kernel once per run, so later
    quarters skip numba's typing of the arguments (about 4 µs a call for a kernel taking named tuples). The
    arguments must keep their types within the run (the tests check that: ``kernelcall.CHECK_TYPES``)."""
    from ..kernelcall import BoundKernel  # plain Python: no numba

    return BoundKernel(dispatcher)
