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


def add_uncertainty(parser: argparse.ArgumentParser) -> None:
    """``--ensemble FILE``, ``--point`` and ``--draws N``: how ``run`` and ``compare`` treat the calibrated
    parameters (:func:`posterior_for`)."""
    parser.add_argument("--ensemble", metavar="FILE", help="another posterior ensemble (from `spridning "
                        "calibrate`) than the shipped one: one replication set per parameter draw, on the same "
                        "seeds (--reps is then per draw)")
    parser.add_argument("--point", action="store_true", help="run at the scenario's parameter values (the "
                        "posterior medians unless it sets them), not over the posterior ensemble")
    parser.add_argument("--draws", type=positive_int, metavar="N", help="posterior draws to run: the "
                        "replications (--reps or the scenario's) are spread over them (default: one draw per "
                        "replication, up to the posterior's draws; e.g. 40 replications: 40 draws x 1)")


def posterior_for(args: argparse.Namespace, scenario):
    """The ensemble ``scenario`` runs over (:class:`model.calibrate.ensemble.Ensemble`, its
    ``spec.replications`` per draw), or None for its point values: ``--ensemble FILE`` (its first
    ``--draws`` draws, ``--reps`` or the file's replications per draw), else the shipped posterior
    (:func:`model.calibrate.ensemble.default_posterior`: ``--reps`` or the scenario's replications spread
    over ``--draws`` or as many draws) unless ``--point`` or ``uncertainty: point``.
    A note on stderr names the calibrated parameters the scenario sets itself; InputError (exit 2) for a conflict or a bad file."""
    import sys

    from ..calibrate.ensemble import default_posterior, load_ensemble
    from ..errors import InputError

    if args.point and (args.ensemble or args.draws):
        raise InputError(f"--point: runs at the scenario's values; not with {'--ensemble' if args.ensemble else '--draws'}")
    if args.ensemble:
        loaded = load_ensemble(args.ensemble)
        n = min(args.draws or len(loaded.draws), len(loaded.draws))
        if args.draws and args.draws > len(loaded.draws):
            raise InputError(f"--draws {args.draws}: {args.ensemble} has {len(loaded.draws)} draws")
        ensemble = loaded.__class__(loaded.path, loaded.spec.model_copy(update={
            "draws": loaded.draws[:n], "replications": args.reps or loaded.spec.replications}), loaded.where)
    else:
        ensemble = default_posterior(scenario, args.reps, args.draws, point=args.point)
        if ensemble is None and not args.point and scenario.uncertainty != "point":
            print(f"{scenario.name}: sets every calibrated parameter itself: runs at its point values",
                  file=sys.stderr)
    if ensemble is not None and ensemble.fixed:
        print(f"{scenario.name}: note: not drawn from the posterior, the scenario sets them: "
              f"{', '.join(ensemble.fixed)}", file=sys.stderr)
    return ensemble
