"""The answer in one minute: the sentences that open ``comparison.md`` and ``report.html``.

Generated from the comparison's numbers, never written by hand: which portfolio does best on diffusion
(final adoption), on equality (the gap between large and small municipalities) and on cost (MSEK per extra
adoption), for whom (the portfolio's lever target groups, from ``differences_by_group.csv``), how sure
(the share of replications, or posterior draws, in which the ranking holds: ``ranking.csv`` where the
comparison wrote it, else :func:`replication_ranking`) and what it rests on (:func:`rests_on`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .groups import band_text
from ..charts.numbers import interval, number, quantity, share

#: the three questions of the headline: (outcome in comparison.csv, better direction)
DIFFUSION, EQUALITY, COST = "final_adoption", "gap_small_large", "cost_per_extra_adoption_msek"
BETTER = {DIFFUSION: "higher", EQUALITY: "lower", COST: "lower"}
#: fewer runs than this behind a ranking, and the headline says it is not firm
FEW = 20
RANKING_COLUMNS = ["outcome", "scenario", "share_best", "share_beats_baseline", "units", "n"]
UNITS_SV = {"replications": "replikeringar", "posterior draws": "posteriordragningar", "draws": "dragningar",
            "runs": "körningar", "draws × replications": "dragningar × replikeringar"}


def replication_ranking(values: Mapping[str, pd.DataFrame], used: Mapping[str, np.ndarray], baseline: str
                        ) -> pd.DataFrame:
    """How often each portfolio's paired difference from the baseline is the best, replication by
    replication: :data:`RANKING_COLUMNS`, ``units`` ``replications``.

    ``values``: scenario -> its ``replications.csv`` (rows in replication order); ``used``: scenario ->
    MSEK used per replication. Per replication, final adoption and the small–large gap compare the
    paired differences; cost compares incremental MSEK per extra adoption (a replication without an extra
    adoption counts as infinitely dear). Ties count for each tied portfolio.
    """
    base = values[baseline]
    others = [n for n in values if n != baseline]
    if not others:
        return pd.DataFrame(columns=RANKING_COLUMNS)
    rows = []
    n = min(len(values[o]) for o in values)
    for outcome in (DIFFUSION, EQUALITY, COST):
        if outcome == COST:
            extra = {o: values[o]["adoptions_final"].to_numpy(float)[:n] - base["adoptions_final"].to_numpy(float)[:n]
                     for o in others}
            more = {o: np.asarray(used[o], float)[:n] - np.asarray(used[baseline], float)[:n] for o in others}
            diffs = {o: np.where(extra[o] > 0, more[o] / np.where(extra[o] > 0, extra[o], 1), np.inf) for o in others}
            beats = {o: extra[o] > 0 for o in others}
        elif outcome in base.columns:
            diffs = {o: values[o][outcome].to_numpy(float)[:n] - base[outcome].to_numpy(float)[:n] for o in others}
            beats = {o: diffs[o] > 0 if BETTER[outcome] == "higher" else diffs[o] < 0 for o in others}
        else:
            continue
        stack = np.vstack([diffs[o] for o in others])
        best = np.nanmax(stack, 0) if BETTER[outcome] == "higher" else np.nanmin(stack, 0)
        for i, o in enumerate(others):
            rows.append(dict(outcome=outcome, scenario=o, share_best=float(np.mean(stack[i] == best)),
                             share_beats_baseline=float(np.mean(beats[o])), units="replications", n=n))
    return pd.DataFrame(rows, columns=RANKING_COLUMNS)


def _diff(table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    return table[table["outcome"] == outcome].set_index("scenario")


def _winner(rows: pd.DataFrame, column: str, better: str, baseline: str) -> str | None:
    values = rows.drop(index=baseline, errors="ignore")[column].astype(float)
    values = values[np.isfinite(values)]
    if values.empty:
        return None
    return str(values.idxmax() if better == "higher" else values.idxmin())


def _sure(ranking: pd.DataFrame | None, outcome: str, name: str, lang: str) -> str:
    """``best in 75 % of 4 replications`` for one headline's winner, or ""."""
    if ranking is None or ranking.empty:
        return ""
    row = ranking[(ranking["outcome"] == outcome) & (ranking["scenario"] == name)]
    if row.empty:
        return ""
    r = row.iloc[0]
    units = str(r["units"])
    units = UNITS_SV.get(units, units) if lang == "sv" else units
    n = int(r["n"]) if pd.notna(r["n"]) else 0
    if lang == "sv":
        return (f"bäst i {share(r['share_best'], lang)} av {n} {units} (bättre än jämförelsealternativet i "
                f"{share(r['share_beats_baseline'], lang)})")
    return f"best in {share(r['share_best'], lang)} of {n} {units} (better than the baseline in " \
           f"{share(r['share_beats_baseline'], lang)})"


def _effect(frame: pd.DataFrame, who: str, baseline: str, lang: str) -> tuple:
    """``who``'s row of ``frame`` (one outcome's rows of comparison.csv by scenario), the baseline's level,
    and the paired difference and its 95 % interval as the headline prints them (percentage points), with
    whether that interval includes no change."""
    r = frame.loc[who]
    d = quantity(r["diff_vs_baseline"], "pp", lang, signed=True, prose=True)
    ci = interval(r["diff_ci95_low"], r["diff_ci95_high"], 1, lang, scale=100)
    return r, frame.loc[baseline, "mean"], d, ci, _includes_zero(r["diff_ci95_low"], r["diff_ci95_high"])


def _includes_zero(low: float, high: float) -> bool:
    return not (math.isfinite(low) and math.isfinite(high)) or low <= 0 <= high


def headline(table: pd.DataFrame, costs: pd.DataFrame, baseline: str, labels: Mapping[str, str],
             when: str, groups: pd.DataFrame | None = None, ranking: pd.DataFrame | None = None,
             lang: str = "en") -> list[str]:
    """The headline as Markdown bullet lines: diffusion, equality, cost, for whom, how sure.

    ``table``: the long ``comparison.csv``; ``costs``: ``cost_effectiveness.csv``; ``labels``: scenario
    -> what readers call it; ``when``: when outcomes are measured (``end of 2028``); ``groups``:
    ``differences_by_group.csv``; ``ranking``: :data:`RANKING_COLUMNS` (None: no "how sure" line).
    """
    sv, lines, sure = lang == "sv", [], []
    name = lambda s: f"**{labels.get(s, s)}**"  # noqa: E731
    gain = _diff(table, DIFFUSION)
    top = _winner(gain, "diff_vs_baseline", "higher", baseline) if baseline in gain.index else None
    if top is not None:
        r, level, d, ci, doubt = _effect(gain, top, baseline, lang)
        lines.append(
            f"- **Spridning:** {name(top)} ger störst slutlig spridning vid {when}: {d} (95 % KI {ci}) från "
            f"jämförelsealternativets {quantity(level, 'percent', lang, prose=True)}"
            + (" – men intervallet omfattar ingen skillnad." if doubt else ".") if sv else
            f"- **Diffusion:** {name(top)} raises final adoption most by the {when}: {d} (95 % CI {ci}) from the "
            f"baseline's {quantity(level, 'percent', lang)}" + (" – but its interval includes no change." if doubt
                                                                  else "."))
        sure.append((DIFFUSION, top, "spridning" if sv else "final adoption"))
    gap = _diff(table, EQUALITY)
    low = _winner(gap, "diff_vs_baseline", "lower", baseline) if baseline in gap.index else None
    if low is not None:
        r, level, d, ci, doubt = _effect(gap, low, baseline, lang)
        narrows = r["diff_vs_baseline"] < 0
        reverses = narrows and level + r["diff_vs_baseline"] < 0  # past zero: the small ones then lead
        verb = (("vänder gapet mellan stora och små kommuner (de små leder då)" if reverses else
                 "minskar gapet mellan stora och små kommuner mest" if narrows else
                 "vidgar gapet mellan stora och små kommuner minst (ingen portfölj minskar det)") if sv else
                ("closes the gap between large and small municipalities and reverses it (the small ones then "
                 "lead)" if reverses else
                 "narrows the gap between large and small municipalities most" if narrows else
                 "widens the gap between large and small municipalities least (none narrows it)"))
        base_gap = ("ett gap på " if sv else "a gap of ") + quantity(level, "pp", lang, prose=True)
        lines.append(f"- **{'Jämlikhet' if sv else 'Equality'}:** {name(low)} {verb}: {d} (95 % "
                     f"{'KI' if sv else 'CI'} {ci}) {'från' if sv else 'from'} {base_gap}"
                     + ((" – men intervallet omfattar ingen skillnad." if sv else
                         " – but its interval includes no change.") if doubt else "."))
        sure.append((EQUALITY, low, "gapet" if sv else "the gap"))
    lines += _cost_line(costs, baseline, name, lang, sure)
    lines += _for_whom(table, groups, top, name, lang)
    found = [(what, _sure(ranking, o, s, lang), s) for o, s, what in sure]
    found = [f"{what}: {labels.get(s, s)} {text}" for what, text, s in found if text]
    if found:
        few = ranking is not None and len(ranking) and ranking["n"].max() < FEW
        lines.append(f"- **{'Hur säkert' if sv else 'How sure'}:** " + "; ".join(found) + "."
                     + ((" Få körningar: kör med fler (--reps) för en fastare rangordning." if sv else
                         " Few runs: run with more (--reps) for a firmer ranking.") if few else ""))
    return lines


def _cost_line(costs: pd.DataFrame, baseline: str, name, lang: str, sure: list) -> list[str]:
    sv = lang == "sv"
    money = costs.set_index("scenario")
    cheap = _winner(money, "cost_per_extra_adoption_msek", "lower", baseline)
    if cheap is None:
        return ["- **Kostnad:** ingen portfölj ger fler införanden än jämförelsealternativet för sina pengar."
                if sv else "- **Cost:** no portfolio adds adoptions over the baseline for its money."]
    r = money.loc[cheap]
    per = quantity(r["cost_per_extra_adoption_msek"], "msek", lang)
    ci = interval(r["cost_per_extra_adoption_msek_low"], r["cost_per_extra_adoption_msek_high"], 2 if
                  r["cost_per_extra_adoption_msek"] < 10 else 0, lang, signed=False)
    used, budget = quantity(r["used_msek"], "msek", lang), quantity(r["budgeted_msek"], "msek", lang)
    sure.append((COST, cheap, "kostnad" if sv else "cost"))
    if sv:
        return [f"- **Kostnad:** {name(cheap)} kostar minst per extra införande: {per} (95 % KI {ci}); den "
                f"använde {used} av {budget} budgeterade. Ett extra införande är en organisation som har infört "
                "en innovation vid horisonten och inte hade gjort det i jämförelsealternativet."]
    return [f"- **Cost:** {name(cheap)} costs least per extra adoption: {per} (95 % CI {ci}); it used {used} of "
            f"{budget} budgeted. An extra adoption is one organisation having adopted one innovation at the "
            "horizon that had not in the baseline."]


def _for_whom(table: pd.DataFrame, groups: pd.DataFrame | None, top: str | None, name, lang: str) -> list[str]:
    """For the portfolio that raises adoption most: where by size band it gains most and least, and in its
    levers' target group when that is not every municipality."""
    sv = lang == "sv"
    if groups is None or top is None or groups.empty:
        return []
    mine = groups[groups["scenario"] == top]
    bands = mine[mine["group_type"] == "size_band"]
    targets = mine[mine["group_type"] == "target"]
    if bands.empty:
        return []
    pp = lambda v: quantity(v, "pp", lang, signed=True, prose=True)  # noqa: E731
    most, least = bands.loc[bands["diff"].idxmax()], bands.loc[bands["diff"].idxmin()]
    band = lambda r: f"{band_text(r['label'], lang)} {'invånare' if sv else 'inhabitants'}"  # noqa: E731
    text = (f"- **För vem:** {name(top)} höjer den kommunala spridningen mest i kommuner med {band(most)}: "
            f"{pp(most['diff'])}, minst i kommuner med {band(least)}: {pp(least['diff'])}" if sv else
            f"- **For whom:** {name(top)} raises municipal adoption most in municipalities of {band(most)}: "
            f"{pp(most['diff'])}, least in those of {band(least)}: {pp(least['diff'])}")
    total = int(bands["municipalities"].sum())
    targets = targets[targets["municipalities"] < total]
    if not targets.empty:
        best = targets.sort_values("diff", ascending=False).iloc[0]
        same = targets[(targets["municipalities"] == best["municipalities"]) & np.isclose(targets["diff"], best["diff"])]
        levers = ", ".join(f"`{g}`" for g in same["group"])
        ci = interval(best["diff_ci95_low"], best["diff_ci95_high"], 1, lang, scale=100)
        count = number(best["municipalities"], 0, lang)
        text += (f"; i målgruppen för styrmedlen {levers} ({count} kommuner) {pp(best['diff'])} (95 % KI {ci})" if sv
                 else f"; in the target group of its levers {levers} ({count} municipalities) {pp(best['diff'])} "
                 f"(95 % CI {ci})")
    return [text + (" (varje län, storleksklass och SKR-grupp: differences_by_group.csv)." if sv else
                    " (every county, size band and SKR group: differences_by_group.csv).")]


def rests_on(replications: int, draws: int = 0, lang: str = "en", lever_effects: bool = False) -> list[str]:
    """What the numbers rest on, as Markdown bullet lines: the assumptions, and which uncertainty the
    intervals include (``draws``: posterior draws behind the runs, 0 when there were none;
    ``lever_effects``: the draws also drew the levers' effect sizes over their ranges, ``compare
    --lever-effects``)."""
    if lang == "sv":
        noise = (f"slumpvariationen mellan {replications} replikeringar och osäkerheten i de kalibrerade "
                 f"parametrarna ({draws} dragningar ur posteriorn)" if draws else
                 f"bara slumpvariationen mellan {replications} replikeringar av samma modell")
        if lever_effects:
            noise += " samt styrmedlens effektstorlekar inom sina intervall (ranking_dependence.csv)"
        missing = "priser" if lever_effects else "effektstorlekar, priser"
        return ["- **Vilar på:** styrmedlens effektstorlekar är antaganden eller omräknade från utvärderingar av "
                "jämförbara åtgärder på annat håll och deras priser antaganden, inget uppmätt för dessa portföljer "
                "(docs/levers.md). Intervallen omfattar "
                f"{noise}; de omfattar inte osäkerheten i {missing}"
                + ("" if draws else " eller modellens parametrar") + " – den verkliga osäkerheten är större."]
    noise = (f"simulation noise between {replications} replications and the uncertainty in the calibrated "
             f"parameters ({draws} posterior draws)" if draws else
             f"simulation noise only – the spread between {replications} replications of the same model")
    if lever_effects:
        noise += " and the levers' effect sizes over their ranges (ranking_dependence.csv)"
    missing = "prices" if lever_effects else "effect sizes, prices"
    return ["- **Rests on:** the levers' effect sizes are assumptions or converted from evaluations of comparable "
            "measures elsewhere, their prices assumptions, none measured for these portfolios (docs/levers.md). "
            "The intervals cover "
            f"{noise}; they do not include the uncertainty in {missing}"
            + ("" if draws else " or the model's parameters") + ", so the true uncertainty is larger."]
