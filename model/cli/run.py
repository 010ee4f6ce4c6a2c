"""``spridning run``: a scenario's replications, written to a results folder with charts."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from .args import SetsAlso, add_uncertainty, override, positive_int, posterior_for, seed


def add_parser(sub) -> None:
    """Register the ``run`` command."""
    run = sub.add_parser("run", help="run a scenario's replications and write results and charts")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--reps", type=positive_int, help="replications (default: the scenario's)")
    run.add_argument("--seed", type=seed, help="root seed (default: the scenario's)")
    run.add_argument("--workers", type=positive_int, help="processes (default: all cores)")
    run.add_argument("--out", help="results folder, new or an earlier result of `run` (default: "
                     "results/<name>-<time>)")
    run.add_argument("--overwrite", action="store_true", help="replace the earlier result of `run` in --out")
    run.add_argument("--set", type=override, action="append", metavar="PATH=VALUE",
                     help="override a scenario value, e.g. --set parameters.p_external=0.05")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    add_uncertainty(run)
    run.add_argument("--lang", choices=("en", "sv"), default="en",
                     help="language of report.html and its charts (default: en)")
    run.add_argument("--no-charts", action=SetsAlso, also=("no_report",), help="skip the PNG charts and report.html")
    run.add_argument("--no-report", action="store_true", help="write no report.html (the charts still)")
    run.set_defaults(func=cmd_run, imports=IMPORTS)


#: what ``run`` imports before it reads the scenario (see :mod:`model.cli`): only what the run's first
#: compilation needs, which starts as soon as the scenario is read (:func:`cmd_run`)
IMPORTS = ("model.scenario", "model.runner")
#: what ``run`` imports once the first compilation has started (pandas, the results, charts and reports:
#: about 0.5 s, while the second core compiles the life cycle)
LATER_IMPORTS = ("model.batch", "model.folders", "model.outcomes.catalogue", "model.levers.entries",
                 "model.levers.placement", "model.calibrate.ensemble")


def load(path: str, overrides: list[str] | None = None):
    """The scenario in ``path`` with the ``--set PATH=VALUE`` arguments applied (an InputError names the
    file, or the ``--set`` argument at fault)."""
    from ..scenario import load_scenario, with_set_arguments

    scenario = load_scenario(path)
    if overrides:
        scenario = with_set_arguments(scenario, list(overrides), source=path)
    return scenario


def cmd_run(args: argparse.Namespace) -> int:
    """Run, write the folder, and print the printed outcomes of the catalogue with their intervals."""
    scenario = load(args.scenario, args.set)
    _compile_ahead(scenario, args.seed, charts=not args.no_charts)
    from ..batch import default_folder, run_to_folder
    from ..folders import claim
    from ..levers.entries import lever_notes
    from ..outcomes.catalogue import PRINTED

    if _ends_the_process():
        gc.freeze()  # what is imported stays: the collector need not walk it again and again while the run goes
    for note in lever_notes(scenario):
        print(f"{args.scenario}: note: {note}", file=sys.stderr)
    from ..levers.placement import placement_lines

    for line in placement_lines(scenario, args.scenario):  # money that cannot be placed, before the run
        print(line, file=sys.stderr)
    ensemble = posterior_for(args, scenario)
    inputs = [args.scenario] + ([args.ensemble] if getattr(args, "ensemble", None) else [])
    with claim(args.out, "run", default=default_folder(scenario.name), overwrite=args.overwrite,
               inputs=inputs) as out:
        if ensemble is None:
            results, folder = run_to_folder(scenario, out, args.reps, args.seed, args.workers,
                                            source=args.scenario, progress=not args.quiet,
                                            charts=not args.no_charts, report=None if args.no_report else args.lang)
        else:
            from ..calibrate.ensemble import stream_ensemble
            from ..results import atomic_folder

            with atomic_folder(out) as tmp:
                results = stream_ensemble(scenario, ensemble, tmp, None, args.seed, args.workers,
                                          source=args.scenario, progress=not args.quiet,
                                          charts=not args.no_charts, report=None if args.no_report else args.lang)
            folder = out
    summary = results.summary.set_index("outcome")
    over = f" ({over_runs(results)})" if ensemble is not None else " (at point values)"
    print(f"{scenario.name}: {results.runs} runs{over} in {results.wall_seconds:.1f} s -> {folder}")
    for key in PRINTED:
        row = summary.loc[key]
        if row["ci95_low"] == row["ci95_low"]:  # not NaN: at least two replications
            interval = f"(95 % CI {row['ci95_low']:.3f} to {row['ci95_high']:.3f})"
        else:
            interval = "(one replication: no interval)" if row["n"] <= 1 else "(no interval)"
        print(f"  {key:24s} {row['mean']:.3f}  {interval}")
    from ..calibrate.record import fit_lines

    for line in fit_lines(folder):  # a scenario of the observed record's series: its fit to the record
        print(line)
    if not args.no_report:
        from ..report.files import localised

        print(f"report: {folder / localised('report.html', args.lang)}")
    if _ends_the_process():
        # the interpreter's last collections would walk every object of the run (half a second, longer
        # than some of the work): frozen objects are skipped, and the process frees its memory as it ends
        gc.freeze()
    return 0


def _compile_ahead(scenario, seed, charts: bool) -> None:
    """In a fresh environment, say that the dynamics are compiled and start compiling the life cycle on the
    second core (:func:`model.runner.compile_ahead`) before the rest of the command's modules load (with the
    collector paused, as :mod:`model.cli` imports them); with ``charts``, load the charts' modules while
    this process would wait for the life cycle (:func:`model.dynamics.compiling.meanwhile`)."""
    import importlib

    from ..dynamics import compiling
    from ..environment import collector_paused
    from ..runner import compile_ahead

    compile_ahead(scenario, seed)
    with collector_paused():
        for name in LATER_IMPORTS:
            importlib.import_module(name)
    if charts:
        compiling.meanwhile(_load_charts)


def _load_charts() -> None:
    """The charts' modules and the map's geometry, loaded (else loaded after the first replication) and, in
    a process that ends with the command, frozen: the worker processes forked after the first replication
    inherit them, and the collector's passes over them there cost half a second of CPU."""
    from ..batch import _import_charts

    _import_charts()
    if _ends_the_process():
        gc.freeze()


def over_runs(results) -> str:
    """``over 40 posterior draws × 1 replication`` for results over an ensemble."""
    from ..calibrate.ensemble import over_text

    return over_text(results.runs // results.per_draw, results.per_draw)


def _ends_the_process() -> bool:
    """Whether this process is the ``spridning`` command itself (``spridning ...`` or ``python -m model``),
    which ends when the command returns, rather than a program calling it."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    return script.name == "spridning" or (script.name == "__main__.py" and script.parent.name == "model")
