"""``spridning validate``: check scenario files without running them."""

from __future__ import annotations

import argparse
import sys


def add_parser(sub) -> None:
    """Register the ``validate`` command."""
    validate = sub.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(func=cmd_validate, imports=("model.scenario", "model.levers.entries",
                                                      "model.levers.placement"))


def cmd_validate(args: argparse.Namespace) -> int:
    """Print ``ok`` per valid file and every problem of the others (all of a file's problems at once,
    ``FILE:LINE: field: problem``, ordered by line); exit status 2 if any is invalid. A valid file whose
    levers run past its horizon gets a note on stderr (see :func:`model.levers.entries.lever_notes`), one
    with money that cannot be placed a warning (:func:`model.levers.placement.placement_lines`; exit status
    still 0). A target that admits nobody is a problem like any other (exit status 2)."""
    from ..errors import InputError
    from ..levers.entries import lever_notes
    from ..levers.placement import placement_lines
    from ..scenario import load_scenario

    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            print(exc, file=sys.stderr)
            failed += 1
        else:
            print(f"{path}: ok ({scenario.name}: {_count(len(scenario.innovations), 'innovation')}, "
                  f"{_count(len(scenario.levers), 'lever')}, {_count(scenario.horizon_years, 'year')})")
            for note in lever_notes(scenario):
                print(f"{path}: note: {note}", file=sys.stderr)
            for line in placement_lines(scenario, path):
                print(line, file=sys.stderr)
    return 2 if failed else 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
