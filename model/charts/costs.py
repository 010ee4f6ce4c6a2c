"""The cost-effectiveness frontier: what each portfolio adds against the baseline, for what it costs.

Takes the table :func:`model.report.costs.cost_effectiveness` writes (``cost_effectiveness.csv``: one row
per scenario with ``incremental_cost_msek``, ``extra_adoptions`` and their intervals, ``status``,
``icer_msek``). The frontier runs from the baseline through the portfolios that are neither dominated
nor extendedly dominated, in order of cost; each segment is labelled with its incremental cost per extra
adoption (ICER).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .language import caption, tr
from .numbers import quantity
from .style import BASELINE_COLOR, literal, new_figure, nice_locator, series_colors, styled, titles

FRONTIER_COLOR = "#0072B2"
OFF_COLOR = "#8c8c8c"
COLUMNS = ("scenario", "incremental_cost_msek", "extra_adoptions", "status", "icer_msek")


def _whisker(row, column: str) -> list[list[float]] | None:
    low, high, mid = getattr(row, f"{column}_low", np.nan), getattr(row, f"{column}_high", np.nan), getattr(row, column)
    if not (np.isfinite(low) and np.isfinite(high)):
        return None
    return [[max(mid - low, 0.0)], [max(high - mid, 0.0)]]


@styled
def frontier_chart(costs: pd.DataFrame, baseline: str, labels: Mapping[str, str] | None = None,
                   lang: str = "en", title: str = "Cost-effectiveness frontier") -> Figure:
    """Each scenario's extra adoptions (x) against its incremental cost (y), both paired against
    ``baseline`` with their 95 % intervals as whiskers; the frontier as a line with its ICERs; dominated
    portfolios as grey crosses, extendedly dominated ones as open squares.

    Raises ValueError when a column of :data:`COLUMNS` is missing or ``baseline`` is not a scenario.
    """
    missing = [c for c in COLUMNS if c not in costs.columns]
    if missing:
        raise ValueError(f"cost table lacks column(s) {missing}; needs {list(COLUMNS)}")
    if baseline not in set(costs["scenario"]):
        raise ValueError(f"baseline {baseline!r} is not among the scenarios: {', '.join(costs['scenario'])}")
    labels = dict(labels or {})
    fig = new_figure(11.5, 6.0)
    ax = fig.add_subplot()
    others = [s for s in costs["scenario"] if s != baseline]
    colors = dict(zip(others, series_colors(len(others))), **{baseline: BASELINE_COLOR})
    on = costs[costs["status"].isin(["frontier", "baseline"])].sort_values("incremental_cost_msek")
    ax.plot(on["extra_adoptions"], on["incremental_cost_msek"], color=FRONTIER_COLOR, linewidth=1.6, zorder=2,
            alpha=0.8)
    for a, b in zip(on.itertuples(index=False), list(on.itertuples(index=False))[1:]):
        if np.isfinite(b.icer_msek):
            ax.annotate(quantity(b.icer_msek, "msek", lang, decimals=2), ((a.extra_adoptions + b.extra_adoptions) / 2,
                                                     (a.incremental_cost_msek + b.incremental_cost_msek) / 2),
                        xytext=(6, -10), textcoords="offset points", fontsize=8, color=FRONTIER_COLOR,
                        fontstyle="italic")
    keys = []
    for number, row in enumerate(costs.itertuples(index=False)):
        status = row.status
        marker, face = {"frontier": ("o", colors[row.scenario]), "baseline": ("s", BASELINE_COLOR),
                        "dominated": ("X", OFF_COLOR), "extendedly dominated": ("s", "white")}.get(status, ("o", "white"))
        edge = colors[row.scenario] if status != "dominated" else OFF_COLOR
        ax.errorbar(row.extra_adoptions, row.incremental_cost_msek, xerr=_whisker(row, "extra_adoptions"),
                    yerr=_whisker(row, "incremental_cost_msek"), fmt=marker, markersize=9, mfc=face, mec=edge,
                    mew=1.6, ecolor=edge, elinewidth=1.0, capsize=2.5, zorder=3)
        # a number beside each point, named in the legend: labels of points at one cost never collide
        tag = "B" if row.scenario == baseline else str(number)
        ax.annotate(tag, (row.extra_adoptions, row.incremental_cost_msek), xytext=(0, 9), textcoords="offset points",
                    ha="center", fontsize=8.5, fontweight="bold", color="0.15")
        note = "" if status in ("frontier", "baseline") else f" ({tr(status, lang)})"
        keys.append(Line2D([], [], marker=marker, mfc=face, mec=edge, mew=1.4, linestyle="", markersize=7,
                           label=literal(f"{tag}  {labels.get(row.scenario, row.scenario)}{note}")))
    ax.axhline(0, color="0.6", linewidth=0.8, zorder=1)
    ax.axvline(0, color="0.6", linewidth=0.8, zorder=1)
    ax.xaxis.set_major_locator(nice_locator())
    ax.yaxis.set_major_locator(nice_locator())
    ax.set_xlabel(tr("Extra adoptions against the baseline (organisation–innovation pairs)", lang))
    ax.set_ylabel(tr("Incremental cost (MSEK used over the run)", lang))
    xs = np.concatenate([costs["extra_adoptions"].to_numpy(float), [0.0]])
    pad = 0.25 * (np.nanmax(xs) - np.nanmin(xs) or 1.0)
    ax.set_xlim(np.nanmin(xs) - 0.2 * pad, np.nanmax(xs) + pad)
    keys.append(Line2D([], [], color=FRONTIER_COLOR, linewidth=1.6, label=tr("Frontier", lang)))
    ax.legend(handles=keys, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=tr("Scenario", lang),
              alignment="left")
    ys = costs["incremental_cost_msek"].to_numpy(float)
    top = np.nanmax(np.concatenate([ys, [0.0]]))
    ax.set_ylim(min(np.nanmin(ys), 0.0) - 0.06 * (top or 1.0), top * 1.12 + 1.0)
    titles(fig, tr(title, lang), caption("frontier", lang))
    return fig
