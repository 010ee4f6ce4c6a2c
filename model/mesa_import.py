"""Mesa, imported without changing the user's process-wide start method.

Mesa 3.3's ``mesa.batchrunner`` (imported by ``import mesa``) calls
``multiprocessing.set_start_method("spawn", force=True)``. That would make every worker of the user's own
code — and of ours — re-import everything, and break scripts without an ``if __name__ == "__main__"``
guard on Linux. Every module of the package imports Mesa from here, which puts the start method back as it
was. Our own pools choose their context explicitly (:mod:`model.processes`).
"""

from __future__ import annotations

import multiprocessing

_before = multiprocessing.get_start_method(allow_none=True)
import mesa  # noqa: E402

if multiprocessing.get_start_method(allow_none=True) != _before:
    multiprocessing.set_start_method(_before, force=True)

__all__ = ["mesa"]
