"""Argument types every command shares: whole numbers, seeds and ``--set PATH=VALUE`` overrides.

Each is an ``argparse`` type: it returns the parsed value or raises ``argparse.ArgumentTypeError`` whose
message says what is allowed (argparse prints it with the option's name and exits with status 2).
``--set`` values are the exception: they are read by the command, against the scenario
(:func:`override`).
"""

from __future__ import annotations

import argparse


def whole_number(text: str, minimum: int) -> int:
    """A command-line whole number of at least ``minimum``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (replications, workers)."""
    return whole_number(text, 1)


def seed(text: str) -> int:
    """A root seed: a whole number of at least 0."""
    return whole_number(text, 0)


def override(text: str) -> str:
    """``PATH=VALUE`` of ``--set``, as typed. The command reads it with the scenario
    (:func:`model.scenario.with_set_arguments`: the value as YAML by the rules of scenario files, text kept
    as text in text fields), so that a bad value is one line naming the argument — never a usage message
    or a traceback."""
    return text


def add_execution(parser: argparse.ArgumentParser, scheduler_help: str) -> None:
    """``--workers N`` and ``--scheduler ADDRESS``, the two ways every sweep-like command runs
    (sensitivity, robust, calibrate); :func:`execution_conflict` checks that only one is given."""
    parser.add_argument("--workers", type=positive_int, metavar="N",
                        help="local processes (default: all cores; 1 runs everything in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help=scheduler_help)


def execution_conflict(args: argparse.Namespace) -> bool:
    """Print why and return True when both ``--workers`` and ``--scheduler`` were given (exit 2)."""
    if args.workers and args.scheduler is not None:
        import sys

        print("--workers, --scheduler: give one of them, not both (the cluster decides how many workers run)",
              file=sys.stderr)
        return True
    return False



class SetsAlso(argparse.Action):
    """A flag (no value) that sets its own destination and those in ``also`` to True: ``--no-charts`` on
    ``run`` also means no report (which shows the charts), while ``--no-report`` keeps its old meaning."""

    def __init__(self, option_strings, dest, also: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)
        self.also = tuple(also)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        for name in (self.dest, *self.also):
            setattr(namespace, name, True)
