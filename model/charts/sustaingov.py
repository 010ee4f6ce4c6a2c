"""SustainGov's feasibility–value matrix beside the value the model finds.

Left: each lever where SustainGov's text places it (feasibility lower/higher, value foundational/higher/
especially high), unscored levers listed below. Right: each compared scenario's simulated extra adoptions
per MSEK against its change in the small–large gap per MSEK, coloured by the report's value placement.
The tables come from :mod:`model.report.sustaingov` (``report_matrix``, ``simulated_value``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .language import caption, tr
from .style import literal, new_figure, nice_locator, styled, titles

FEASIBILITY = ("lower", "higher")
VALUE = ("foundational", "higher", "especially high")
VALUE_COLORS = {"foundational": "#009E73", "higher": "#0072B2", "especially high": "#CC79A7",
                "unscored": "#8c8c8c", "portfolio": "#E69F00"}


@styled
def sustaingov_chart(matrix: pd.DataFrame, simulated: pd.DataFrame | None = None,
                     labels: Mapping[str, str] | None = None, lang: str = "en",
                     title: str = "SustainGov: feasibility and value, and what the model finds") -> Figure:
    """The report's placement of each lever (``matrix``: ``lever``, ``ids``, ``feasibility``, ``value``) and,
    when ``simulated`` has rows (``scenario``, ``measures``, ``ids``, ``value``,
    ``extra_adoptions_per_msek``, ``gap_pp_per_msek``), the simulated value per MSEK."""
    labels = dict(labels or {})
    has_sim = simulated is not None and len(simulated) > 0
    fig = new_figure(14.0 if has_sim else 7.5, 6.2)
    grid = fig.add_gridspec(1, 2 if has_sim else 1, width_ratios=[1.0, 1.1] if has_sim else [1.0])
    ax = fig.add_subplot(grid[0, 0])
    for x in range(len(FEASIBILITY) + 1):
        ax.axvline(x, color="0.8", linewidth=0.8)
    for y in range(len(VALUE) + 1):
        ax.axhline(y, color="0.8", linewidth=0.8)
    cells: dict[tuple[int, int], list[str]] = {}
    unscored = []
    for row in matrix.itertuples(index=False):
        text = f"{row.lever} (ID {row.ids})" if row.ids != "—" else row.lever
        if row.feasibility in FEASIBILITY and row.value in VALUE:
            cells.setdefault((FEASIBILITY.index(row.feasibility), VALUE.index(row.value)), []).append(text)
        else:
            unscored.append(text)
    for (x, y), texts in cells.items():
        ax.text(x + 0.5, y + 0.5, literal("\n".join(texts)), ha="center", va="center", fontsize=8.5,
                color=VALUE_COLORS[VALUE[y]], fontweight="bold")
    ax.set_xlim(0, len(FEASIBILITY))
    ax.set_ylim(0, len(VALUE))
    ax.set_xticks(np.arange(len(FEASIBILITY)) + 0.5, FEASIBILITY)
    ax.set_yticks(np.arange(len(VALUE)) + 0.5, VALUE)
    ax.grid(False)
    ax.set_xlabel(tr("Feasibility (report)", lang))
    ax.set_ylabel(tr("Value (report)", lang))
    ax.set_title("SustainGov (000 L4889–4916)", loc="left")
    if unscored:
        ax.text(0.0, -0.16, literal(f"{tr('unscored', lang)}: " + "; ".join(unscored)), transform=ax.transAxes,
                fontsize=7.5, color="0.4", va="top", wrap=True)
    if has_sim:
        sim = fig.add_subplot(grid[0, 1])
        for row in simulated.itertuples(index=False):
            x, y = row.extra_adoptions_per_msek, row.gap_pp_per_msek
            if not (np.isfinite(x) and np.isfinite(y)):
                continue
            color = VALUE_COLORS.get(row.value, "#8c8c8c")
            sim.plot(x, y, "o", color=color, markersize=8, zorder=3)
            name = labels.get(row.scenario, row.scenario) if row.measures == "portfolio" else row.measures
            sim.annotate(literal(f"{name}" + (f" (ID {row.ids})" if row.ids != "—" else "")), (x, y),
                         xytext=(6, 4), textcoords="offset points", fontsize=8)
        sim.axhline(0, color="0.5", linewidth=0.8)
        sim.axvline(0, color="0.5", linewidth=0.8)
        sim.xaxis.set_major_locator(nice_locator())
        sim.yaxis.set_major_locator(nice_locator())
        sim.set_xlabel(tr("Extra adoptions per MSEK", lang))
        sim.set_ylabel(tr("Change in small–large gap per MSEK (pp)", lang))
        sim.set_title("Simulated" if lang != "sv" else "Simulerat", loc="left")
        present = [v for v in VALUE_COLORS if (simulated["value"] == v).any()]
        sim.legend(handles=[Line2D([], [], color=VALUE_COLORS[v], marker="o", linestyle="", label=v) for v in present],
                   title=tr("Value (report)", lang), loc="best")
    titles(fig, tr(title, lang), caption("sustaingov", lang))
    return fig
