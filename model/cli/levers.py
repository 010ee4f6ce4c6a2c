"""``spridning levers``: list the policy levers with their parameters, defaults, units, IDs and scores."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    """Register the ``levers`` command."""
    parser = subparsers.add_parser(
        "levers", help="list the policy levers: parameters, defaults, units, SustainGov IDs and scores")
    parser.add_argument("names", nargs="*", help="show only these levers (default: all)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables (as in docs/levers.md)")
    parser.set_defaults(func=cmd_levers)


def cmd_levers(args: argparse.Namespace) -> int:
    """Print the levers named (default: all); an unknown name is an InputError with a suggestion."""
    from ..errors import InputError, suggest
    from ..levers import REGISTRY
    from ..levers.listing import markdown, plain

    names = args.names or None
    for name in names or ():
        if name not in REGISTRY:
            raise InputError(f"levers: unknown lever '{name}'{suggest(name, REGISTRY)}; "
                             f"allowed: {', '.join(sorted(REGISTRY))}")
    print(markdown(names) if args.markdown else plain(names))
    return 0
