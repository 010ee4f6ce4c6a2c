"""For whom: each portfolio's paired difference from the baseline by county, size band, SKR group and
lever target group, as dots with 95 % intervals.

Takes the table :func:`model.report.groups.group_differences` writes (``differences_by_group.csv``:
``scenario``, ``group_type``, ``group``, ``label``, ``diff``, ``diff_ci95_low``, ``diff_ci95_high``, ...);
differences of shares are drawn in percentage points. Counties are named as in the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .language import caption, tr
from .style import literal, new_figure, points_axis, series_colors, styled, titles

PANELS = (("county", "County"), ("size_band", "Size band"), ("skr_group", "SKR group"),
          ("target", "Lever target group"))
COLUMNS = ("scenario", "group_type", "group", "label", "diff", "diff_ci95_low", "diff_ci95_high")


def _panel(ax, rows: pd.DataFrame, scenarios: Sequence[str], colors: Mapping[str, str]) -> None:
    if rows["group_type"].iloc[0] == "target":
        keys = list(dict.fromkeys(zip(rows["scenario"], rows["group"])))
        names = [str(g) for _, g in keys]  # the lever; its target in words is in the table
        position = {k: i for i, k in enumerate(keys)}
        spread = 0.0
    else:
        groups = list(dict.fromkeys(rows["group"]))
        names = [str(rows[rows["group"] == g]["label"].iloc[0]) for g in groups]
        position = {(s, g): i for i, g in enumerate(groups) for s in scenarios}
        spread = 0.7
    n = len(scenarios)
    for k, scenario in enumerate(scenarios):
        mine = rows[rows["scenario"] == scenario]
        if mine.empty:
            continue
        offset = (k - (n - 1) / 2) * (spread / max(n, 1))
        y = np.array([position[(scenario, g)] for g in mine["group"]], dtype=float) + offset
        value = mine["diff"].to_numpy(float) * 100
        low, high = mine["diff_ci95_low"].to_numpy(float) * 100, mine["diff_ci95_high"].to_numpy(float) * 100
        err = np.vstack([np.clip(value - low, 0, None), np.clip(high - value, 0, None)])
        ax.errorbar(value, y, xerr=np.nan_to_num(err), fmt="o", color=colors[scenario], markersize=4.5,
                    elinewidth=1.1, capsize=1.8, zorder=3)
    ax.axvline(0, color="0.35", linewidth=0.9, zorder=1)
    ax.set_yticks(range(len(names)), [literal(t) for t in names], fontsize=8)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    points_axis(ax, "x")


@styled
def group_differences_chart(groups: pd.DataFrame, labels: Mapping[str, str] | None = None, lang: str = "en",
                            title: str = "Difference from the baseline by group") -> Figure:
    """Panels by county, size band, SKR group and lever target group (those present): each scenario's
    paired difference in municipal adoption share from the baseline, with its 95 % interval.

    Raises ValueError when a column of :data:`COLUMNS` is missing or the table is empty.
    """
    missing = [c for c in COLUMNS if c not in groups.columns]
    if missing:
        raise ValueError(f"group table lacks column(s) {missing}; needs {list(COLUMNS)}")
    if groups.empty:
        raise ValueError("group table is empty: no scenario besides the baseline")
    labels = dict(labels or {})
    scenarios = list(dict.fromkeys(groups["scenario"]))
    colors = dict(zip(scenarios, series_colors(len(scenarios))))
    present = [(t, name) for t, name in PANELS if (groups["group_type"] == t).any()]
    counts = {t: (groups[groups["group_type"] == t][["scenario", "group"]].drop_duplicates().shape[0]
                  if t == "target" else groups[groups["group_type"] == t]["group"].nunique()) for t, _ in present}
    left = [p for p in present if p[0] == "county"]
    right = [p for p in present if p[0] != "county"]
    height = max(sum(counts[t] for t, _ in right) * 0.28 + 1.2 * len(right), counts.get("county", 0) * 0.3 + 1.2, 4.0)
    fig = new_figure(13.0 if left and right else 8.0, height + 1.2)
    columns = (1 if left else 0) + (1 if right else 0)
    outer = fig.add_gridspec(1, columns, width_ratios=[1.0, 1.0][:columns] if columns == 2 else [1.0], wspace=0.08)
    if left:
        ax = fig.add_subplot(outer[0, 0])
        _panel(ax, groups[groups["group_type"] == "county"], scenarios, colors)
        ax.set_title(tr("County", lang), loc="left")
        ax.set_xlabel(tr("Difference in adoption share (percentage points)", lang), fontsize=8.5)
    if right:
        inner = outer[0, columns - 1].subgridspec(len(right), 1, height_ratios=[max(counts[t], 2) for t, _ in right])
        for i, (group_type, heading) in enumerate(right):
            ax = fig.add_subplot(inner[i, 0])
            _panel(ax, groups[groups["group_type"] == group_type], scenarios, colors)
            ax.set_title(tr(heading, lang), loc="left")
        ax.set_xlabel(tr("Difference in adoption share (percentage points)", lang), fontsize=8.5)
    handles = [Line2D([], [], color=colors[s], marker="o", linestyle="", label=literal(labels.get(s, s)))
               for s in scenarios]
    fig.legend(handles=handles, loc="outside right upper", title=tr("Scenario", lang))
    titles(fig, tr(title, lang), caption("groups", lang))
    return fig
