"""``spridning calibrate CALIBRATION``: fit the model to observed shares (:mod:`model.calibrate`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .args import add_execution, execution_conflict, positive_int

HELP = "fit model parameters to observed adoption shares (ABC-SMC), with a posterior ensemble and checks"
DESCRIPTION = """Fit the parameters a calibration file names to its observed targets by ABC-SMC (pyabc), on
all cores or a Dask cluster, and write the posterior, a calibrated scenario, a posterior ensemble for
`run`/`compare --ensemble`, the targets met and missed, and charts. Interrupted? Run the same command
again: the fit continues after its last complete generation and gives the same posterior. --validate
refits leaving each series out in turn and checks the reported patterns (docs/validation.md)."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``calibrate`` command."""
    p = subparsers.add_parser("calibrate", help=HELP, description=DESCRIPTION)
    p.add_argument("calibration", help="calibration YAML file (see calibrations/ and docs/calibration.md)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<name>-calibration)")
    add_execution(p, "run the fit on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--check", action="store_true", help="validate the file and show the plan, run nothing")
    p.add_argument("--validate", action="store_true",
                   help="also fit with each series left out, check the reported patterns and write validation.md")
    p.add_argument("--validation-runs", type=positive_int, metavar="N",
                   help="run budget of each leave-one-series-out fit (default: a quarter of the calibration's)")
    p.add_argument("--doc", metavar="FILE", help="with --validate: also write the validation report to FILE "
                                                 "(e.g. docs/validation.md)")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_calibrate)
    return p


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Check (``--check``) or fit, write the outputs and print the posterior and the targets met."""
    from ..calibrate.plan import load_calibration

    if execution_conflict(args):
        return 2
    if args.doc and not args.validate:
        print("--doc: only with --validate (it names where the validation report goes)", file=sys.stderr)
        return 2
    plan = load_calibration(args.calibration)
    if args.check:
        _show_plan(plan)
        return 0
    from ..folders import claim

    with claim(args.out, "calibrate", default=Path("results") / f"{plan.name}-calibration", resumable=True) as out:
        return _fit(plan, out, args)


def _fit(plan, out: Path, args: argparse.Namespace) -> int:
    """Fit (or continue the fit) into ``out`` (held by this process), validate with ``--validate``, print."""
    from ..calibrate.outputs import calibrate

    say = (lambda text: print(text, file=sys.stderr)) if not args.quiet else None
    try:
        result, table = calibrate(plan, out, args.workers, args.scheduler, progress=not args.quiet,
                                  charts=not args.no_charts, say=say)
    except KeyboardInterrupt:
        print(f"stopped: complete generations are saved in {out}; run the same command to continue",
              file=sys.stderr)
        raise
    _print_result(result, table)
    if args.validate:
        from ..calibrate.validation import validate

        report = validate(plan, out, result, args.workers, runs=args.validation_runs, progress=not args.quiet,
                          charts=not args.no_charts, say=say, doc=Path(args.doc) if args.doc else None)
        print(f"validation -> {report}")
    return 0


def _show_plan(plan) -> None:
    b = plan.calibration.budget
    print(f"{plan.source}: ok")
    print(f"  scenario   {plan.scenario_file} ({plan.scenario.start_year}-"
          f"{plan.scenario.start_year + plan.scenario.horizon_years - 1})")
    print(f"  fit        {len(plan.fitted)} parameters to {len(plan.targets)} observed points; at most {b.runs} runs, "
          f"{b.population} per generation, {b.generations} generations, tolerance {plan.tolerance:.3g}")
    for f in plan.fitted:
        shape = f"normal({f.mean:g}, {f.sd:g}) cut to" if f.prior == "normal" else f.prior
        print(f"    {f.name:32s} {shape} [{f.low:g}, {f.high:g}]")
    print("  targets    (share ± standard deviation: sampling and discrepancy)")
    for t in plan.targets:
        on = ", ".join(t.innovations)
        print(f"    {t.key:58s} {100 * t.observed:5.1f} % ± {100 * t.sd:4.1f}  {t.measure} of {on}")


def _print_result(result, table) -> None:
    from ..calibrate.outputs import posterior_summary

    print(f"{result.plan.name}: {result.stop_reason}; {len(result.generations)} generations, {result.runs} runs"
          + (f" ({result.runs_computed} computed in {result.seconds:.0f} s)" if result.runs_computed else ""))
    for _, row in posterior_summary(result).iterrows():
        print(f"  {row.parameter:32s} {row['median']:.4g}  (95% {row.q2_5:.4g}-{row.q97_5:.4g})")
    print(f"targets met: {int(table.met.sum())} of {len(table)} -> {result.out}")
