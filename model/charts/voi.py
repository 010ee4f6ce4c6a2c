"""The value-of-information chart of a robustness experiment: per regret criterion, the expected value of
partial perfect information (EVPPI) of every uncertain parameter as a horizontal bar with its interval,
and the expected value of perfect information (EVPI) as a reference line.

The function takes the table :mod:`model.robust.voi` writes (``value_of_information.csv``: columns
``criterion, parameter, evppi, evppi_low, evppi_high, evpi``, values in the criterion's unit as a gain in
its better direction) and knows nothing of how the numbers were computed. Outcome titles, units and
formats come from the outcome catalogue (:func:`~model.charts.style.describe`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import BASELINE_COLOR, OKABE_ITO, describe, literal, new_figure, save, styled, titles

COLUMNS = ("criterion", "parameter", "evppi", "evppi_low", "evppi_high", "evpi")


def _scale(name: str) -> tuple[float, str]:
    """How a gain in ``name`` is drawn: a share's gain in percentage points (x100, 'pp'), else as it is."""
    o = describe(name)
    if o.format in ("percent", "pp"):
        return 100.0, "pp"
    return 1.0, o.unit


@styled
def voi_figure(table: pd.DataFrame, caption: str = "") -> Figure:
    """One panel per criterion: each parameter's EVPPI (bar, largest on top) with its interval (whiskers)
    and the EVPI (dashed line), in the criterion's unit. Raises ValueError when a column of
    :data:`COLUMNS` is missing or no criterion has a value."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"value-of-information table lacks column(s) {missing}; needs {list(COLUMNS)}")
    table = table[np.isfinite(table["evpi"].to_numpy(dtype=float))]
    if not len(table):
        raise ValueError("no criterion has a value of information to draw")
    criteria = list(dict.fromkeys(table["criterion"]))
    n = table.groupby("criterion").size().max()
    fig = new_figure(4.3 * len(criteria) + 1.0, max(4.0, 0.36 * n + 1.9))
    for i, criterion in enumerate(criteria):
        ax = fig.add_subplot(1, len(criteria), i + 1)
        part = table[table.criterion == criterion].sort_values("evppi", ascending=False, kind="stable")
        factor, unit = _scale(criterion)
        value, low, high = (part[c].to_numpy(dtype=float) * factor for c in ("evppi", "evppi_low", "evppi_high"))
        total = float(part["evpi"].iloc[0]) * factor
        y = np.arange(len(part))
        err = np.nan_to_num(np.array([np.clip(value - low, 0, None), np.clip(high - value, 0, None)]))
        ax.barh(y, value, xerr=err, color=OKABE_ITO[0], alpha=0.85, error_kw=dict(ecolor="0.25", capsize=3),
                label="EVPPI: this parameter known", zorder=2)
        ax.axvline(total, color=BASELINE_COLOR, linestyle="--", linewidth=1.2, label="EVPI: everything known",
                   zorder=3)
        ax.set_yticks(y, [literal(p) for p in part["parameter"]], fontsize=8)
        ax.invert_yaxis()
        if total > 0:
            ax.set_xlim(0, max(total, float(np.nanmax(high, initial=0.0))) * 1.08)
        else:  # the same portfolio is best in every world: nothing to learn
            ax.set_xlim(0, 1)
            ax.set_xticks([])
            ax.text(0.5, 0.5, "EVPI 0: the same portfolio\nis best in every world", transform=ax.transAxes,
                    ha="center", va="center", fontsize=9, color="0.3")
        ax.set_title(literal(textwrap.fill(describe(criterion).title, 38)), loc="left", fontsize=10)
        now = f"choice now: {part['chosen_now'].iloc[0]}" if "chosen_now" in part else ""
        ax.set_xlabel(literal("\n".join(p for p in (f"expected gain ({unit})" if unit else "expected gain", now) if p)))
        ax.grid(axis="y", visible=False)
        if i == 0:
            ax.legend(loc="lower right")
    titles(fig, "Value of information: which unknown, if measured, would most change the choice",
           "\n".join(p for p in (caption, "Bar: the expected gain from choosing the portfolio after learning that "
                                 "parameter exactly (EVPPI, regression method of Strong, Oakley & Brennan 2014), "
                                 "whiskers: its interval. Dashed: the gain if every unknown were known (EVPI).")
                     if p))
    return fig


def voi_chart(table: pd.DataFrame, path: Path, caption: str = "") -> Path:
    """Write :func:`voi_figure` as a PNG at ``path`` (atomically, parent folders created); return the path."""
    return save(voi_figure(table, caption), path)
