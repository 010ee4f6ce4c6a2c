"""``spridning sensitivity EXPERIMENT``: run a sensitivity experiment (:mod:`model.sensitivity`)."""

from __future__ import annotations

import argparse
import math
import os
import sys

from .args import add_execution, execution_conflict

HELP = "run a sensitivity experiment (Sobol', Morris) on all cores or a Dask cluster"
DESCRIPTION = """Run a sensitivity experiment: sample the factors, run the model at every sample point (with
replications), stream the runs to Parquet, and write indices with confidence intervals, plots and a
manifest. Interrupted? Run the same command again: it continues where it stopped."""


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``sensitivity`` command."""
    p = subparsers.add_parser("sensitivity", help=HELP, description=DESCRIPTION)
    p.add_argument("experiment", help="experiment YAML file (see experiments/ and docs/sensitivity.md)")
    add_execution(p, "run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (its workers need spridning installed)")
    p.add_argument("--out", metavar="DIR", help="results folder (default: results/<experiment name>-sensitivity)")
    p.add_argument("--check", action="store_true",
                   help="validate the experiment and show what would run, without running it")
    p.add_argument("--no-charts", "--no-plots", dest="no_plots", action="store_true",
                   help="skip the PNG plots (--no-plots: the same, the older name)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sensitivity)
    return p


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Check (``--check``) or run the experiment and print the largest indices of each outcome."""
    from ..sensitivity.study import default_out, load_experiment

    if execution_conflict(args):
        return 2
    plan = load_experiment(args.experiment)
    if args.check:
        return _show_plan(plan, args)
    from ..folders import claim

    with claim(args.out, "sensitivity", default=default_out(plan), resumable=True) as out:
        return _run(plan, out, args)


def _run(plan, out, args) -> int:
    """Run (or resume) the experiment into ``out`` (held by this process) and print what it found."""
    from ..sensitivity.study import run_experiment
    from ..sensitivity.evaluate import RunFailed

    try:
        result = run_experiment(plan, out, workers=args.workers, scheduler=args.scheduler,
                                progress=not args.quiet, plots=not args.no_plots)
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
    from ..sensitivity.study import default_out
    from ..sensitivity.sweep import choose_chunk_size

    X, notes = plan.sample()
    plan.check_sampled(plan.model_inputs(X))
    e = plan.experiment
    runs = X.shape[0] * plan.replications
    what = plan.function or f"{plan.scenario_file} ({plan.scenario.horizon_years} years)"
    print(f"{plan.source}: ok")
    print(f"  model      {what}")
    print(f"  method     {e.method}, N={e.N}: {X.shape[0]} sample points x {plan.replications} replications = "
          f"{runs} runs in chunks of {choose_chunk_size(plan, runs)}")
    print(f"  factors    {len(plan.factors)}" + (f" in {len(plan.labels)} groups" if plan.groups else ""))
    for f in plan.factors:
        label = f.name if f.path in (f.name, f"parameters.{f.name}") else f"{f.name} ({f.path})"
        print(f"    {label:32s} {f.dist:9s} {f.bounds}" + (f"  group {f.group}" if f.group else ""))
    print(f"  outcomes   {', '.join(o.name for o in plan.outcomes)}")
    on_cluster = args.scheduler is not None
    cores = _cluster_threads(args.scheduler) if on_cluster else args.workers or os.cpu_count() or 1
    if on_cluster:
        print(f"  cluster    {args.scheduler}: reached, {cores} worker threads")
    if math.isfinite(plan.seconds_per_run):
        seconds = runs * plan.seconds_per_run / cores
        when = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
        print(f"  time       about {when} on {cores} {'worker threads' if on_cluster else 'cores'} "
              f"({plan.seconds_per_run * 1e3:.2f} ms per run, measured now)")
    print(f"  results    {args.out or default_out(plan)}")
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    return 0


def _cluster_threads(scheduler: str) -> int:
    """Connect to the scheduler (an InputError if it cannot be reached) and count its worker threads."""
    from ..sensitivity.cluster import connect

    client = connect(scheduler)
    try:
        return sum(client.nthreads().values()) or 1
    finally:
        client.close()


def _print_result(result) -> None:
    plan, stats = result.plan, result.stats
    resumed = f" ({stats.runs_resumed} already on disk)" if stats.runs_resumed else ""
    workers = f"{stats.workers} worker{'s' if stats.workers != 1 else ''}"
    rate = f", {stats.rate:.0f} runs/s on {workers}" if stats.runs_done_now else ""
    print(f"{plan.name}: {stats.n_runs} runs{resumed}{rate} -> {result.out}")
    for r in result.outcomes:
        if r.indices is None:
            print(f"  {r.outcome}: no indices (see warnings)")
            continue
        t = r.indices
        if plan.method == "sobol":
            t = t.sort_values("ST", ascending=False).head(5)
            parts = [f"{row.factor} S1 {row.S1:.2f}±{row.S1_conf:.2f} ST {row.ST:.2f}±{row.ST_conf:.2f}"
                     for row in t.itertuples()]
        else:
            t = t.sort_values("mu_star", ascending=False).head(5)
            parts = [f"{row.factor} mu* {row.mu_star:.3g}±{row.mu_star_conf:.2g} sigma {row.sigma:.3g}"
                     for row in t.itertuples()]
        print(f"  {r.outcome}:")
        for part in parts:
            print(f"    {part}")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
