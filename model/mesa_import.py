"""Mesa, imported without changing the user's process-wide start method.

Mesa 3.3's ``mesa.batchrunner`` (imported by ``import mesa``) calls
``multiprocessing.set_start_method("spawn", force=True)``. That would make every worker of the user's own
code — and of ours — re-import everything, and break scripts without an ``if __name__ == "__main__"``
guard on Linux. Every module of the package imports Mesa from here, which puts the start method back as it
was. Our own pools choose their context explicitly (:mod:`model.processes`).
"""

from __future__ import annotations

import inspect
import multiprocessing
import sys

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


# Mesa names its modules' loggers and logged methods with ``inspect.stack()`` and ``inspect.getouterframes``,
# which look up the source file, lines and module of every frame of the import under way (the import system's
# frames have no file, so each is searched for among all loaded modules): 0.1-0.3 s of every command that
# runs the model (its import of Mesa: 0.80-0.86 s -> 0.44-0.64 s under `python -X importtime`, load 2-3).
# Only while Mesa is imported, the frames are listed without them.
_before = multiprocessing.get_start_method(allow_none=True)
_inspect = inspect.stack, inspect.getouterframes
inspect.stack, inspect.getouterframes = _stack, _outer_frames
try:
    import mesa  # noqa: E402
finally:
    inspect.stack, inspect.getouterframes = _inspect

if multiprocessing.get_start_method(allow_none=True) != _before:
    multiprocessing.set_start_method(_before, force=True)

__all__ = ["mesa"]
