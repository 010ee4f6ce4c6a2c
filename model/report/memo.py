"""The comparison as a memo would quote it: ``comparison.md`` and the wide, rounded ``comparison_wide.csv``.

``comparison.md`` has one table per outcome group of the catalogue (diffusion, equality, durability) and a
cost table. Each portfolio's row gives the money budgeted for its levers and the money used, and each
outcome's paired difference from the baseline with its 95 % interval (the baseline's row gives its
levels). The cost table adds the extra adoptions, the cost per extra adoption with its bootstrap interval
and the portfolio's place on the cost-effectiveness frontier; dominated portfolios are marked in every
table. Numbers are printed as the outcome catalogue prints them (:meth:`ScalarOutcome.show`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..charts.language import outcome_title, tr
from ..outcomes.catalogue import COMPARED, outcome
from .costs import BASELINE, DOMINATED, EXTENDED, FRONTIER

GROUP_TITLES = {"diffusion": ("Diffusion", "Spridning"), "equality": ("Equality", "Jämlikhet"),
                "durability": ("Durability", "Varaktighet"), "cost": ("Cost", "Kostnad")}
#: decimals kept in the wide CSV for each outcome format
DECIMALS = {"percent": 4, "pp": 4, "count": 1, "years": 2, "msek": 2, "number": 4}
MARK = {DOMINATED: "†", EXTENDED: "‡"}


def _msek(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "n/a" if value is None or math.isnan(value) else "∞"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _interval(low: float, high: float, show) -> str:
    if not (math.isfinite(low) or math.isfinite(high)):
        return "no interval" if math.isnan(low) else "unbounded"
    return f"{show(low)} to {show(high)}"


def _t(key: str, lang: str) -> str:
    sv = {"Portfolio": "Portfölj", "Budgeted (MSEK)": "Budgeterat (MSEK)", "Used (MSEK)": "Använt (MSEK)",
          "Extra adoptions (95 % CI)": "Extra införanden (95 % KI)",
          "Cost per extra adoption, MSEK (95 % CI)": "Kostnad per extra införande, MSEK (95 % KI)",
          "Frontier": "Front", "ICER vs previous on frontier (MSEK)": "Merkostnad per extra införande mot "
          "föregående på fronten (MSEK)", "to": "till", "no interval": "inget intervall",
          "unbounded": "obegränsat", "dominated by": "domineras av"}
    return sv.get(key, key) if lang == "sv" else key


def _name(row_name: str, status: Mapping[str, str], labels: Mapping[str, str]) -> str:
    mark = MARK.get(status.get(row_name, ""), "")
    label = labels.get(row_name, row_name)
    return f"{label}{mark}" if label == row_name else f"{label} (`{row_name}`){mark}"


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def unplaced_lines(usage: Mapping[str, pd.DataFrame | None], labels: Mapping[str, str] | None = None,
                   lang: str = "en") -> list[str]:
    """The memo's first lines: per portfolio, the MSEK of its budget left unplaced (mean over replications
    of ``lever_usage.csv``'s ``unplaced_capacity_msek`` and ``unplaced_no_taker_msek``) and why — beyond
    the operator's capacity, or no taker — with the levers it was left by. ``usage`` maps scenario names to
    their lever_usage frames (None or without those columns: not reported); [] when nothing was unplaced."""
    labels, sv, parts = dict(labels or {}), lang == "sv", []
    why = {"unplaced_capacity_msek": ("beyond the operator's capacity", "utöver operatörens kapacitet"),
           "unplaced_no_taker_msek": ("found no taker", "fann ingen mottagare")}
    for name, frame in usage.items():
        if frame is None or frame.empty or not set(why) <= set(frame.columns):
            continue
        reps = max(frame["replication"].nunique(), 1) if "replication" in frame.columns else 1
        by_lever = frame.groupby("lever", sort=False)[[*why, "budget_msek"]].sum() / reps
        lost = float(by_lever[list(why)].to_numpy().sum())
        budget = float(by_lever["budget_msek"].sum())
        if lost < 0.5:
            if budget > 0:
                parts.append(f"- **{labels.get(name, name)}**: " + (f"alla {_msek(budget)} MSEK placerade" if sv
                                                                    else f"all {_msek(budget)} MSEK placed"))
            continue
        reasons = []
        for column, words in why.items():
            levers = by_lever[column][by_lever[column] >= 0.5]
            if len(levers):
                reasons.append(f"{_msek(float(levers.sum()))} {words[sv]} ("
                               + ", ".join(f"{lever}: {_msek(float(v))}" for lever, v in levers.items()) + ")")
        parts.append(f"- **{labels.get(name, name)}**: {_msek(lost)} {'av' if sv else 'of'} {_msek(budget)} MSEK "
                     f"{'oplacerade' if sv else 'unplaced'}: " + "; ".join(reasons))
    if not any("unplaced" in p or "oplacerade" in p for p in parts):
        return []
    head = ("**Pengar som inte kunde placeras** (medel per replikering, lever_usage.csv):" if sv else
            "**Money that could not be placed** (mean per replication, lever_usage.csv):")
    return [head, ""] + parts + [""]


def comparison_markdown(table: pd.DataFrame, costs: pd.DataFrame, baseline: str, replications: int,
                        seed: int | None = None, period: str = "", labels: Mapping[str, str] | None = None,
                        lang: str = "en", usage: Mapping[str, pd.DataFrame | None] | None = None) -> str:
    """``comparison.md``: the memo tables (see the module's docstring).

    ``table`` is :func:`model.compare.comparison_table`'s long table, ``costs`` that of
    :func:`model.report.costs.cost_effectiveness`; ``labels`` maps scenario names to what readers call
    them (descriptions), ``period`` says which years were simulated; ``usage`` each scenario's
    ``lever_usage.csv``, for the first lines on money unplaced (:func:`unplaced_lines`).
    """
    labels = dict(labels or {})
    status = dict(zip(costs["scenario"], costs["status"]))
    money = costs.set_index("scenario")
    names = [baseline] + [n for n in pd.unique(table["scenario"]) if n != baseline]
    values = table.set_index(["scenario", "outcome"])
    sv = lang == "sv"
    lines = [f"# {'Jämförelse mot' if sv else 'Comparison against'} {labels.get(baseline, baseline)}", ""]
    lines += unplaced_lines(usage or {}, labels, lang)
    seed_text = f" (root seed {seed})" if seed is not None and not sv else (f" (rotfrö {seed})" if seed is not None else "")
    lines.append(
        (f"{replications} replikeringar per scenario med gemensamma slumptal{seed_text}; {period}. Skillnader är "
         "parade (portfölj minus jämförelsealternativ i samma replikering) med 95 % konfidensintervall; en skillnad "
         "vars intervall omfattar 0 kan inte skiljas från ingen skillnad." if sv else
         f"{replications} replications per scenario on common random numbers{seed_text}; {period}. Differences "
         "are paired (portfolio minus baseline in the same replication) with 95 % confidence intervals; a "
         "difference whose interval includes 0 cannot be told from none.").replace("; .", "."))
    lines.append("")
    head = [_t("Portfolio", lang), _t("Budgeted (MSEK)", lang), _t("Used (MSEK)", lang)]
    for group in ("diffusion", "equality", "durability"):
        shown = [o for o in COMPARED if outcome(o).group == group and (baseline, o) in values.index]
        if not shown:
            continue
        lines += [f"## {GROUP_TITLES[group][sv]}", ""]
        titles = [outcome_title(o, outcome(o).title, lang) for o in shown]
        header = head + [f"{t} ({outcome(o).unit})" if titles.count(t) > 1 else t for t, o in zip(titles, shown)]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for name in names:
            cells = [_name(name, status, labels), _msek(money.loc[name, "budgeted_msek"]),
                     _msek(money.loc[name, "used_msek"])]
            for o in shown:
                declared, row = outcome(o), values.loc[(name, o)]
                if name == baseline:
                    cells.append(declared.show(row["mean"]))
                    continue
                if declared.format == "percent":  # a difference of shares is in percentage points
                    declared = dataclasses.replace(declared, format="pp")
                sign = (lambda v, d=declared: d.show(v, signed=True))
                interval = _interval(row["diff_ci95_low"], row["diff_ci95_high"], sign).replace(" to ", f" {_t('to', lang)} ")
                cells.append(f"{sign(row['diff_vs_baseline'])} ({interval})")
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
        lines.append(("Jämförelsealternativets rad visar nivåer; övriga rader skillnaden mot det (95 % KI)."
                      if sv else "The baseline's row gives levels; the other rows the difference from it (95 % CI)."))
        lines.append("")
    lines += cost_markdown(costs, baseline, labels, lang)
    return "\n".join(lines).rstrip() + "\n"


def cost_markdown(costs: pd.DataFrame, baseline: str, labels: Mapping[str, str] | None = None,
                  lang: str = "en") -> list[str]:
    """The cost table of ``comparison.md`` and its notes, as lines."""
    labels = dict(labels or {})
    sv = lang == "sv"
    status = dict(zip(costs["scenario"], costs["status"]))
    header = [_t(h, lang) for h in ("Portfolio", "Budgeted (MSEK)", "Used (MSEK)", "Extra adoptions (95 % CI)",
                                     "Cost per extra adoption, MSEK (95 % CI)", "Frontier",
                                     "ICER vs previous on frontier (MSEK)")]
    lines = [f"## {GROUP_TITLES['cost'][sv]}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    count = outcome("adoptions_final")
    for row in costs.itertuples(index=False):
        extra = (f"{count.show(row.extra_adoptions, signed=True)} "
                 f"({_interval(row.extra_adoptions_low, row.extra_adoptions_high, lambda v: count.show(v, True))})")
        cost = (f"{_msek(row.cost_per_extra_adoption_msek)} "
                f"({_interval(row.cost_per_extra_adoption_msek_low, row.cost_per_extra_adoption_msek_high, _msek)})")
        if row.scenario == baseline:
            extra, cost = "—", "—"
        where = tr(row.status, lang) if row.status in (FRONTIER, DOMINATED, EXTENDED) else (
            "—" if row.status == BASELINE else str(row.status))
        if isinstance(row.dominated_by, str) and row.dominated_by:
            where += f" ({_t('dominated by', lang)} {labels.get(row.dominated_by, row.dominated_by)})"
        cells = [_name(row.scenario, status, labels), _msek(row.budgeted_msek), _msek(row.used_msek), extra, cost,
                 where, _msek(row.icer_msek) if np.isfinite(row.icer_msek) else "—"]
        lines.append("| " + " | ".join(_cell(c).replace(" to ", f" {_t('to', lang)} ") for c in cells) + " |")
    lines.append("")
    if sv:
        lines.append("Budgeterat: vad portföljens styrmedel fick under de simulerade åren. Använt: pengar som "
                     "placerades (lever_usage.csv där körningen har den), annars vad programmen betalade ut. "
                     "Kostnad per extra införande: merkostnad mot jämförelsealternativet delat med extra "
                     "införanden vid horisonten; intervall från bootstrap över replikeringar. "
                     "† dominerad (en annan portfölj kostar högst lika mycket och ger minst lika mycket); "
                     "‡ utsträckt dominerad (en blandning av grannarna på fronten ger mer för pengarna).")
    else:
        lines.append("Budgeted: what the portfolio's levers were given over the simulated years. Used: money placed "
                     "(lever_usage.csv where the run writes it), else what the programmes paid out. Cost per "
                     "extra adoption: incremental cost against the baseline over extra adoptions at the horizon; "
                     "interval from a bootstrap over replications (∞: some resamples add no adoption). "
                     "† dominated (another portfolio costs no more and adds at least as much); ‡ extendedly "
                     "dominated (a mix of its frontier neighbours adds more for the money).")
    lines.append("")
    return lines


def wide_table(table: pd.DataFrame, costs: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``comparison_wide.csv``: one row per scenario, rounded; each compared outcome's mean, its paired
    difference from the baseline with the interval, then money, extra adoptions, cost per extra adoption
    (with its bootstrap interval) and the frontier's marks."""
    labels = dict(labels or {})
    rows = []
    for name, part in table.groupby("scenario", sort=False):
        row: dict = {"scenario": name, "label": labels.get(name, name)}
        for r in part.itertuples(index=False):
            if r.outcome not in COMPARED:
                continue
            digits = DECIMALS[outcome(r.outcome).format]
            row[r.outcome] = round(r.mean, digits)
            row[f"{r.outcome}_diff"] = round(r.diff_vs_baseline, digits)
            row[f"{r.outcome}_diff_low"] = round(r.diff_ci95_low, digits)
            row[f"{r.outcome}_diff_high"] = round(r.diff_ci95_high, digits)
        rows.append(row)
    wide = pd.DataFrame(rows)
    money = costs.drop(columns=[c for c in ("cost", "effect") if c in costs.columns]).copy()
    numeric = money.select_dtypes("number").columns
    money[numeric] = money[numeric].round(2)
    return wide.merge(money, on="scenario", how="left")
