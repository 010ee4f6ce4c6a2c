"""Mesa, imported without changing the user's process-wide start method.

Mesa 3.3's ``mesa.batchrunner`` (imported by ``import mesa``) calls
``multiprocessing.set_start_method("spawn", force=True)``. That would make every worker of the user's own
code — and of ours — re-import everything, and break scripts without an ``if __name__ == "__main__"``
guard on Linux. Every module of the package imports Mesa from here, which puts the start method back as it
was. Our own pools choose their context explicitly (:mod:`model.processes`).

The model uses only ``mesa.Model`` and ``mesa.Agent``; the package's ``__init__`` also imports its spaces,
experimental features and batch runner, and with them SciPy, NetworkX and tqdm (0.3-0.5 s of every command
that runs the model). So ``mesa.model`` and ``mesa.agent`` are imported alone and the ``__init__`` runs when
any other name is first asked of ``mesa`` (``mesa.space``, ``from mesa import batch_run``): nothing a user
of Mesa does changes, it only comes later.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import multiprocessing
import sys
from contextlib import contextmanager
from typing import Any

def _outer_frames(frame, context: int = 1) -> list:
    """``inspect.getouterframes(frame)`` without what it costs: ``frame`` and its callers, without their source
    lines and files (Mesa's loggers need only a frame, to name its module, or a function's name)."""
    frames = []
    while frame is not None:
        code = frame.f_code
        frames.append(inspect.FrameInfo(frame, code.co_filename, frame.f_lineno, code.co_name, None, None))
        frame = frame.f_back
    return frames


def _stack(context: int = 1) -> list:
    """``inspect.stack()`` as :func:`_outer_frames`."""
    return _outer_frames(sys._getframe(1))


def _getmodule(obj, _filename=None):
    """``inspect.getmodule`` for a frame from the module it runs in (Mesa's module loggers ask for that of
    the frame importing them; the standard one scans every loaded module's file for it), else as before."""
    if inspect.isframe(obj):
        module = sys.modules.get(obj.f_globals.get("__name__", ""))
        if module is not None:
            return module
    return _inspect[2](obj, _filename)


# Mesa names its modules' loggers and logged methods with ``inspect.stack()``, ``inspect.getouterframes`` and
# ``inspect.getmodule``, which look up the source file, lines and module of every frame of the import under
# way (the import system's frames have no file, so each is searched for among all loaded modules): 0.1-0.3 s
# of every command that runs the model. Only while Mesa is imported, the frames are listed without them.
_inspect = inspect.stack, inspect.getouterframes, inspect.getmodule


@contextmanager
def _quietly_inspected():
    """While Mesa's modules are imported: :func:`_stack`, :func:`_outer_frames`, :func:`_getmodule` in
    ``inspect``, and the start method put back as it was after (``mesa.batchrunner`` sets it)."""
    before = multiprocessing.get_start_method(allow_none=True)
    inspect.stack, inspect.getouterframes, inspect.getmodule = _stack, _outer_frames, _getmodule
    try:
        yield
    finally:
        inspect.stack, inspect.getouterframes, inspect.getmodule = _inspect
        if multiprocessing.get_start_method(allow_none=True) != before:
            multiprocessing.set_start_method(before, force=True)


def _complete(name: str) -> Any:
    """The rest of ``import mesa`` (its ``__init__``: Mesa's spaces, experimental features, batch runner and
    data collector, which import SciPy, NetworkX and tqdm: 0.3-0.5 s), run when a name the model does not use
    is first asked of the package; then the name."""
    module = sys.modules["mesa"]
    if not module.__dict__.pop("_spridning_partial", False):
        raise AttributeError(f"module 'mesa' has no attribute {name!r}")
    del module.__getattr__
    with _quietly_inspected():
        module.__spec__.loader.exec_module(module)
    return getattr(module, name)


def _load() -> Any:
    """Mesa as the model needs it: ``mesa.Model`` and ``mesa.Agent`` (modules ``mesa.model``, ``mesa.agent``)
    imported without the package's ``__init__``, which runs when another name is first asked of ``mesa``
    (:func:`_complete`: ``mesa.space``, ``mesa.batch_run``, ``import mesa.experimental`` work as always). A
    Mesa already imported, or one whose package cannot be set up so, is imported whole."""
    if "mesa" in sys.modules:
        return sys.modules["mesa"]
    spec = importlib.util.find_spec("mesa")
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        with _quietly_inspected():
            return importlib.import_module("mesa")
    module = importlib.util.module_from_spec(spec)
    module._spridning_partial = True
    module.__getattr__ = _complete
    sys.modules["mesa"] = module
    try:
        with _quietly_inspected():
            importlib.import_module("mesa.agent")
            importlib.import_module("mesa.model")
        module.Agent, module.Model = module.agent.Agent, module.model.Model
    except BaseException:
        for name in [m for m in sys.modules if m == "mesa" or m.startswith("mesa.")]:
            del sys.modules[name]
        raise
    return module


mesa = _load()

__all__ = ["mesa"]
