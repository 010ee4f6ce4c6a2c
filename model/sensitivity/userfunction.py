"""A model given as a Python function, ``model: "module:function"``: finding it and loading it.

The function takes ``(params: dict, seed: int)`` and returns a dict of named numbers. Its module must be
importable: installed, on ``PYTHONPATH``, or a ``.py`` file beside the experiment (or in the current
folder), whose folder is then added to ``sys.path`` in the main process and in every worker.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Callable

from ..errors import InputError, suggest


def add_sys_path(folders: tuple[str, ...]) -> None:
    """Append each of ``folders`` (absolute paths as text) to ``sys.path`` unless it is there already."""
    for folder in folders:
        if folder not in sys.path:
            sys.path.append(folder)


def check_function(target: str, source: str, base: Path) -> tuple[str, ...]:
    """Check that ``target`` (``module:function``) can be imported and is callable.

    ``source`` names the experiment file in messages; ``base`` is its folder. Returns the folders added to
    ``sys.path`` to find the module (empty if it was importable as it is); workers add them too. Raises
    InputError (``FILE: model: ...``) if the module is missing or fails to import, or has no such function.
    """
    module_name, func_name = target.split(":")
    extra: tuple[str, ...] = ()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as first:
        # a module beside the experiment file, or in the current folder
        extra = tuple(dict.fromkeys(str(p) for p in (base, Path.cwd())))
        add_sys_path(extra)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            raise InputError(f"{source}: model: cannot import module '{module_name}' ({first}); it must be "
                             "installed, on PYTHONPATH, or a .py file beside the experiment") from None
    except Exception as exc:  # the user's module failed while importing
        raise InputError(f"{source}: model: importing '{module_name}' failed: {type(exc).__name__}: {exc}") from None
    func = getattr(module, func_name, None)
    if func is None:
        public = [n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n))]
        raise InputError(f"{source}: model: module '{module_name}' has no function '{func_name}'"
                         f"{suggest(func_name, public)}")
    if not callable(func):
        raise InputError(f"{source}: model: '{target}' is not a function")
    return extra


def load_function(target: str, sys_path: tuple[str, ...] = ()) -> Callable:
    """The function ``target`` (``module:function``), after adding ``sys_path`` to ``sys.path``; as
    :func:`check_function` found it (a worker calls this; errors are the import's own)."""
    add_sys_path(sys_path)
    module_name, func_name = target.split(":")
    return getattr(importlib.import_module(module_name), func_name)
