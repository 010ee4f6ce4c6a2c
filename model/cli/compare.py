"""``spridning compare``: portfolios against a baseline on common random numbers."""

from __future__ import annotations

import argparse
from pathlib import Path

from .args import positive_int, seed


def add_parser(sub) -> None:
    """Register the ``compare`` command."""
    p = sub.add_parser("compare", help="compare portfolios with a baseline on common random numbers")
    p.add_argument("scenarios", nargs="+", help="scenario YAML files (portfolios)")
    p.add_argument("--baseline", required=True, help="the scenario the others are compared with")
    p.add_argument("--reps", type=positive_int, help="replications (default: the baseline's)")
    p.add_argument("--seed", type=seed, help="root seed shared by all scenarios (default: the baseline's)")
    p.add_argument("--workers", type=positive_int, help="processes (default: all cores)")
    p.add_argument("--out", help="results folder (default: results/comparison-<time>)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """Run the comparison and print the main outcomes of each scenario."""
    from ..batch import default_folder
    from ..compare import compare

    out = Path(args.out) if args.out else default_folder("comparison")
    table, folder = compare(args.scenarios, args.baseline, out, args.reps, args.seed, args.workers,
                            progress=not args.quiet)
    view = table[table.outcome.isin(["final_adoption", "gap_small_large", "pilot_to_scale_rate",
                                     "cost_per_extra_adoption_msek"])]
    wide = view.pivot(index="scenario", columns="outcome", values="mean")
    print(wide.to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"-> {folder}")
    return 0
