"""The files of a robustness experiment: tables (CSV), the per-world values, a markdown summary, charts
and the manifest.

The functions take a :class:`~.study.RobustResult` (``result``). In ``OUT`` (see ``docs/robustness.md``): ``worlds.csv``, ``world_outcomes.parquet``, ``distributions.csv``,
``regret.csv``, ``satisficing.csv``, ``pairwise.csv``, ``ranks.csv``, ``ranking_stability.csv``,
``value_of_information.csv``, ``discovery/<portfolio>-tradeoff.csv`` and ``-box.csv``, ``summary.md``,
``charts/*.png`` and ``manifest.json``. Every file is written atomically.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from ..names import safe_file_name
from ..outcomes.catalogue import is_outcome, outcome
from ..results import versions, write_csv, write_json, write_parquet, write_with
from ..sensitivity.study import json_safe
from ..version import __version__
from .schema import COST
from .stream import TOOL
from .voi_text import CHART as VOI_CHART, FILE as VOI_FILE, voi_markdown

MANIFEST = "manifest.json"
#: the outcomes shown first (as the comparison charts show them)
HEADLINE = ("final_adoption", "final_adoption_pop", "gap_small_large", "pilot_to_scale_rate", "share_no_adoption",
            COST)
SUMMARY = "summary.md"
TABLE_FILES = {"distributions": "distributions.csv", "regret": "regret.csv", "satisficing": "satisficing.csv",
               "pairwise": "pairwise.csv", "ranks": "ranks.csv", "stability": "ranking_stability.csv",
               "voi": VOI_FILE, "dependence": "ranking_dependence.csv"}


def show(name: str, value: float, difference: bool = False) -> str:
    """``value`` of outcome ``name`` as text in its catalogue format (a difference of shares in pp)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "no gain" if value > 0 else "-inf"
    if is_outcome(name):
        o = outcome(name)
        if difference and o.format == "percent":
            return f"{value * 100:.1f} pp"
        return o.show(value)
    return f"{value:.3g}"


def long_values(result: Any) -> pd.DataFrame:
    """Every portfolio's mean over replications in every world: ``world, portfolio, outcome, value``."""
    plan, values = result.plan, result.analysis.values
    frames = []
    for name, matrix in values.items():
        worlds, portfolios = np.meshgrid(np.arange(matrix.shape[0]), np.arange(matrix.shape[1]), indexing="ij")
        frames.append(pd.DataFrame({"world": worlds.ravel(), "portfolio": np.array(plan.names)[portfolios.ravel()],
                                    "outcome": name, "value": matrix.ravel()}))
    return pd.concat(frames, ignore_index=True)


def headline(outcomes: list[str], n: int = 6) -> list[str]:
    """The outcomes the summary and the distributions chart show: the comparison's headline outcomes
    (:data:`HEADLINE`) among ``outcomes``, then the others, ``n`` at most."""
    first = [o for o in HEADLINE if o in outcomes]
    return (first + [o for o in outcomes if o not in first])[:n]


def write_analysis(result: Any, charts: bool = True) -> list[str]:
    """Write the analysis tables, the per-world values, discovery, the summary and (with ``charts``) the
    charts; return the files written, relative to the folder."""
    out, plan, analysis = result.out, result.plan, result.analysis
    files = []
    write_csv(plan.worlds.frame(), out / "worlds.csv")
    files.append("worlds.csv")
    long = long_values(result)
    write_parquet(long, out / "world_outcomes.parquet")
    files.append("world_outcomes.parquet")
    for key, table in analysis.tables.items():
        if len(table):
            write_csv(table, out / TABLE_FILES[key])
            files.append(TABLE_FILES[key])
    d = analysis.discovery
    if d is not None and d.chosen is not None:
        stem = safe_file_name(d.portfolio)
        write_csv(d.tradeoff, out / "discovery" / f"{stem}-tradeoff.csv")
        write_csv(d.limits, out / "discovery" / f"{stem}-box.csv")
        files += [f"discovery/{stem}-tradeoff.csv", f"discovery/{stem}-box.csv"]
    write_with(out / SUMMARY, lambda tmp: tmp.write_text(summary_markdown(result), encoding="utf-8"))
    files.append(SUMMARY)
    if charts:
        from ..charts.robustness import robustness_charts

        caption = describe_ensemble(result)
        rules = " and ".join(f"{o} {t.text()}" for o, t in plan.experiment.thresholds.items())
        written = robustness_charts(long, analysis.tables, out / "charts", caption, headline(plan.outcomes(), 4),
                                    discovery=(d.tradeoff, d.chosen, d.limits, d.portfolio, d.share_failing)
                                    if d is not None and d.chosen is not None else None, rules=rules)
        files += [p.relative_to(out).as_posix() for p in written]
        if len(analysis.tables.get("voi", ())) and "evppi" in analysis.tables["voi"]:
            from ..charts.voi import voi_chart

            chart = voi_chart(analysis.tables["voi"], out / "charts" / VOI_CHART, caption)
            files.append(chart.relative_to(out).as_posix())
    return files


def describe_ensemble(result: Any) -> str:
    """One line: worlds, how they were drawn, factors, replications, portfolios."""
    plan = result.plan
    w = plan.worlds
    how = {"lhs": "Latin hypercube", "sobol": "Sobol' sequence", "posterior": "calibration posterior",
           "none": "as the files have it"}[w.sampler]
    factors = f" over {len(w.factors)} factor{'s' if len(w.factors) != 1 else ''}" if w.factors else ""
    return (f"{plan.name}: {w.n} world{'s' if w.n != 1 else ''} ({how}{factors}) x {plan.replications} replication"
            f"{'s' if plan.replications != 1 else ''} on common random numbers, {len(plan.portfolios)} portfolios")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(r) + " |" for r in rows]


def _pct(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x * 100:.0f} %"


def summary_markdown(result: Any) -> str:
    """The markdown summary: outcomes across worlds, regret, satisficing, pairwise wins, ranking stability,
    what the ranking depends on, scenario discovery and the value of information, each with how to read it."""
    plan, tables = result.plan, result.analysis.tables
    lines = [f"# Robustness: {plan.name}", "", describe_ensemble(result) + ".", ""]
    if plan.worlds.factors:
        lines += ["Factors: " + ", ".join(f"{f.name} ({f.bounds[0]:g} to {f.bounds[1]:g})" if f.dist == "unif"
                                          else f"{f.name} ({f.dist} {f.bounds})" for f in plan.worlds.factors) + ".", ""]
    dist = tables["distributions"]
    shown = headline(plan.outcomes())
    lines += ["## Outcomes across worlds", "", "Median over worlds [5th–95th percentile] of each portfolio's mean "
              "over its replications.", ""]
    rows = []
    for name in plan.names:
        row = [name]
        for o in shown:
            r = dist[(dist.portfolio == name) & (dist.outcome == o)].iloc[0]
            row.append(f"{show(o, r.p50)} [{show(o, r.p05)}–{show(o, r.p95)}]")
        rows.append(row)
    lines += _md_table(["portfolio"] + shown, rows) + [""]
    regret = tables["regret"]
    if len(regret):
        lines += ["## Regret", "", "Regret in a world: how far a portfolio falls short of the best portfolio of "
                  "that world. Small maximum regret = holds up everywhere (minimax regret). 'no gain': spends "
                  "without extra adoptions in some world; 'never': no value (e.g. 50 % never reached) in some "
                  f"world, which counts as worse than any value. Intervals: {plan.experiment.confidence_level:.0%} "
                  "bootstrap over worlds.", ""]
        for criterion, part in regret.groupby("criterion", sort=False):
            part = part.sort_values("rank_max_regret", kind="stable")
            lines += [f"**{criterion}** ({part.better.iloc[0]} is better) — minimax regret: "
                      f"**{_names(minimax(part))}**", ""]
            lines += _md_table(["portfolio", "mean regret [interval]", "90th pct", "max", "best in"],
                               [[r.portfolio, _mean_regret(criterion, r), show(criterion, r.p90_regret, True),
                                 show(criterion, r.max_regret, True), _pct(r.share_best)] for r in part.itertuples()]) + [""]
    if "satisficing" in tables:
        sat = tables["satisficing"].sort_values("rank", kind="stable")
        rules = " and ".join(f"{o} {t.text()}" for o, t in plan.experiment.thresholds.items())
        lines += ["## Satisficing", "", f"Share of worlds in which a portfolio meets every threshold ({rules}), with "
                  f"{plan.experiment.confidence_level:.0%} Wilson intervals. {good_enough(sat)[0].capitalize()}.", ""]
        lines += _md_table(["portfolio", "worlds meeting all [interval]"] + [f"meets {o}" for o in plan.experiment.thresholds],
                           [[r["portfolio"], f"{_pct(r['share_satisficing'])} [{_pct(r['low'])}–{_pct(r['high'])}]"]
                            + [_pct(r[f"meets_{o}"]) for o in plan.experiment.thresholds]
                            for _, r in sat.iterrows()]) + [""]
    if "pairwise" in tables and len(tables["pairwise"]):
        lines += _pairwise_md(plan.names, tables["pairwise"])
    if "stability" in tables and len(tables["stability"]):
        lines += ["## Ranking stability", "", "Kendall's W (corrected for ties): 1 = the same ranking in every world, "
                  "0 = no agreement. Most often best: best or tied for best in the largest share of worlds (every "
                  "portfolio with that share is named).", ""]
        lines += _md_table(["criterion", "Kendall's W", "most often best", "share of worlds"],
                           [[r.criterion, "n/a (all tied)" if not np.isfinite(r.kendall_w) else f"{r.kendall_w:.2f}",
                             r.most_often_best, _pct(r.share_best)]
                            for r in tables["stability"].itertuples()]) + [""]
    if len(tables.get("dependence", ())):
        lines += _dependence_md(tables["dependence"])
    d = result.analysis.discovery
    if d is not None:
        lines += _discovery_md(d)
    lines += voi_markdown(tables.get("voi"), plan.replications, plan.experiment.confidence_level)
    if result.warnings:
        lines += ["## Notes", ""] + [f"- {w}" for w in result.warnings] + [""]
    return "\n".join(lines)


def _dependence_md(table: pd.DataFrame, n: int = 5) -> list[str]:
    """The ranking-dependence section: per criterion, the ``n`` factors whose low and high halves differ
    most in how often the best portfolio is best (``ranking_dependence.csv`` has them all)."""
    lines = ["## What the ranking depends on", "", "Per criterion: the portfolio best on average and the share of "
             "worlds in which it is best; then, for the factors that move that share most, the share in the worlds "
             "below / above the factor's median, and the best portfolio there when it changes; 'noise' when a "
             "factor unrelated to the outcome would swing as much in more than 5 % of splits "
             "(ranking_dependence.csv; lever effect sizes are named TYPE.FIELD).", ""]
    for criterion, part in table.groupby("criterion", sort=False):
        first = part.iloc[0]
        lines += [f"**{criterion}**: {first.best} best in {_pct(first.share_holds)} of worlds", ""]
        lines += _md_table(["factor", "below median", "above median", "best below / above", "beyond noise"],
                           [[r.factor, _pct(r.holds_low), _pct(r.holds_high),
                             f"{r.best_low} / {r.best_high}" if r.reverses else "same",
                             "yes" if r.clear else f"noise (±{_pct(r.noise95)})"]
                            for r in part.head(n).itertuples()]) + [""]
    return lines


def minimax(regret: pd.DataFrame) -> list[str]:
    """The portfolios of one criterion's regret rows with the smallest maximum regret (all of them if tied)."""
    return list(regret.loc[regret["rank_max_regret"] == 1, "portfolio"])


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]} (tied)"


def good_enough(satisficing: pd.DataFrame) -> list[str]:
    """Which portfolios are most often good enough, as text: every one tied at the top share, or that no
    portfolio meets the thresholds in any world."""
    top = satisficing[satisficing["rank"] == 1]
    r = top.iloc[0]
    if not r.share_satisficing > 0:
        return [f"no portfolio meets the thresholds in any world (0% of worlds, {r.low:.0%}-{r.high:.0%})"]
    return [f"most often good enough: {_names(list(top.portfolio))}, {r.share_satisficing:.0%} of worlds "
            f"({r.low:.0%}-{r.high:.0%})"]


def findings(result: Any) -> list[str]:
    """The lines the command prints: each criterion's minimax-regret portfolios, the most often good
    enough (every tied portfolio named), PRIM's box."""
    lines = []
    if result.analysis is None:
        return lines
    tables = result.analysis.tables
    if len(tables["regret"]):
        for criterion, part in tables["regret"].groupby("criterion", sort=False):
            lines.append(f"minimax regret on {criterion}: {_names(minimax(part))}")
    if "satisficing" in tables:
        lines += good_enough(tables["satisficing"])
    d = result.analysis.discovery
    if d is not None and d.chosen is not None:
        box = d.box()
        restricted = d.limits[d.limits.restricted]
        lines.append(f"{d.portfolio} fails in {d.share_failing:.0%} of worlds; PRIM box (coverage {box['coverage']:.0%}, "
                     f"density {box['density']:.0%}): " + "; ".join(f"{r.factor} {r.lower:.3g} to {r.upper:.3g}"
                                                                   for r in restricted.itertuples()))
    return lines


def _mean_regret(criterion: str, r) -> str:
    never = getattr(r, "worlds_never", 0)
    if never and not np.isfinite(r.mean_regret):
        return f"never in {never} world{'s' if never != 1 else ''}"
    if r.worlds_no_gain:
        return f"no gain in {r.worlds_no_gain} world{'s' if r.worlds_no_gain != 1 else ''}"
    return (f"{show(criterion, r.mean_regret, True)} [{show(criterion, r.mean_low, True)}–"
            f"{show(criterion, r.mean_high, True)}]")


def _pairwise_md(names: list[str], pairwise: pd.DataFrame) -> list[str]:
    lines = ["## A beats B", "", "Share of worlds in which the row's portfolio does strictly better than the "
             "column's, with Wilson intervals (ties are neither).", ""]
    for criterion, part in pairwise.groupby("criterion", sort=False):
        present = [n for n in names if n in set(part.a)]
        cell = {(r.a, r.b): f"{_pct(r.share_a_better)} [{_pct(r.low)}–{_pct(r.high)}]" for r in part.itertuples()}
        lines += [f"**{criterion}**", ""]
        lines += _md_table(["row beats column"] + present,
                           [[a] + [cell.get((a, b), "—") for b in present] for a in present]) + [""]
    return lines


def _discovery_md(d) -> list[str]:
    rules = " and ".join(f"{o} {t.text()}" for o, t in d.thresholds.items())
    lines = ["## Scenario discovery", "", f"Where **{d.portfolio}** fails ({rules} not met): "
             f"{_pct(d.share_failing)} of worlds.", ""]
    if d.chosen is None:
        return lines + [f"- {n}" for n in d.notes] + [""]
    box = d.box()
    lines += [f"PRIM box {int(box['box'])} of {len(d.tradeoff)}: coverage {_pct(box['coverage'])} (of the failing "
              f"worlds, this share lies in the box), density {_pct(box['density'])} (of the worlds in the box, this "
              f"share fail), mass {_pct(box['mass'])} of all worlds.", ""]
    limits = d.limits[d.limits.restricted]
    lines += _md_table(["factor", "path", "box", "worlds' range", "unit"],
                       [[r.factor, r.path, f"{r.lower:.4g} to {r.upper:.4g}", f"{r.range_low:.4g} to {r.range_high:.4g}",
                         r.unit] for r in limits.itertuples()]) + [""]
    return lines + [f"- {n}" for n in d.notes]


def write_manifest(result: Any, files: list[str], seconds: float) -> dict[str, Any]:
    """Write ``manifest.json``: the experiment as given and resolved, worlds, seeds, how the runs ran, the
    warnings, the files and package versions; return it."""
    plan, stats = result.plan, result.stats
    execution = None
    if stats is not None:
        execution = {"where": stats.where, "workers": stats.workers, "runs": stats.n_runs,
                     "runs_already_on_disk": stats.runs_resumed, "runs_this_invocation": stats.runs_done_now,
                     "run_seconds_this_invocation": round(stats.seconds, 3),
                     "runs_per_second": round(stats.rate, 2) if np.isfinite(stats.rate) else None,
                     "chunk_size": stats.chunk_size, "chunks": stats.n_chunks}
    manifest = {
        "tool": TOOL, "version": __version__, "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "experiment_file": plan.source, "experiment_given": plan.given,
        "portfolios": [{"name": p.name, "file": p.file, "constants": p.constants} for p in plan.portfolios],
        "baseline": plan.baseline, "model_function": plan.function,
        "worlds": {"n": plan.worlds.n, "sampler": plan.worlds.sampler,
                   "factors": [f.as_dict() for f in plan.worlds.factors],
                   "effective_n": float(plan.worlds.weights.sum() ** 2 / (plan.worlds.weights ** 2).sum())},
        "replications": plan.replications,
        "seeds": {"root_seed": plan.seed, "sampler_seed": plan.seed,
                  "run_seed": "numpy.random.SeedSequence(root_seed, spawn_key=(world, replication)), the same for "
                              "every portfolio (common random numbers)"},
        "outcomes": plan.outcomes(), "regret_criteria": {c.name: c.better for c in plan.criteria()},
        "thresholds": {o: t.model_dump() for o, t in plan.experiment.thresholds.items()},
        "cost_definition": (f"{COST}: mean spend_msek / (mean adoptions_final - the baseline's) over the paired "
                            "replications of a world; +inf (no gain) when there are no extra adoptions"),
        "execution": execution, "total_seconds_this_invocation": round(seconds, 3),
        "search": result.search.record() if result.search is not None else None,
        "warnings": result.warnings, "files": files, "versions": versions(),
    }
    write_json(json_safe(manifest), result.out / MANIFEST)
    return manifest
