"""The comparison as a memo would quote it: ``comparison.md`` (``comparison.sv.md`` in Swedish) and the
wide, rounded ``comparison_wide.csv``.

``comparison.md`` opens with the answer in one minute (:mod:`model.report.headline`: which portfolio does
best on diffusion, equality and cost, for whom, how sure, and what it rests on), then the money that could
not be placed (:func:`unplaced_lines`), then small tables of at most six columns — diffusion, pilots,
equality between large and small municipalities, spread across municipalities, durability, cost, for whom — each
followed by what its measures are, in plain words with their units. The baseline's row gives levels; every
other row the paired difference from the baseline with its 95 % interval. A column with no value in any row
is left out (and said so). Every number is written by :mod:`model.report.numbers` (Swedish: decimal comma,
thin space between thousands), one format per column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..charts.language import outcome_title, outcome_unit, tr
from ..outcomes.catalogue import COMPARED, outcome
from .costs import BASELINE, DOMINATED, EXTENDED, FRONTIER
from ..charts.numbers import interval, missing, msek_decimals, number, unit

#: the memo's outcome tables: (key, English title, Swedish title, outcomes); compared outcomes of no table
#: here get one of their own (:func:`sections`)
SECTIONS = (
    ("diffusion", "Diffusion", "Spridning", ("final_adoption", "final_adoption_pop", "time_to_50_years")),
    ("pilots", "Pilots", "Piloter", ("pilots_started", "pilots_scaled", "pilots_stalled", "pilot_to_scale_rate",
                                     "mean_years_pilot_to_scale")),
    ("equality", "Equality: large and small municipalities", "Jämlikhet: stora och små kommuner",
     ("gap_small_large", "adoption_small", "adoption_large", "share_no_adoption")),
    ("spread", "Spread across municipalities", "Fördelning mellan kommuner",
     ("final_adoption_municipalities", "gini", "theil")),
    ("durability", "Durability", "Varaktighet", ("adoptions_dropped",)),
)
COST_TITLE = ("Cost", "Kostnad")
#: decimals kept in the wide CSV for each outcome format
DECIMALS = {"percent": 4, "pp": 4, "count": 1, "years": 2, "msek": 2, "number": 4}
#: decimals shown in the memo for each outcome format (counts and money: by the column, msek_decimals)
SHOWN = {"percent": 1, "pp": 1, "years": 2, "number": 3}
MARK = {DOMINATED: "†", EXTENDED: "‡"}
MAX_COLUMNS = 6


def sections() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """:data:`SECTIONS`, plus one table per group for compared outcomes none of them holds (cost aside)."""
    listed = {o for *_, names in SECTIONS for o in names}
    extra: dict[str, list[str]] = {}
    for name in COMPARED:
        if name not in listed and outcome(name).group != "cost":
            extra.setdefault(outcome(name).group, []).append(name)
    found = list(SECTIONS)
    for group, names in extra.items():
        for i in range(0, len(names), MAX_COLUMNS - 1):
            found.append((f"{group}_{i}", group.capitalize(), tr(group.capitalize(), "sv"),
                          tuple(names[i:i + MAX_COLUMNS - 1])))
    return found


def memo_labels(labels: Mapping[str, str], baseline: str, baseline_spends: bool, lang: str = "en") -> dict[str, str]:
    """What the memo calls each scenario: ``labels``, the baseline set apart as ``Baseline (no new levers)``
    (when it funds no lever) or ``Baseline: <its label>``, so that it is never confused with a portfolio
    whose description starts the same way (``Status quo`` beside ``Portfolio status quo``)."""
    out = dict(labels)
    own = labels.get(baseline, baseline)
    if lang == "sv":
        out[baseline] = f"Jämförelsealternativ: {own}" if baseline_spends else "Jämförelsealternativ (inga nya styrmedel)"
    else:
        out[baseline] = f"Baseline: {own}" if baseline_spends else "Baseline (no new levers)"
    return out


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _decimals(name: str, values: list[float]) -> int:
    return SHOWN.get(outcome(name).format, msek_decimals(values) if values else 1)


def _scale(name: str) -> float:
    return 100.0 if outcome(name).format in ("percent", "pp") else 1.0


def _level_unit(name: str, lang: str) -> str:
    kind = outcome(name).format
    return {"percent": "%", "pp": unit("pp", lang), "years": unit("years", lang)}.get(kind, "")


def _diff_unit(name: str, lang: str) -> str:
    kind = outcome(name).format
    return {"percent": unit("pp", lang), "pp": unit("pp", lang), "years": unit("years", lang)}.get(kind, "")


def _join(text: str, word: str, lang: str) -> str:
    return f"{text}{chr(0x202f) if lang == 'sv' else ' '}{word}" if word and text != missing(lang) else text


def outcome_table(names: list[str], rows: pd.DataFrame, baseline: str, labels: Mapping[str, str],
                  marks: Mapping[str, str], lang: str = "en") -> tuple[list[str], list[str]]:
    """One section's Markdown table and the names of the outcomes it left out (no value in any row).

    ``rows``: the long ``comparison.csv`` indexed by (scenario, outcome). The baseline's row gives its
    levels with their unit, the others the difference from it with the unit and the 95 % interval."""
    shown = [o for o in names if (baseline, o) in rows.index]
    scenarios = [baseline] + [s for s in pd.unique(rows.index.get_level_values(0)) if s != baseline]
    kept = []
    for o in shown:
        values = [rows.loc[(s, o), "mean" if s == baseline else "diff_vs_baseline"] for s in scenarios
                  if (s, o) in rows.index]
        if any(v is not None and math.isfinite(v) for v in values):
            kept.append(o)
    dropped = [o for o in shown if o not in kept]
    if not kept:
        return [], dropped
    head = ["Portfölj" if lang == "sv" else "Portfolio"] + [outcome_title(o, outcome(o).title, lang) for o in kept]
    lines = [_row(head), "|" + "---|" * len(head)]
    digits = {o: _decimals(o, [float(rows.loc[(s, o), "mean" if s == baseline else "diff_vs_baseline"]) * _scale(o)
                               for s in scenarios if (s, o) in rows.index]) for o in kept}
    for s in scenarios:
        cells = [labels.get(s, s) + marks.get(s, "")]
        for o in kept:
            if (s, o) not in rows.index:
                cells.append(missing(lang))
                continue
            r, k = rows.loc[(s, o)], _scale(o)
            if s == baseline:
                cells.append(_join(number(r["mean"] * k, digits[o], lang), _level_unit(o, lang), lang))
                continue
            diff = _join(number(r["diff_vs_baseline"] * k, digits[o], lang, signed=True), _diff_unit(o, lang), lang)
            ci = interval(r["diff_ci95_low"], r["diff_ci95_high"], digits[o], lang, scale=k)
            cells.append(diff if diff == missing(lang) else f"{diff} ({ci})")
        lines.append(_row(cells))
    return lines, dropped


def definitions(names: list[str], dropped: list[str], when: str, lang: str = "en") -> list[str]:
    """What each measure of a table is, in plain words with its unit, and why a column is missing."""
    sv, out = lang == "sv", []
    for o in names:
        declared = outcome(o)
        title, what = outcome_title(o, declared.title, lang), outcome_unit(declared.unit, lang)
        if o in dropped:
            out.append(f"*{title}*: " + ("inget scenario har något värde vid " if sv else "no scenario has a value at the ")
                       + f"{when}" + (" (kolumnen utelämnad)." if sv else " (column left out)."))
            continue
        change = {"percent": "procentenheter" if sv else "percentage points",
                  "pp": "procentenheter" if sv else "percentage points"}.get(declared.format, what)
        out.append(f"*{title}*: {what}, {'vid' if sv else 'at the'} {when}"
                   + (f"; {'skillnader i' if sv else 'differences in'} {change}" if change != what else "") + ".")
    note = ("Jämförelsealternativets rad ger nivåer; övriga rader skillnaden mot det i samma replikering, med "
            "95 % konfidensintervall inom parentes." if sv else
            "The baseline's row gives levels; every other row the difference from it in the same replication, with "
            "its 95 % confidence interval in brackets.")
    return [" ".join(out) + " " + note]


def _frontier_cell(row, labels: Mapping[str, str], lang: str, digits: int) -> str:
    if row.status == BASELINE:
        return "—"
    where = tr(row.status, lang) if row.status in (FRONTIER, DOMINATED, EXTENDED) else str(row.status)
    if isinstance(row.dominated_by, str) and row.dominated_by:
        where += f" ({'av' if lang == 'sv' else 'by'} {labels.get(row.dominated_by, row.dominated_by)})"
    if row.status == FRONTIER and np.isfinite(row.icer_msek):
        where += (f"; {number(row.icer_msek, digits, lang)} {unit('msek', lang)} "
                  + ("per extra införande mot föregående" if lang == "sv" else "per extra adoption over the previous"))
    return where


def cost_markdown(costs: pd.DataFrame, baseline: str, labels: Mapping[str, str] | None = None,
                  lang: str = "en") -> list[str]:
    """The cost table of ``comparison.md`` (six columns, one number format per column) and its notes."""
    labels, sv = dict(labels or {}), lang == "sv"
    money = unit("msek", lang)
    header = (["Portfölj", f"Budgeterat ({money})", f"Använt ({money})", "Extra införanden (95 % KI)",
               f"{money} per extra införande (95 % KI)", "Kostnadseffektivitetsfront"] if sv else
              ["Portfolio", f"Budgeted ({money})", f"Used ({money})", "Extra adoptions (95 % CI)",
               f"{money} per extra adoption (95 % CI)", "Cost-effectiveness frontier"])
    lines = [f"## {COST_TITLE[sv]}", "", _row(header), "|" + "---|" * len(header)]
    budget = msek_decimals(list(costs["budgeted_msek"]) + list(costs["used_msek"]))
    extra_d = msek_decimals(costs["extra_adoptions"])
    ratio = costs["cost_per_extra_adoption_msek"]
    per_d = max(1, msek_decimals(ratio)) if ratio.abs().max() < 1000 else 0
    for row in costs.itertuples(index=False):
        mark = MARK.get(row.status, "")
        cells = [labels.get(row.scenario, row.scenario) + mark, number(row.budgeted_msek, budget, lang),
                 number(row.used_msek, budget, lang)]
        if row.scenario == baseline:
            cells += ["—", "—", "—"]
        else:
            cells.append(f"{number(row.extra_adoptions, extra_d, lang, signed=True)} "
                         f"({interval(row.extra_adoptions_low, row.extra_adoptions_high, extra_d, lang)})")
            per = number(row.cost_per_extra_adoption_msek, per_d, lang)
            cells.append(per if per == missing(lang) else f"{per} ({interval(row.cost_per_extra_adoption_msek_low, row.cost_per_extra_adoption_msek_high, per_d, lang, signed=False)})")
            cells.append(_frontier_cell(row, labels, lang, per_d))
        lines.append(_row(cells))
    lines.append("")
    if sv:
        lines.append("*Budgeterat*: vad portföljens styrmedel fick under de simulerade åren, mnkr (miljoner kronor). "
                     "*Använt*: pengar som placerades (lever_usage.csv där körningen har den), annars vad programmen "
                     "betalade ut. *Extra införanden*: par organisation–innovation som är införda vid horisonten "
                     "utöver jämförelsealternativet, i samma replikering. *Per extra införande*: merkostnaden mot "
                     "jämförelsealternativet delad med de extra införandena; intervall från bootstrap över "
                     f"replikeringarna ({missing(lang)}: inga extra införanden; ∞: några omsamplingar ger inga). "
                     "*Front*: portföljer som ingen annan slår på både kostnad och effekt; † dominerad (en annan "
                     "kostar högst lika mycket och ger minst lika mycket); ‡ utsträckt dominerad (en blandning av "
                     "grannarna på fronten ger mer för pengarna).")
    else:
        lines.append("*Budgeted*: what the portfolio's levers were given over the simulated years, MSEK (million "
                     "Swedish kronor). *Used*: money placed (lever_usage.csv where the run writes it), else what the "
                     "programmes paid out. *Extra adoptions*: organisation–innovation pairs adopted at the horizon "
                     "beyond the baseline, in the same replication. *Per extra adoption*: the incremental cost "
                     "against the baseline over the extra adoptions; interval from a bootstrap over replications "
                     f"({missing(lang)}: no extra adoption; ∞: some resamples add none). *Frontier*: portfolios no "
                     "other beats on both cost and effect; † dominated (another costs no more and adds at least as "
                     "much); ‡ extendedly dominated (a mix of its frontier neighbours adds more for the money).")
    lines.append("")
    return lines


def _pp_cell(row, lang: str) -> str:
    diff = _join(number(row["diff"] * 100, 1, lang, signed=True), unit("pp", lang), lang)
    return f"{diff} ({interval(row['diff_ci95_low'], row['diff_ci95_high'], 1, lang, scale=100)})"


def groups_markdown(groups: pd.DataFrame | None, baseline: str, labels: Mapping[str, str], when: str,
                    lang: str = "en") -> list[str]:
    """For whom: the difference in municipal adoption by size band (one column per band) and in each
    portfolio's lever target groups (levers whose targets admit the same municipalities share a row)."""
    from .groups import band_text

    if groups is None or groups.empty:
        return []
    sv = lang == "sv"
    bands = groups[groups["group_type"] == "size_band"]
    lines = [f"## {'För vem' if sv else 'For whom'}", ""]
    if not bands.empty:
        order = list(dict.fromkeys(bands["group"]))
        lines += [_row(["Portfölj" if sv else "Portfolio"] + [f"{band_text(b, lang)} {'inv.' if sv else 'inh.'}"
                                                              for b in order]), "|" + "---|" * (len(order) + 1)]
        first = bands[bands["scenario"] == bands["scenario"].iloc[0]].set_index("group")
        lines.append(_row([labels.get(baseline, baseline)] + [
            _join(number(first.loc[b, "baseline_mean"] * 100, 1, lang), "%", lang) for b in order]))
        for scenario, part in bands.groupby("scenario", sort=False):
            part = part.set_index("group")
            lines.append(_row([labels.get(scenario, scenario)] + [_pp_cell(part.loc[b], lang) if b in part.index
                                                                  else missing(lang) for b in order]))
        lines.append("")
    targets = groups[groups["group_type"] == "target"]
    if not targets.empty:
        lines += [_row(["Portfölj" if sv else "Portfolio", "Styrmedel vars målgrupp det är" if sv else
                        "Levers whose target group it is", "Kommuner" if sv else "Municipalities",
                        "Skillnad (95 % KI)" if sv else "Difference (95 % CI)"]), "|---|---|---|---|"]
        for (scenario, count, _diff), part in targets.groupby(["scenario", "municipalities", "diff"], sort=False):
            lines.append(_row([labels.get(scenario, scenario), ", ".join(f"`{g}`" for g in part["group"]),
                               number(count, 0, lang), _pp_cell(part.iloc[0], lang)]))
        lines.append("")
    lines.append(
        f"*Kommunal spridning*: varje kommuns andel av sina tillämpliga innovationer som är införda vid {when}, "
        "medelvärde över gruppens kommuner (oviktat); jämförelsealternativets rad i nivå (procent), övriga som "
        "skillnad i procentenheter. En målgrupp är de kommuner ett styrmedels `target` släpper in. Län och "
        "SKR-grupper: differences_by_group.csv och arbetsboken." if sv else
        f"*Municipal adoption*: each municipality's share of its applicable innovations adopted at the {when}, "
        "averaged over the group's municipalities (unweighted); the baseline's row in levels (per cent), the others "
        "as differences in percentage points. A target group is the municipalities a lever's `target` admits. "
        "Counties and SKR groups: differences_by_group.csv and the workbook.")
    return lines + [""]


def _msek(value: float, lang: str = "en") -> str:
    """MSEK as the unplaced-money lines print it: two decimals below 100, whole numbers above."""
    return number(value, 2 if abs(value) < 100 else 0, lang)


def unplaced_lines(usage: Mapping[str, pd.DataFrame | None], labels: Mapping[str, str] | None = None,
                   lang: str = "en") -> list[str]:
    """The lines after the headline: per portfolio, the MSEK of its budget left unplaced (mean over
    replications of ``lever_usage.csv``'s ``unplaced_capacity_msek`` and ``unplaced_no_taker_msek``) and
    why — beyond the operator's capacity, or no taker — with the levers it was left by. ``usage`` maps
    scenario names to their lever_usage frames (None or without those columns: not reported); [] when
    nothing was unplaced."""
    labels, sv, parts = dict(labels or {}), lang == "sv", []
    money = unit("msek", lang)
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
                parts.append(f"- **{labels.get(name, name)}**: " + (f"alla {_msek(budget, lang)} {money} placerade" if sv
                                                                    else f"all {_msek(budget)} {money} placed"))
            continue
        reasons = []
        for column, words in why.items():
            levers = by_lever[column][by_lever[column] >= 0.005]  # every lever that left any
            if len(levers):
                reasons.append(f"{_msek(float(levers.sum()), lang)} {words[sv]} ("
                               + ", ".join(f"{lever}: {_msek(float(v), lang)}" for lever, v in levers.items()) + ")")
        parts.append(f"- **{labels.get(name, name)}**: {_msek(lost, lang)} {'av' if sv else 'of'} "
                     f"{_msek(budget, lang)} {money} {'oplacerade' if sv else 'unplaced'}: " + "; ".join(reasons))
    if not any("unplaced" in p or "oplacerade" in p for p in parts):
        return []
    head = ("**Pengar som inte kunde placeras** (medel per replikering, lever_usage.csv):" if sv else
            "**Money that could not be placed** (mean per replication, lever_usage.csv):")
    return ["", head, ""] + parts


def comparison_markdown(table: pd.DataFrame, costs: pd.DataFrame, baseline: str, replications: int,
                        seed: int | None = None, period: str = "", labels: Mapping[str, str] | None = None,
                        lang: str = "en", when: str = "", top: list[str] | None = None,
                        groups: pd.DataFrame | None = None) -> str:
    """``comparison.md``: the headline lines ``top`` (:mod:`model.report.headline`), then the tables of
    :func:`sections` and the cost table, each with its definitions (see the module's docstring).

    ``table`` is the long ``comparison.csv``, ``costs`` ``cost_effectiveness.csv``; ``labels`` maps
    scenario names to what readers call them (:func:`memo_labels`), ``period`` says which years were
    simulated and ``when`` when outcomes are measured (``end of 2028``); ``groups``
    ``differences_by_group.csv`` (:func:`groups_markdown`)."""
    labels, sv = dict(labels or {}), lang == "sv"
    marks = {r.scenario: MARK.get(r.status, "") for r in costs.itertuples(index=False)}
    rows = table.set_index(["scenario", "outcome"])
    title = "Jämförelse av portföljer" if sv else "Comparison of portfolios"
    lines = [f"# {title}", ""]
    if top:
        lines += [f"## {'Svaret på en minut' if sv else 'In one minute'}", ""] + list(top) + [""]
    seed_text = (f" ({'rotfrö' if sv else 'root seed'} {seed})" if seed is not None else "")
    lines.append(
        (f"{replications} replikeringar per scenario med gemensamma slumptal{seed_text}; {period}. Skillnader är "
         "parade (portfölj minus jämförelsealternativ i samma replikering); en skillnad vars intervall omfattar 0 "
         "kan inte skiljas från ingen skillnad." if sv else
         f"{replications} replications per scenario on common random numbers{seed_text}; {period}. Differences are "
         "paired (portfolio minus baseline in the same replication); a difference whose interval includes 0 cannot "
         "be told from none.").replace("; .", "."))
    lines.append("")
    for _key, en, swedish, names in sections():
        body, dropped = outcome_table(list(names), rows, baseline, labels, marks, lang)
        if not body and not dropped:
            continue
        lines += [f"## {swedish if sv else en}", ""] + body + [""]
        lines += definitions([o for o in names if (baseline, o) in rows.index], dropped, when or period, lang) + [""]
    lines += cost_markdown(costs, baseline, labels, lang)
    lines += groups_markdown(groups, baseline, labels, when or period, lang)
    names = ", ".join(f"{labels.get(n, n)} = `{n}`" for n in costs["scenario"])
    lines.append(("Scenariernas namn i filerna: " if sv else "Scenario names in the files: ") + names + ".")
    return "\n".join(lines).rstrip() + "\n"


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
