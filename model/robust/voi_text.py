"""The value of information in words: the section of a robustness experiment's ``summary.md``
(:func:`voi_markdown`) and of its HTML report (:func:`voi_html`), from the table :mod:`.voi` computes
(``value_of_information.csv``). Values are shown in each criterion's catalogue format, a share's gain in
percentage points."""

from __future__ import annotations

import html
import math

import pandas as pd

from ..outcomes.catalogue import is_outcome, outcome

FILE = "value_of_information.csv"
CHART = "value_of_information.png"


def gain_text(criterion: str, value: float) -> str:
    """``value``, a gain in ``criterion`` (in its better direction), as text: ``0.4 pp``, ``12.50 MSEK``."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if is_outcome(criterion):
        o = outcome(criterion)
        return f"{value * 100:.2f} pp" if o.format in ("percent", "pp") else o.show(value)
    return f"{value:.3g}"


def _pct(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x * 100:.0f} %"


def headline(criterion: str, part: pd.DataFrame) -> str:
    """One sentence in plain words: which unknown, if measured, would most change the choice by
    ``criterion``, worth how much, against knowing everything (``part``: that criterion's rows, largest
    EVPPI first)."""
    title = outcome(criterion).title if is_outcome(criterion) else criterion
    top = part.iloc[0]
    now = f"Choosing now on expected {title.lower()} picks **{top.chosen_now}**. "
    if not math.isfinite(top.evpi) or top.evpi <= 0:
        return now + "Knowing every unknown would not change that choice in any world (EVPI 0)."
    if not top.evppi_low > 0:  # the largest EVPPI's interval includes zero: no unknown stands out
        return now + (f"No single unknown is surely worth measuring first: the largest EVPPI, "
                      f"{top.parameter}'s, is {gain_text(criterion, top.evppi)} "
                      f"[{gain_text(criterion, top.evppi_low)}–{gain_text(criterion, top.evppi_high)}], an interval "
                      f"that includes no gain{' (the estimate is capped at the EVPI)' if top.clipped else ''}; "
                      f"knowing every unknown would gain {gain_text(criterion, top.evpi)} (EVPI). More worlds "
                      "would tell the unknowns apart.")
    worth = (f"Measuring **{top.parameter}** first would be worth most: choosing after knowing it gains "
             f"{gain_text(criterion, top.evppi)} of {title.lower()} on average "
             f"[{gain_text(criterion, top.evppi_low)}–{gain_text(criterion, top.evppi_high)}], "
             f"{_pct(top.share_of_evpi)} of the {gain_text(criterion, top.evpi)} that knowing every unknown would "
             "gain (EVPI).")
    return now + worth


def voi_markdown(table: pd.DataFrame, replications: int, level: float = 0.95) -> list[str]:
    """The summary's 'Value of information' section as markdown lines: per criterion a sentence
    (:func:`headline`) and a table of every parameter's EVPPI, its interval and share of the EVPI; then
    how to read it. No lines for an empty table."""
    if table is None or not len(table):
        return []
    lines = ["## Value of information", "",
             "Which unknown, if measured before choosing, would most change the choice of portfolio, for each "
             "criterion on its own: the expected value of perfect information (EVPI: every unknown known) and of "
             "partial perfect information (EVPPI: one parameter known, the rest not), in the criterion's unit, "
             "as a gain in its better direction. A small value means the choice hardly depends on that unknown.", ""]
    for criterion, part in table.groupby("criterion", sort=False):
        note = str(part["note"].iloc[0]) if "note" in part and isinstance(part["note"].iloc[0], str) else ""
        if "evppi" not in part or part["evppi"].isna().all():
            lines += [f"**{criterion}**: not computed ({note or 'no values'}).", ""]
            continue
        part = part.sort_values("evppi", ascending=False, kind="stable")
        lines += [f"**{criterion}** ({part.better.iloc[0]} is better). " + headline(criterion, part), ""]
        lines += [f"{note[0].upper()}{note[1:]}." if note.lower().startswith("left out") else f"Left out: {note}.",
                  ""] if note else []
        if not part["evpi"].iloc[0] > 0:
            continue
        header = ["parameter", f"EVPPI [{level:.0%} interval]", "share of EVPI"]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += [f"| {r.parameter} | {gain_text(criterion, r.evppi)} [{gain_text(criterion, r.evppi_low)}–"
                  f"{gain_text(criterion, r.evppi_high)}]{' (clipped)' if r.clipped else ''} | "
                  f"{_pct(r.share_of_evpi)} |" for r in part.itertuples()]
        lines += [""]
    lines += [f"Method: EVPPI by the regression method of Strong, Oakley & Brennan (2014, Med Decis Making "
              "34:311–326), a penalised cubic regression spline of each portfolio's value on the parameter across "
              "the worlds; intervals: the estimate ± z standard errors, the standard error from the regression's "
              "coefficient uncertainty and resampled worlds. With few worlds EVPPI is biased upwards; it is clipped "
              "to [0, EVPI] ('clipped'). Each world's value is the mean of "
              f"{replications} replication{'s' if replications != 1 else ''}: the run-to-run noise left in it "
              "inflates the EVPI (not the EVPPI, which the regression averages over). See docs/robustness.md.", ""]
    return lines


def voi_html(table: pd.DataFrame) -> str:
    """The HTML report's value-of-information part (an ``<h3>``, one sentence per criterion and the table),
    or an empty string for an empty table."""
    if table is None or not len(table) or "evppi" not in table:
        return ""
    parts = ["<h3>Value of information</h3>"]
    for criterion, part in table.groupby("criterion", sort=False):
        if part["evppi"].isna().all():
            continue
        part = part.sort_values("evppi", ascending=False, kind="stable")
        sentence = headline(criterion, part).replace("**", "")
        parts.append(f"<p><b>{html.escape(criterion)}</b>: {html.escape(sentence)}</p>")
    columns = [c for c in ("criterion", "parameter", "evppi", "evppi_low", "evppi_high", "share_of_evpi", "evpi",
                           "unit") if c in table.columns]
    parts.append(table[columns].to_html(index=False, border=0, classes="robustness-table",
                                        float_format=lambda v: f"{v:.3g}", na_rep="n/a"))
    return "\n".join(parts)
