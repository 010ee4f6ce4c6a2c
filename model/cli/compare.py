"""``spridning compare``: portfolios against a baseline on common random numbers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .args import add_uncertainty, positive_int, posterior_for, seed
from .gif import animation_request, gif_size


def add_parser(sub) -> None:
    """Register the ``compare`` command."""
    p = sub.add_parser("compare", help="compare portfolios with a baseline on common random numbers")
    p.add_argument("scenarios", nargs="+", help="scenario YAML files (portfolios)")
    p.add_argument("--baseline", required=True, help="the scenario the others are compared with")
    p.add_argument("--reps", type=positive_int, help="replications (default: the baseline's)")
    p.add_argument("--seed", type=seed, help="root seed shared by all scenarios (default: the baseline's)")
    p.add_argument("--workers", type=positive_int, help="processes (default: all cores)")
    p.add_argument("--out", help="results folder, new or an earlier result of `compare` (default: "
                   "results/comparison-<time>)")
    p.add_argument("--overwrite", action="store_true", help="replace the earlier result of `compare` in --out")
    p.add_argument("--allow-different", action="append", default=[], metavar="FIELD[,FIELD]",
                   help="compare scenarios that differ from the baseline in these settings (start_year, "
                        "horizon_years, world, innovations, parameters, mechanisms, a path such as "
                        "parameters.p_external, or all); the differences are reported")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_uncertainty(p)
    p.add_argument("--lever-effects", action=argparse.BooleanOptionalAction, default=None,
                   help="draw the levers' effect sizes over their documented ranges (model/levers/anchors.py), one "
                   "value per posterior draw, the same for every scenario, and write ranking_dependence.csv: how "
                   "the ranking depends on each (default: on over the posterior ensemble, off with --point; "
                   "--no-lever-effects keeps every lever at its scenario's values)")
    p.add_argument("--lang", choices=("en", "sv"), default="en",
                   help="language of comparison.md, the charts and the report (default: en)")
    p.add_argument("--no-charts", "--no-report", dest="no_report", action="store_true",
                   help="write no report.html (the comparison's charts and tables still; --no-report: the same)")
    p.add_argument("--gif", action="store_true", help="also animate each difference map over the years (GIF, and "
                   "MP4 where ffmpeg is installed), 1920x1080 pixels unless --gif-size says otherwise")
    p.add_argument("--gif-size", type=gif_size, metavar="WxH", help="the animations' frame size in pixels, e.g. "
                   "1280x720 (implies --gif; default 1920x1080)")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """Check that the scenarios are comparable (before anything runs), run the comparison and print the
    main outcomes of each scenario, and every difference ``--allow-different`` let through (on stderr)."""
    from ..batch import default_folder
    from ..compare import allowed_differences, plan_comparison, run_comparison
    from ..folders import claim

    plan = plan_comparison(args.scenarios, args.baseline, allowed_differences(args.allow_different))
    from ..levers.entries import lever_notes
    from ..levers.placement import placement_lines

    for note in plan.notes():
        print(note, file=sys.stderr)
    for name, (scenario, path) in plan.scenarios.items():
        for note in lever_notes(scenario):
            print(f"{path}: note: {note}", file=sys.stderr)
        for line in placement_lines(scenario, path):  # money that cannot be placed, before the runs
            print(line, file=sys.stderr)
    runs: dict = {}
    baseline = plan.scenarios[plan.baseline][0]
    ensemble = posterior_for(args, baseline)  # the baseline's draws and replications pair every scenario
    if args.lever_effects is None:  # the effect sizes are uncertain wherever the posterior is (issue 20)
        args.lever_effects = ensemble is not None
    if args.lever_effects:
        from ..calibrate.effects import with_lever_effects

        ensemble = with_lever_effects(ensemble, [s for s, _ in plan.scenarios.values()],
                                      args.reps or baseline.replications,
                                      args.seed if args.seed is not None else baseline.seed)
    if ensemble is not None:
        runs = ensemble_runner(ensemble, restrict=not args.ensemble)
    inputs = [path for _, path in plan.scenarios.values()] + [e for e in [getattr(args, "ensemble", None)] if e]
    with claim(args.out, "compare", default=default_folder("comparison"), overwrite=args.overwrite,
               inputs=inputs) as out:
        table, folder = run_comparison(plan, out, args.reps, args.seed, args.workers, progress=not args.quiet,
                                       lang=args.lang, report=not args.no_report, gif=animation_request(args),
                                       **runs)
    if ensemble is not None:
        from ..calibrate.ensemble import over_text

        text = over_text(len(ensemble.draws), ensemble.spec.replications)
        if ensemble.path.startswith("lever effects"):  # --point --lever-effects: no posterior
            text = text.replace("posterior draws", "draws of the lever effects")
        print(f"{text} per scenario, paired across scenarios")
    else:
        print("at point values (--point or uncertainty: point): replications paired across scenarios")
    print("\n".join(difference_lines(table, plan.baseline)))
    print(ranking_lines(folder / "ranking.csv", plan.baseline))
    if (folder / "ranking_dependence.csv").exists():
        print(dependence_lines(folder / "ranking_dependence.csv"))
    if plan.differences:
        print(f"settings differ from the baseline ({len(plan.differences)}, allowed): see comparability.json")
    print(f"-> {folder}")
    from ..report.files import localised

    for lang in dict.fromkeys(("en", args.lang)):  # the Swedish memo lies beside the English one
        print(f"memo tables: {folder / localised('comparison.md', lang)} (Excel: {localised('comparison.xlsx', lang)})")
    if not args.no_report:
        print(f"report: {folder / localised('report.html', args.lang)}")
    return 0


def ranking_lines(path: Path, baseline: str, outcome: str = "final_adoption") -> str:
    """In how many units (posterior draws, or replications at point values) each scenario ranks first on
    ``outcome`` and beats ``baseline``, from the comparison's ``ranking.csv``."""
    import pandas as pd

    table = pd.read_csv(path)
    rows = table[table.outcome == outcome]
    n, units = int(rows.n.iloc[0]), rows.units.iloc[0]
    lines = [f"{outcome}: share of {n} {units} in which each is best / beats {baseline}:"]
    for r in rows.itertuples():
        beats = " / –" if r.scenario == baseline else f" / {r.share_beats_baseline:.0%}"
        lines.append(f"  {r.scenario:32s} {r.share_best:.0%}{beats}")
    return "\n".join(lines)


def dependence_lines(path: Path, outcome: str = "final_adoption", n: int = 3) -> str:
    """The ``n`` lever effects the ranking on ``outcome`` depends on most, from ``ranking_dependence.csv``."""
    import pandas as pd

    table = pd.read_csv(path)
    rows = table[table.criterion == outcome].head(n)
    if not len(rows):
        return f"{outcome}: no lever effect varied"
    first = rows.iloc[0]
    lines = [f"{outcome}: {first.best} is best in {first.share_holds:.0%} of draws; below / above the median of "
             "each lever effect (ranking_dependence.csv):"]
    for r in rows.itertuples():
        flip = f" (best: {r.best_low} / {r.best_high})" if r.reverses else ""
        noise = "" if r.clear else f"  within noise (±{r.noise95:.0%})"
        lines.append(f"  {r.factor:40s} {r.holds_low:.0%} / {r.holds_high:.0%}{flip}{noise}")
    return "\n".join(lines)


def difference_lines(table, baseline: str) -> list[str]:
    """The printed summary of a comparison's ``table`` (:func:`model.compare.run_comparison`): each
    scenario's final adoption, its paired difference from ``baseline`` with the 95 % interval, the same for
    the small–large gap (pp) and the MSEK per extra adoption."""
    rows = table.set_index(["scenario", "outcome"])

    def diff(scenario: str, outcome: str, scale: float, unit: str) -> str:
        if scenario == baseline or (scenario, outcome) not in rows.index:
            return ""
        r = rows.loc[(scenario, outcome)]
        return (f"{scale * r.diff_vs_baseline:+.1f}{unit} ({scale * r.diff_ci95_low:+.1f} to "
                f"{scale * r.diff_ci95_high:+.1f})")

    header = (f"  {'scenario':32s} {'final adoption':>14s}  {'Δ vs baseline (95 % CI)':>24s}  "
              f"{'Δ gap small–large (95 % CI)':>28s}  {'MSEK per extra adoption':>23s}")
    lines = [header]
    for scenario in dict.fromkeys(table.scenario):
        level = rows.loc[(scenario, "final_adoption"), "mean"]
        cost = rows["mean"].get((scenario, "cost_per_extra_adoption_msek"), float("nan"))
        lines.append(f"  {scenario:32s} {100 * level:13.1f}%  {diff(scenario, 'final_adoption', 100, ' pp'):>24s}  "
                     f"{diff(scenario, 'gap_small_large', 100, ' pp'):>28s}  "
                     f"{'' if cost != cost else f'{cost:.0f}':>23s}".rstrip())
    return lines


def ensemble_runner(ensemble, restrict: bool = False) -> dict:
    """What :func:`model.compare.run_comparison` needs to stream each scenario's runs over the posterior
    ``ensemble`` (:class:`model.calibrate.ensemble.Ensemble`; its ``spec.replications`` per draw): its
    ``stream``, and the ensemble's draws for the key that tells a finished scenario of this comparison from
    another's. ``restrict`` (the shipped posterior): each scenario's draws set only the calibrated
    parameters it leaves at their default (:func:`model.calibrate.ensemble.restricted`)."""
    import hashlib
    import json

    from ..calibrate.ensemble import for_scenario, stream_ensemble

    per_draw = ensemble.spec.replications

    def stream(scenario, tmp, replications, seed, workers, source, progress, label):
        own = for_scenario(ensemble, scenario) if restrict else ensemble
        return stream_ensemble(scenario, own, tmp, per_draw, seed, workers, source, progress, label,
                               charts=False, report=None, by_year=True)

    content = hashlib.sha256(json.dumps(ensemble.draws, sort_keys=True).encode()).hexdigest()
    return dict(stream=stream, key_extra={"ensemble": content, "per_draw": per_draw})
