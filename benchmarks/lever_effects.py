"""Measure each lever's, portfolio's and event's effect against the baseline: the table in docs/levers.md.

By default over the calibrated posterior ensemble, as ``spridning compare`` runs it
(:func:`model.calibrate.ensemble.default_posterior` for the baseline, :func:`~model.calibrate.ensemble.for_scenario`
for each scenario): ``--draws`` parameter draws x ``--reps`` replications each, replication r of every draw and
every scenario on replication r's seed of the baseline's root seed (common random numbers), so run
(draw d, replication r) of a scenario is paired with the same run of the baseline. A *unit* is a draw: the
mean of its paired replications. Per scenario, at the end of the run:

- each outcome's paired difference from the baseline, mean over draws ± half its 95 % interval (t, over
  the draws' means: the interval carries parameter uncertainty and noise); for final adoption also where
  the middle 95 % of the draws' differences lie;
- MSEK the levers were given (budgeted) and placed with a taker (used), and the MSEK used — and, beside it,
  budgeted — per extra adoption (means over every run);
- in what share of draws it beats the baseline on final adoption, and, among the scenarios of its group
  (single levers, portfolios) and the baseline, in what share of draws it ranks first and its mean rank
  (:func:`model.compare.outputs.ranking_table`, :func:`~model.compare.outputs.unit_values`).

``--point`` runs every scenario at its point values (the posterior medians unless it sets them) over
``--reps`` replications, the units being replications (the table before the calibration was shipped);
``--assumed`` (implies ``--point``) at the calibrated parameters' values assumed before the calibration
(:data:`model.parameters.CALIBRATED`'s ``assumed``), except those a scenario file sets itself.
``--write`` puts the section between the markers of docs/levers.md (``--markdown-out FILE``: of FILE),
atomically.

    python benchmarks/lever_effects.py [--draws 40] [--reps 2] [--point] [--assumed] [--workers N]
                                       [--write | --markdown-out FILE] [--only STEM ...] [--horizon YEARS]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import model
from model.calibrate.ensemble import default_posterior, for_scenario, over_text, run_ensemble
from model.compare.outputs import ranking_table, unit_values
from model.outcomes.intervals import mean_interval
from model.parameters import CALIBRATED
from model.results import atomic_path, replace_between

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "levers.md"
COLUMNS = [("final_adoption", "Δ final adoption"), ("pilot_to_scale_rate", "Δ pilot-to-scale rate"),
           ("adoption_small", "Δ adoption < 10k"), ("gap_small_large", "Δ gap small–large"),
           ("share_no_adoption", "Δ share with no adoption")]
PORTFOLIOS = ("status_quo", "sustaingov", "equality_first", "scale_up", "infrastructure_first")
#: the groups whose scenarios are ranked against each other (events are only set against the baseline)
RANKED = ("levers", "portfolios")
START, END = "<!-- lever-effects:start -->", "<!-- lever-effects:end -->"
RANK_ON = "final_adoption"


def scenario_groups(root: Path = ROOT, only: list[str] | None = None) -> dict[str, list[Path]]:
    """The shipped scenarios measured, by group (``levers``, ``portfolios``, ``events``), in table order;
    ``only``: their file stems to keep."""
    folder = root / "scenarios"
    groups = {"levers": sorted(folder.glob("lever_*.yaml")),
              "portfolios": [folder / f"portfolio_{name}.yaml" for name in PORTFOLIOS],
              "events": sorted(folder.glob("event_*.yaml"))}
    return {g: [p for p in paths if not only or p.stem in only] for g, paths in groups.items()}


def load(path: Path, assumed: bool = False, horizon: int | None = None) -> model.Scenario:
    """The scenario at ``path``; ``assumed``: its calibrated parameters at their pre-calibration values
    unless the file sets them; ``horizon``: a shorter run (years), for tests."""
    scenario = model.load_scenario(path)
    overrides: dict = {"horizon_years": horizon} if horizon else {}
    if assumed:
        given = set(scenario.model_dump(exclude_unset=True).get("parameters", {}))
        overrides.update({f"parameters.{n}": c.assumed for n, c in CALIBRATED.items() if n not in given})
    return model.with_overrides(scenario, overrides, source="") if overrides else scenario


def replications(scenario: model.Scenario, ensemble, reps: int, seed: int, workers: int | None) -> pd.DataFrame:
    """One row per run of ``scenario`` (scalar outcomes; with ``draw`` over an ``ensemble``, the baseline's:
    its draws as this scenario takes them), on replications 0 .. reps-1 of root ``seed``."""
    if ensemble is None:
        return model.replicate(scenario, reps, seed, workers).replications
    return run_ensemble(scenario, for_scenario(ensemble, scenario), ensemble.spec.replications, seed, workers,
                        progress=False).replications


def _cell(values: np.ndarray) -> str:
    mean, low, high = mean_interval(values)
    half = (high - low) / 2 if np.isfinite(high) else np.nan
    return f"{mean:+.3f} ± {half:.3f}".replace("-", "−")


def _range(values: np.ndarray) -> str:
    ok = values[~np.isnan(values)]
    low, high = np.percentile(ok, [2.5, 97.5]) if len(ok) else (np.nan, np.nan)
    return f"{low:+.3f} to {high:+.3f}".replace("-", "−")


def effect_row(runs: pd.DataFrame, base: pd.DataFrame) -> dict:
    """The table's numbers for one scenario's ``runs`` against the ``base``line's (paired row by row or,
    with ``draw``, draw by draw): ``budgeted``, ``used``, ``cost`` (text), per outcome of :data:`COLUMNS`
    the text of its mean paired difference ± half the 95 % interval over units, ``range`` (middle 95 % of
    the units' differences in final adoption) and ``beats``, the share of units with a higher final
    adoption than the baseline's."""
    row: dict = {}
    for outcome, _ in COLUMNS:
        units = unit_values({"s": runs, "b": base}, outcome)
        diff = (units["s"] - units["b"]).to_numpy(float)
        row[outcome] = _cell(diff)
        if outcome == RANK_ON:
            row["range"] = _range(diff)
            ok = ~np.isnan(diff)
            row["beats"] = float((diff[ok] > 0).mean()) if ok.any() else np.nan
    extra = (runs["adoptions_final"] - base["adoptions_final"]).mean()
    used, budgeted = runs["spend_msek"].mean(), runs["budget_msek"].mean()
    row.update(budgeted=budgeted, used=used, cost=f"{used / extra:.0f} ({budgeted / extra:.0f})"
               if extra > 0 and budgeted > 0 else ("no gain" if budgeted > 0 else "–"))
    return row


def rankings(group: dict[str, pd.DataFrame], base: pd.DataFrame) -> pd.DataFrame:
    """Among ``group`` (name -> runs) and the baseline, on final adoption, per scenario: ``share_first``
    (share of units it ranks first in, ties shared: :func:`ranking_table`) and ``mean_rank`` (1 = best,
    ties at their mean rank)."""
    runs = {"baseline": base, **group}
    table = ranking_table(runs, "baseline").query("outcome == @RANK_ON").set_index("scenario")
    ranks = unit_values(runs, RANK_ON).dropna().rank(axis=1, ascending=False, method="average")
    return pd.DataFrame({"share_first": table["share_best"], "mean_rank": ranks.mean()})


def pairwise(group: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Share of units (draws, or replications) in which the row's final adoption is higher than the
    column's, paired unit by unit (the diagonal is NaN); ``group``: name -> runs."""
    values = unit_values(group, RANK_ON).dropna()
    return pd.DataFrame({col: {row: np.nan if row == col else float((values[row] > values[col]).mean())
                               for row in group} for col in group})


def measure(groups: dict[str, list[Path]], baseline_path: Path, draws: int | None, reps: int, point: bool,
            assumed: bool = False, workers: int | None = None, horizon: int | None = None
            ) -> tuple[pd.DataFrame, pd.DataFrame, str, pd.DataFrame | None]:
    """Run the baseline and every scenario of ``groups``; return one row per scenario (``group``,
    ``scenario`` and :func:`effect_row`'s, ``share_first``/``mean_rank`` for :data:`RANKED` groups), the
    baseline's runs, what the units are (text) and the portfolios' :func:`pairwise` shares (None without
    two portfolios)."""
    baseline = load(baseline_path, assumed, horizon)
    seed = baseline.seed
    ensemble = None if point or assumed else default_posterior(baseline, (draws or 40) * reps, draws, reps)
    base = replications(baseline, ensemble, reps, seed, workers)
    rows, pairs = [], None
    for group, paths in groups.items():
        runs = {p.stem: replications(load(p, assumed, horizon), ensemble, reps, seed, workers) for p in paths}
        ranks = rankings(runs, base) if group in RANKED and runs else None
        if group == "portfolios" and len(runs) > 1:
            pairs = pairwise(runs)
        for name, result in runs.items():
            row = dict(group=group, scenario=name, **effect_row(result, base))
            if ranks is not None:
                row.update(share_first=ranks.at[name, "share_first"], mean_rank=ranks.at[name, "mean_rank"],
                           of=len(runs) + 1)
            rows.append(row)
    units = (over_text(len(ensemble.draws), ensemble.spec.replications) if ensemble is not None else
             f"over {reps} replications at {'the pre-calibration values' if assumed else 'point values'}")
    return pd.DataFrame(rows), base, units, pairs


def _share(value: float) -> str:
    return "–" if value is None or not np.isfinite(value) else f"{value:.0%}"


def markdown_table(table: pd.DataFrame, ensemble: bool) -> list[str]:
    """The Markdown table of :func:`measure`'s rows (``ensemble``: with the draws' range and shares)."""
    head = ["scenario", "MSEK budgeted", "MSEK used"] + [label for _, label in COLUMNS[:1]]
    head += ["Δ final adoption, 95 % of draws"] if ensemble else []
    head += [label for _, label in COLUMNS[1:]] + ["MSEK used (budgeted) per extra adoption"]
    unit = "draws" if ensemble else "replications"
    head += [f"{unit} beating baseline", f"{unit} ranked first", "mean rank (of)"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for r in table.to_dict("records"):
        cells = [f"`{r['scenario']}`", f"{r['budgeted']:.0f}", f"{r['used']:.0f}", r[COLUMNS[0][0]]]
        cells += [r["range"]] if ensemble else []
        cells += [r[o] for o, _ in COLUMNS[1:]] + [r["cost"], _share(r["beats"])]
        ranked = "mean_rank" in r and np.isfinite(r.get("mean_rank", np.nan))
        cells += [_share(r["share_first"]), f"{r['mean_rank']:.1f} ({int(r['of'])})"] if ranked else ["–", "–"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def pairwise_table(pairs: pd.DataFrame, unit: str) -> list[str]:
    """:func:`pairwise`'s shares as a Markdown matrix (row beats column)."""
    names = [n.removeprefix("portfolio_") for n in pairs.columns]
    lines = [f"Share of {unit} in which the portfolio of the row has a higher final adoption than that of the "
             "column (paired):", "", "| beats → | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for row, name in zip(pairs.index, names):
        lines.append(f"| {name} | " + " | ".join(_share(pairs.at[row, col]) for col in pairs.columns) + " |")
    return lines


def section(table: pd.DataFrame, base: pd.DataFrame, units: str, ensemble: bool,
            pairs: pd.DataFrame | None = None) -> str:
    """The generated part of docs/levers.md: how the table was measured, the baseline's levels, the table
    and, with ``pairs``, the portfolios' :func:`pairwise_table`."""
    levels = ", ".join(f"{label.removeprefix('Δ ')} {base[o].mean():.3f}" for o, label in COLUMNS)
    how = ("each cell the mean over draws (a draw: the mean of its paired replications) ± half the 95 % "
           "interval over draws, so it carries parameter uncertainty as well as noise; \"95 % of draws\": "
           "where the middle 95 % of the draws' differences lie; \"draws beating baseline\": the share of draws "
           "in which the scenario's final adoption is higher than the baseline's; \"ranked first\" and "
           "\"mean rank\": on final adoption, per draw, among the single levers (or the portfolios) and the "
           "baseline (ties shared)" if ensemble else
           "each cell the mean over replications ± half the 95 % interval; shares and ranks per replication")
    text = [f"Paired differences from the baseline at the end of the run, {units}, every scenario on the "
            f"baseline's seeds (common random numbers): {how}. \"MSEK budgeted\" is what the levers were "
            "given in all, \"MSEK used\" what they placed with a taker; \"MSEK used (budgeted) per extra "
            "adoption\" divides each by the mean number of extra (organisation, innovation) adoptions. "
            f"Baseline: {levels}. Generated by `python benchmarks/lever_effects.py --write`; the numbers "
            "move with every assumed unit cost, effect size and delivery capacity and with the posterior.", ""]
    extra = ([""] + pairwise_table(pairs, "draws" if ensemble else "replications")) if pairs is not None else []
    return "\n".join(text + markdown_table(table, ensemble) + extra)


def replace_section(path: Path, body: str) -> bool:
    """Put ``body`` between :data:`START` and :data:`END` in ``path`` (atomically); True if it changed.
    ValueError when the markers are missing or out of order."""
    return replace_between(path, START, END, body)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=40, help="posterior draws (default 40)")
    parser.add_argument("--reps", type=int, help="replications per draw (default 2), or in all with --point "
                        "(default 40)")
    parser.add_argument("--point", action="store_true", help="at point values, not over the posterior")
    parser.add_argument("--assumed", action="store_true", help="at the pre-calibration values (implies --point)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--only", nargs="+", metavar="STEM", help="only these scenarios (file stems)")
    parser.add_argument("--horizon", type=int, help="years to run instead of the scenarios' (for tests)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--write", action="store_true", help="replace the generated section of docs/levers.md")
    out.add_argument("--markdown-out", type=Path, metavar="FILE",
                     help="replace the generated section of FILE (a new FILE holds the section alone)")
    args = parser.parse_args(argv)
    point = args.point or args.assumed
    reps = args.reps or (40 if point else 2)
    table, base, units, pairs = measure(scenario_groups(only=args.only), ROOT / "scenarios" / "baseline.yaml",
                                 None if point else args.draws, reps, point, args.assumed, args.workers,
                                 args.horizon)
    text = section(table, base, units, ensemble=not point, pairs=pairs)
    print(text)
    target = DOCS if args.write else args.markdown_out
    if target is not None:
        try:
            if not args.write and not target.exists():  # a file of its own: the section between its markers
                with atomic_path(target) as tmp:
                    tmp.write_text(f"{START}\n{END}\n", encoding="utf-8")
            changed = replace_section(target, text)
        except (OSError, ValueError) as error:  # not writable, or a file of the user's without the markers
            parser.error(f"cannot write the table: {error}")
        print(f"{target}: {'updated' if changed else 'already current'}", file=sys.stderr)


if __name__ == "__main__":
    main()
