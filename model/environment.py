"""The environment of the libraries the product uses — numba (compiling, its cache) and matplotlib (drawing)
— loaded so that a broken setting gives one clear line, never a traceback or a lost result.

- :func:`njit` is numba's ``njit`` with the compile cache on where numba can write one (``NUMBA_CACHE_DIR``,
  else ``__pycache__`` beside the source, else the user's cache folder) and off where it cannot (a
  read-only install and no writable home): the kernels are then compiled in memory at every start, and
  one line says so and how to set ``NUMBA_CACHE_DIR``. The machine code, and so every result, is the same
  either way. This is the one place that decides; every kernel module compiles with it.
- :func:`check`, called by the command line before a command that runs the model or draws, loads numba
  and matplotlib: a setting they cannot parse is said in one line and left out (``NUMBA_NUM_THREADS=abc``,
  an unknown ``MPLBACKEND`` — the product draws into files with matplotlib's default backend and needs no
  window); a setting that stops a library from loading at all (``NUMBA_NUM_THREADS=0``) is an
  :class:`~model.errors.InputError` naming it; a configuration folder matplotlib cannot write
  (``MPLCONFIGDIR`` or ``XDG_CACHE_HOME`` a file or read-only) is replaced by a temporary one for the
  command, said in one line.

Each line is said once per command: a setting left out or replaced is removed from (or set in) this
process's environment, which worker processes inherit, and lines already said are recorded there too.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import InputError

#: names of the lines already said in this command (worker processes inherit it)
SAID = "SPRIDNING_ENVIRONMENT_SAID"
NO_CACHE = ("numba can write its compile cache nowhere (not in NUMBA_CACHE_DIR, not beside the package, not "
            "in the user's cache folder); the model is compiled in memory at every start (about 10 s). Set "
            "NUMBA_CACHE_DIR to a writable folder to cache it")

#: whether kernels are compiled with numba's on-disk cache (False once numba has found nowhere to write)
caching = True


def say_once(key: str, text: str) -> None:
    """Print ``text`` as one line on stderr unless a line ``key`` was said already in this command."""
    if mark_said(key):
        print(" ".join(text.split()), file=sys.stderr, flush=True)


def mark_said(key: str) -> bool:
    """Record that the line ``key`` was said in this command (it was said otherwise, e.g. above a progress
    bar); whether it was not recorded before."""
    said = set(filter(None, os.environ.get(SAID, "").split(",")))
    if key in said:
        return False
    os.environ[SAID] = ",".join(sorted(said | {key}))
    return True


def _writable_folder(path: str) -> bool:
    """Whether ``path`` is (or can be made) a folder a file can be written in: numba's own test."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            return True
    except OSError:
        return False


def _load_numba() -> Any:
    """numba, loaded with its complaints about its settings turned into one line each (the setting is
    then dropped from the environment: numba used its default); InputError when a setting stops it."""
    if "numba" in sys.modules:
        return sys.modules["numba"]
    set_ = {k: v for k, v in os.environ.items() if k.startswith("NUMBA_")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            import numba
        except Exception as error:  # noqa: BLE001 - a setting that stops numba: said with the settings
            if not set_:
                raise
            raise InputError(f"{_settings(set_)}: numba cannot start with this ({_first_line(error)}); fix or "
                             "unset it") from None
    for warning in caught:
        text = str(warning.message)
        name = next((k for k in set_ if f"'{k}'" in text), None)
        if name is None:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
            continue
        os.environ.pop(name, None)
        say_once(name, f"{name}={set_[name]}: numba cannot read this value; ignored (numba's default is used): "
                       "fix or unset it")
    if os.environ.get("NUMBA_CACHE_DIR") and not _writable_folder(os.environ["NUMBA_CACHE_DIR"]):
        say_once("NUMBA_CACHE_DIR", f"NUMBA_CACHE_DIR={os.environ['NUMBA_CACHE_DIR']}: not a folder numba can "
                 "write in; its compile cache goes beside the package or in the user's cache folder instead: "
                 "point it at a writable folder or unset it")
    return numba


def njit(announce: str | None = None, **options: Any) -> Callable[[Callable], Any]:
    """``numba.njit(cache=True, **options)``, or ``cache=False`` once numba finds nowhere to write its
    cache (said once: :data:`NO_CACHE`). With ``announce``, the kernel's compiling (not its loading from
    the cache) is said once per command before it starts: ``"compiling <announce> ..."`` on stderr
    (:func:`_compiling_announced`; all kernels with the same text share the line)."""
    numba = _load_numba()

    def decorate(function: Callable) -> Any:
        global caching
        kernel = None
        if caching:
            try:
                kernel = numba.njit(cache=True, **options)(function)
            except RuntimeError as error:  # "cannot cache function ...: no locator available for file ..."
                if "cannot cache" not in str(error):
                    raise
                caching = False
                say_once("no-cache", NO_CACHE)
        if kernel is None:
            kernel = numba.njit(cache=False, **options)(function)
        else:
            _read_stale_index_as_empty(kernel)
        if announce:
            _announced[kernel] = announce
            _listen_to_compiling()
        return kernel

    return decorate


def _read_stale_index_as_empty(kernel: Any) -> None:
    """Let ``kernel``'s compile cache read an index it cannot unpickle as empty, so the kernel is compiled
    and the index written anew. numba unpickles a cache index whole before it compares the source stamp,
    and an index names the types of every signature cached: one naming a class that is gone (a named tuple
    a newer version of a kernel module no longer has) raised ``AttributeError: Can't get attribute ...``
    from every run instead of being stale (tests/test_environment.py). Without numba's cache internals
    nothing is done."""
    import pickle

    try:
        cache_file = kernel._cache._cache_file
        load = cache_file._load_index
    except AttributeError:  # another numba's internals: its own reading
        return

    def load_index() -> dict:
        try:
            return load()
        except (AttributeError, ImportError, pickle.UnpicklingError, EOFError, ValueError):
            return {}  # written by another version of the package: stale

    cache_file._load_index = load_index


#: the kernels whose compiling is said (:func:`njit`'s ``announce``), and their texts
_announced: dict[Any, str] = {}
#: the key of every announced compilation in :func:`say_once`: said once per command whatever the kernel
COMPILING_ANNOUNCED_SAID = "compiling-announced"
_listening = False


def say_compiling_ahead(text: str) -> bool:
    """Say ``"compiling <text> ..."`` (once per command, the line of :func:`njit`'s ``announce``) if a kernel
    with an ``announce`` is not in the compile cache: for work another process compiles (its compiling is
    said there to nobody). Whether such a kernel was found."""
    for kernel in list(_announced):
        try:
            cached = bool(kernel._cache._cache_file._load_index())
        except AttributeError:  # compiled in memory, or another numba's internals: nothing to say
            continue
        if not cached:
            say_once(COMPILING_ANNOUNCED_SAID, f"compiling {text} ...")
            return True
    return False


def _listen_to_compiling() -> None:
    """Listen (once per process) to numba's ``numba:compile`` event, which numba sends when it compiles a
    kernel after finding no machine code for it in its cache, before the compiling starts: a warm cache
    sends none, so nothing is said."""
    global _listening
    if _listening:
        return
    from numba.core import event

    class Listener(event.Listener):
        def on_start(self, e: Any) -> None:
            text = _announced.get((e.data or {}).get("dispatcher"))
            if text:
                say_once(COMPILING_ANNOUNCED_SAID, f"compiling {text} ...")

        def on_end(self, e: Any) -> None:
            pass

    event.register("numba:compile", Listener())
    _listening = True


@contextmanager
def collector_paused(pause: bool = True) -> Iterator[None]:
    """Python's cyclic garbage collector switched off inside (if ``pause`` and it was on), back on after.

    For work that makes many objects and few cycles, where the collector's passes over everything made
    so far cost a fifth of the time and free almost nothing: importing the libraries (pandas, numba,
    matplotlib: 0.2-0.3 s of a command's 1.3 s of imports) and numba's compiling (2 s of a first run's
    12 s; the first run, which compiles, keeps its model until the collector runs again). Not around other
    runs: a run's model and agents refer to each other, and only the collector frees them.
    """
    if not pause or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _TemporaryFolderNote(logging.Filter):
    """Keeps matplotlib's own notes that it could not make its configuration folder and made a temporary
    one (said by :func:`check` in one line instead, once)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        if "temporary" in record.getMessage() or "mkdir -p failed" in record.getMessage():
            self.seen = True
            return False
        return True


def _load_matplotlib() -> Any:
    """matplotlib, loaded with an unknown ``MPLBACKEND`` left out and an unwritable configuration folder
    replaced by a temporary one (each said in one line); InputError when another setting stops it."""
    if "matplotlib" in sys.modules:
        return sys.modules["matplotlib"]
    given = ", ".join(f"{k}={os.environ[k]}" for k in ("MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
                      if os.environ.get(k)) or "the configuration and cache folders under HOME"
    note = _TemporaryFolderNote()
    logger = logging.getLogger("matplotlib")
    logger.addFilter(note)
    try:
        try:
            import matplotlib
        except ValueError as error:
            backend = os.environ.pop("MPLBACKEND", None)
            if backend is None or "backend" not in str(error):
                raise InputError(f"{_settings(_matplotlib_settings())}: matplotlib cannot start with this "
                                 f"({_first_line(error)}); fix or unset it") from None
            say_once("MPLBACKEND", f"MPLBACKEND={backend}: not a matplotlib backend; ignored (charts are drawn "
                                   "into files and need none): unset it or name a backend such as Agg")
            for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
                del sys.modules[name]  # the half-loaded package, loaded again without the setting
            import matplotlib
        matplotlib.get_configdir(), matplotlib.get_cachedir()  # found when first asked for: ask now
    finally:
        logger.removeFilter(note)
    if note.seen:
        folder = matplotlib.get_cachedir()
        os.environ["MPLCONFIGDIR"] = folder  # the worker processes use the same one
        say_once("MPLCONFIGDIR", f"{given}: matplotlib cannot write its configuration or cache there; it uses the "
                 f"temporary folder {folder} for this command (slower start): set MPLCONFIGDIR to a writable "
                 "folder")
    return matplotlib


def _matplotlib_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("MPL") or k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME")}


def _settings(found: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(found.items())) or "the environment"


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:160]


def check() -> None:
    """Load numba and matplotlib as the product needs them (see the module's description): settings they
    cannot read are said once and left out; InputError, naming the setting, when one stops them loading."""
    _load_numba()
    _load_matplotlib()
