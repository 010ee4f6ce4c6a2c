"""``spridning robust EXPERIMENT``: portfolios across plausible worlds, and budget search (:mod:`model.robust`)."""

from __future__ import annotations

import argparse
import math
import os
import sys

from .args import add_execution, execution_conflict

HELP = "which portfolio holds up in every plausible world: regret, satisficing, PRIM, budget search"
DESCRIPTION = """Run portfolios (scenario files) on an ensemble of plausible worlds (parameter sets sampled from
ranges or taken from a calibration posterior), each world with replications on common random numbers, and
write regret, satisficing, pairwise wins, ranking stability, scenario discovery (PRIM) and, when the file
has a 'search' section, the Pareto front of a budget search. Interrupted? Run the same command again: it
continues where it stopped."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``robust`` command."""
    p = subparsers.add_parser("robust", help=HELP, description=DESCRIPTION)
    p.add_argument("experiment", help="experiment YAML file (see experiments/robust_*.yaml and docs/robustness.md)")
    add_execution(p, "run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<experiment name>-robust)")
    p.add_argument("--check", action="store_true", help="validate the experiment and show what would run")
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--point", action="store_true", help="an experiment without 'worlds' runs in one world (the "
                   "portfolios' values), not over the shipped posterior's draws")
    p.set_defaults(func=cmd_robust)
    return p


def cmd_robust(args: argparse.Namespace) -> int:
    """Check (``--check``) or run the experiment and print what it found."""
    from ..robust.study import default_out, load_experiment

    if execution_conflict(args):
        return 2
    plan = load_experiment(args.experiment, point=args.point)
    if args.check:
        return _show_plan(plan, args)
    from ..folders import claim

    with claim(args.out, "robust", default=default_out(plan), resumable=True) as out:
        return _run(plan, out, args)


def _run(plan, out, args) -> int:
    """Run (or resume) the experiment into ``out`` (held by this process) and print what it found."""
    from ..robust.study import run_experiment
    from ..sensitivity.evaluate import RunFailed

    try:
        result = run_experiment(plan, out, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet,
                                charts=not args.no_charts)
    except RunFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(f"finished chunks are saved in {out}; fix the problem and run the same command to continue",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"stopped: finished chunks are saved in {out}; run the same command to continue", file=sys.stderr)
        raise
    _print_result(result)
    return 0


def _show_plan(plan, args) -> int:
    from ..robust.study import default_out

    exp = plan.experiment
    print(f"{plan.source}: ok")
    print(f"  model      {plan.function or 'the diffusion model'}")
    print(f"  portfolios {len(plan.portfolios)}: " + ", ".join(plan.names) +
          (f" (baseline {plan.baseline})" if plan.baseline else ""))
    w = plan.worlds
    print(f"  worlds     {w.n} ({w.sampler})" + (f" over {len(w.factors)} factors" if w.factors else ""))
    for f in w.factors:
        label = f.name if f.path in (f.name, f"parameters.{f.name}") else f"{f.name} ({f.path})"
        print(f"    {label:32s} {f.dist:9s} {f.bounds}")
    runs = plan.n_runs if exp.portfolios else 0
    if exp.portfolios:
        print(f"  runs       {w.n} worlds x {len(plan.portfolios)} portfolios x {plan.replications} replications = {runs}")
        print("  regret     " + ", ".join(f"{c.name} ({c.better})" for c in plan.criteria()))
    if exp.thresholds:
        print("  thresholds " + ", ".join(f"{o} {t.text()}" for o, t in exp.thresholds.items()))
    if exp.discovery:
        print(f"  discovery  PRIM for {exp.discovery.portfolio}")
    if exp.search:
        s = exp.search
        search_runs = s.trials * (min(s.worlds or w.n, w.n)) * plan.replications
        runs += search_runs
        print(f"  search     {s.trials} allocations of {s.budget_msek_per_year:g} MSEK/year over "
              f"{', '.join(l.type for l in s.levers)} (NSGA-II, population {s.population}): {search_runs} runs")
    cores = args.workers or os.cpu_count() or 1
    if math.isfinite(plan.seconds_per_run) and args.scheduler is None:
        seconds = runs * plan.seconds_per_run / cores
        when = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
        print(f"  time       about {when} on {cores} cores ({plan.seconds_per_run * 1e3:.1f} ms per run, measured now)")
    print(f"  results    {args.out or default_out(plan)}")
    for note in w.notes:
        print(f"warning: {note}", file=sys.stderr)
    return 0


def _print_result(result) -> None:
    plan = result.plan
    stats = result.stats
    if stats is not None:
        resumed = f" ({stats.runs_resumed} already on disk)" if stats.runs_resumed else ""
        rate = f", {stats.rate:.0f} runs/s on {stats.workers} workers" if stats.runs_done_now else ""
        print(f"{plan.name}: {stats.n_runs} runs{resumed}{rate} -> {result.out}")
    if result.analysis is not None:
        from ..robust.outputs import findings

        for line in findings(result):
            print(f"  {line}")
        print(f"  summary: {result.out / 'summary.md'}")
    if result.search is not None:
        front = len(result.search.front)
        print(f"  budget search: {f'{front} allocations on the Pareto front' if front else 'no Pareto front (see the warnings)'}"
              f" -> {result.out / 'search'}")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
