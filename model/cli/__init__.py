"""The ``spridning`` command (also ``python -m model``).

Each command is one module of this package that owns its parser (``add_parser(subparsers)``) and its
action (``cmd_<name>(args)``), as each SALib method module owns its command-line hooks: :mod:`.run`,
:mod:`.validate`, :mod:`.compare`, :mod:`.levers`, :mod:`.sensitivity`. Argument types they share are in
:mod:`.args`. Actions import the model only when they run, so ``spridning --help`` stays quick.

Bad input stops with one clear message on stderr and exit status 2; Ctrl-C stops with status 130 and
leaves no half-written file. A reader that closes the output early (``spridning levers | head``) ends the
command quietly with status 141 (128 + SIGPIPE, what a shell reports for a command killed by a closed pipe):
no traceback, and no "Exception ignored" line when Python flushes at exit.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import signal
import sys

from . import calibrate, compare, dashboard, levers, report, robust, run, sensitivity, validate

#: the exit status of a command whose output was closed early by its reader (128 + SIGPIPE)
BROKEN_PIPE = 141

COMMANDS = (run, validate, compare, levers, sensitivity, robust, report, dashboard, calibrate)
#: a command's parser may set ``imports`` (module names): they are imported before its action runs, with
#: the garbage collector paused (:func:`model.environment.collector_paused`)
#: commands that neither run the model nor draw: they load neither numba nor matplotlib, so skip their check
LIGHT = ("validate", "levers")


def build_parser() -> argparse.ArgumentParser:
    """The ``spridning`` parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="spridning", description="Simulate how innovations spread across Sweden's public sector.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def _quiet_stdout() -> None:
    """Point stdout at the null device, so that Python's flush at exit finds no closed pipe to complain
    about (the recipe of the Python documentation, "Note on SIGPIPE")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (a test's capture)
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 a run failed, 2 bad input, 130 Ctrl-C,
    141 the output was closed early by its reader, e.g. ``| head``).

    Ctrl-C at any moment after this is called — while modules load, workers start, runs run, files or
    charts are written — prints exactly one line and returns 130.
    """
    try:
        status = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's own flush at exit
    except BrokenPipeError:
        _quiet_stdout()
        status = BROKEN_PIPE
    if argv is None and os.path.basename(sys.argv[0] if sys.argv else "") == "spridning":  # the installed command
        end_process(status)
    return status


def end_process(status: int) -> None:
    """End the ``spridning`` process with ``status`` once its output is flushed, without Python's teardown of
    every module (0.05-0.15 s of numba's, pandas' and matplotlib's objects freed one by one, for a process
    that ends anyway): every file the command writes is complete and closed when it returns, and its worker
    processes are joined. Exit handlers run first (``atexit``)."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed early by its reader (status 141 already)
            pass
    os._exit(status if isinstance(status, int) else 1)


def _main(argv: list[str] | None) -> int:
    """:func:`main` without the closed-pipe handling."""
    try:
        from ..errors import InputError

        args = build_parser().parse_args(argv)
        try:
            from ..environment import check, collector_paused

            with collector_paused():  # imports make many objects and no garbage (a fifth of their time)
                if args.command not in LIGHT:
                    check()  # numba's and matplotlib's settings, before any work that could be lost
                for name in getattr(args, "imports", ()):
                    importlib.import_module(name)
                if run._ends_the_process():
                    # what was imported stays to the end: frozen, it is never walked again. Left to the
                    # collector, its first pass after the pause walks every object the imports made
                    # (0.1 s after `run`'s imports, 15 ms after `validate`'s) and frees none
                    gc.freeze()
            return args.func(args)
        except InputError as exc:
            print(exc, file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        # a second Ctrl-C (or the same one seen twice while the interpreter unwinds) must not turn the
        # clean exit into a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("interrupted: nothing half-written was left behind", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
