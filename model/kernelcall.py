"""Calling one compiled kernel many times in a run without paying numba's type dispatch each time.

A run with levers calls the quarter loop and the tie-signal kernel once per quarter with some sixty arrays
packed in named tuples. numba's dispatcher types every argument on every call to pick the compiled
version; for named tuples it does so in Python, which cost about 30 of the 43 microseconds of such a call
(measured on the quarter loop, benchmarks/bench_run.py's machine) — more than a quarter of the compiled
work itself. :class:`BoundKernel` resolves the compiled version once, from the first call's arguments,
and then calls its entry point directly. The arguments of later calls must have the same numba types
(the same dtypes, dimensions and layouts, the same named-tuple shapes); the run's arrays are made once and
keep them. With ``check=True`` (or :data:`CHECK_TYPES`, set by the tests) every call's types are compared with
the first call's.
"""

from __future__ import annotations

from typing import Any

#: compare every call's argument types with the first call's (set by the tests; costs the time saved)
CHECK_TYPES = False

#: a dispatcher's only compiled version, by dispatcher: looking it up in numba's table costs about 0.2 ms
_ONLY_VERSION: dict[Any, Any] = {}


class BoundKernel:
    """A numba dispatcher bound, on its first call, to the compiled version for that call's argument types.

    ``kernel(*args)`` behaves as ``dispatcher(*args)``. Errors: with ``check``, a call whose argument types
    differ from the first call's raises ``TypeError`` (without it such a call would misread its arguments,
    so callers bind a new ``BoundKernel`` per run). Falls back to the dispatcher when numba's internals
    (``overloads``, ``entry_point``) are not there.
    """

    def __init__(self, dispatcher: Any, check: bool | None = None) -> None:
        self.dispatcher = dispatcher
        self.check = CHECK_TYPES if check is None else check
        self._entry = None
        self._types: tuple | None = None

    def _types_of(self, args: tuple) -> tuple:
        return tuple(self.dispatcher.typeof_pyval(a) for a in args)

    def _resolve(self, args: tuple):
        """The entry point the dispatcher just used for ``args``: its only compiled version (typing the
        arguments again would cost more than a run saves), else the one for their types."""
        try:
            overloads = self.dispatcher.overloads
            if len(overloads) == 1 and not self.check:
                if self.dispatcher not in _ONLY_VERSION:
                    _ONLY_VERSION[self.dispatcher] = next(iter(overloads.values())).entry_point
                return _ONLY_VERSION[self.dispatcher]
            self._types = self._types_of(args)
            return overloads[self._types].entry_point
        except (AttributeError, KeyError):  # another numba's internals: keep dispatching
            return self.dispatcher

    def __call__(self, *args):
        """Run the kernel on ``args`` (see the class docstring)."""
        if self._entry is None:
            result = self.dispatcher(*args)  # compiles or loads the version these types need
            self._entry = self._resolve(args)
            return result
        if self.check and self._types is not None and self._types_of(args) != self._types:
            raise TypeError(f"{self.dispatcher.__name__}: argument types changed within a run "
                            f"(first {self._types}, now {self._types_of(args)})")
        return self._entry(*args)


class KeyedKernel:
    """A numba dispatcher called once per run with arguments that take numba long to type — named tuples of
    some fifty arrays, about 0.2 ms each time in Python — whose compiled version is found instead by
    ``key(args)``, something cheap to compute that decides their types (the classes of the named tuples,
    whose arrays their makers give fixed dtypes), kept for the process.

    ``kernel(*args)`` behaves as ``dispatcher(*args)``. The first call with a key goes through the
    dispatcher (compiling or loading the version it needs) and notes that version and the arguments' types;
    later calls with the key call it directly. A key that did not decide the types would misread arguments,
    so with ``check`` (or :data:`CHECK_TYPES`, set by the tests) every call's types are compared with those
    noted for its key: a difference raises ``TypeError``. Falls back to the dispatcher when numba's internals
    (``overloads``, ``entry_point``) are not there.
    """

    def __init__(self, dispatcher: Any, key: Any, check: bool | None = None) -> None:
        self.dispatcher = dispatcher
        self.key = key
        self.check = check
        self._found: dict[Any, tuple[Any, tuple]] = {}  # key -> (entry point, argument types)

    def _types_of(self, args: tuple) -> tuple:
        return tuple(self.dispatcher.typeof_pyval(a) for a in args)

    def __call__(self, *args):
        """Run the kernel on ``args`` (see the class docstring)."""
        key = self.key(args)
        found = self._found.get(key)
        if found is None:
            result = self.dispatcher(*args)  # compiles or loads the version these types need
            types = self._types_of(args)
            try:
                self._found[key] = (self.dispatcher.overloads[types].entry_point, types)
            except (AttributeError, KeyError):  # another numba's internals: keep dispatching
                self._found[key] = (self.dispatcher, types)
            return result
        entry, types = found
        if (CHECK_TYPES if self.check is None else self.check) and self._types_of(args) != types:
            raise TypeError(f"{self.dispatcher.__name__}: arguments of key {key} typed {self._types_of(args)}, "
                            f"not {types} as before")
        return entry(*args)
