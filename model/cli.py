"""The ``spridning`` command (also ``python -m model``).

Subcommands: ``run`` a scenario, ``validate`` scenario files, ``compare`` portfolios, ``levers`` (list the
levers), ``sensitivity`` (a sensitivity experiment). Bad input stops with one clear message on stderr and
exit status 2; Ctrl-C stops with status 130 and leaves no half-written file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError


def _whole_number(text: str, minimum: int) -> int:
    """A command-line whole number of at least ``minimum``, or an argparse error saying what is allowed."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def _positive_int(text: str) -> int:
    return _whole_number(text, 1)


def _seed(text: str) -> int:
    return _whole_number(text, 0)


def _override(text: str) -> tuple[str, Any]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected PATH=VALUE (e.g. parameters.p_external=0.05), got '{text}'")
    path, value = text.split("=", 1)
    return path.strip(), yaml.safe_load(value)


def _load(path: str, overrides: list[tuple[str, Any]] | None = None):
    from .scenario import load_scenario, with_overrides

    scenario = load_scenario(path)
    if overrides:
        scenario = with_overrides(scenario, dict(overrides), source=f"{path} (--set)")
    return scenario


def cmd_run(args: argparse.Namespace) -> int:
    from .batch import run_to_folder

    scenario = _load(args.scenario, args.set)
    results, folder = run_to_folder(scenario, Path(args.out) if args.out else None, args.reps, args.seed,
                                    args.workers, source=args.scenario, progress=not args.quiet)
    summary = results.summary.set_index("outcome")
    print(f"{scenario.name}: {len(results.outcomes)} runs in {results.wall_seconds:.1f} s -> {folder}")
    for key in ("final_adoption", "final_adoption_pop", "pilot_to_scale_rate", "gap_small_large", "gini",
                "share_no_adoption"):
        row = summary.loc[key]
        print(f"  {key:24s} {row['mean']:.3f}  (95% CI {row['ci95_low']:.3f}-{row['ci95_high']:.3f})")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .scenario import load_scenario

    failed = 0
    for path in args.files:
        try:
            scenario = load_scenario(path)
        except InputError as exc:
            print(exc, file=sys.stderr)
            failed += 1
        else:
            print(f"{path}: ok ({scenario.name}: {len(scenario.innovations)} innovations, "
                  f"{len(scenario.levers)} levers, {scenario.horizon_years} years)")
    return 2 if failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spridning", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run a scenario's replications and write results and charts")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--reps", type=_positive_int, help="replications (default: the scenario's)")
    run.add_argument("--seed", type=_seed, help="root seed (default: the scenario's)")
    run.add_argument("--workers", type=_positive_int, help="processes (default: all cores)")
    run.add_argument("--out", help="results folder (default: results/<name>-<time>)")
    run.add_argument("--set", type=_override, action="append", metavar="PATH=VALUE",
                     help="override a scenario value, e.g. --set parameters.p_external=0.05")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    validate = sub.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(func=cmd_validate)

    for name, module in (("compare", "model.compare"), ("levers", "model.levers.listing"),
                         ("sensitivity", "model.sensitivity.cli")):
        _add_optional_command(sub, name, module)
    return parser


def _add_optional_command(sub, name: str, module: str) -> None:
    """Commands that live in their own module register themselves with ``add_parser(sub)``."""
    import importlib

    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return
        raise
    mod.add_parser(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: nothing half-written was left behind", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
