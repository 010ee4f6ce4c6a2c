"""Charts of a robustness experiment: outcomes across worlds, regret, satisficing, pairwise wins, rank
stability, PRIM's coverage–density trade-off and box, and a budget search's Pareto front.

The functions take plain tables (as :mod:`model.robust` writes them: ``world_outcomes.parquet`` in long
form, ``regret.csv``, ``satisficing.csv``, ``pairwise.csv``, ``ranks.csv``, the PRIM trade-off and box,
the search's trials) and a path; they know nothing of how the numbers were computed. Outcome titles,
units and formats come from the outcome catalogue (:func:`~model.charts.style.describe`).
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .style import (BASELINE_COLOR, OKABE_ITO, describe, literal, new_figure, percent_axis, save, styled,
                    titles)

#: a horizontal box plot: ``orientation`` from Matplotlib 3.10 on (``vert`` is deprecated there), else ``vert``
HORIZONTAL = ({"orientation": "horizontal"} if "orientation" in inspect.signature(Axes.boxplot).parameters
              else {"vert": False})
RANK_COLORS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027", "#a50026", "#67001f")


def _scale(name: str) -> tuple[float, str]:
    """How a value of ``name`` is drawn: shares as percent (x100, '%'), else as it is with its unit."""
    o = describe(name)
    if o.format in ("percent", "pp"):
        return 100.0, "%" if o.format == "percent" else "pp"
    return 1.0, o.unit


@styled
def distributions_figure(values: pd.DataFrame, outcomes: Sequence[str], caption: str = "") -> Figure:
    """One panel per outcome: each portfolio's values over worlds (``values``: columns ``world, portfolio,
    outcome, value``) as a box (quartiles, median) with whiskers from the 5th to the 95th percentile and
    the worlds as dots."""
    names = list(dict.fromkeys(values["portfolio"]))
    n = len(outcomes)
    fig = new_figure(4.2 * min(n, 2) + 0.5, 0.45 * len(names) * ((n + 1) // 2) + 1.6 * ((n + 1) // 2))
    rng = np.random.default_rng(0)
    for i, name in enumerate(outcomes):
        ax = fig.add_subplot((n + 1) // 2, min(n, 2), i + 1)
        factor, unit = _scale(name)
        data = []
        for p in names:
            v = values[(values.outcome == name) & (values.portfolio == p)]["value"].to_numpy(dtype=float)
            data.append(v[np.isfinite(v)] * factor)
        y = np.arange(len(names))
        ax.boxplot(data, positions=y, **HORIZONTAL, whis=(5, 95), showfliers=False, widths=0.55,
                   medianprops=dict(color="black"), boxprops=dict(color="0.3"), whiskerprops=dict(color="0.3"),
                   capprops=dict(color="0.3"))
        for j, v in enumerate(data):
            ax.scatter(v, j + rng.uniform(-0.18, 0.18, len(v)), s=4, alpha=0.35, color=OKABE_ITO[j % 8], zorder=1)
        ax.set_yticks(y, [literal(p) for p in names])
        ax.invert_yaxis()
        ax.set_title(literal(textwrap.fill(describe(name).title, 40)), loc="left", fontsize=10)
        ax.set_xlabel(unit)
    titles(fig, "Outcomes across plausible worlds", "\n".join(p for p in (caption, "Each dot: one world (the mean "
           "of its replications). Box: quartiles and median over worlds; whiskers: 5th–95th percentile.") if p))
    return fig


@styled
def regret_figure(regret: pd.DataFrame, caption: str = "") -> Figure:
    """One panel per criterion: mean regret (bar, with its bootstrap interval) and maximum regret (marker)
    of each portfolio, in the criterion's units; 'no gain' where a portfolio spends without extra
    adoptions in some world (infinite cost regret), 'never' where it has no value in some world of an
    outcome whose missing value means never (``worlds_never``)."""
    criteria = list(dict.fromkeys(regret["criterion"]))
    names = list(dict.fromkeys(regret["portfolio"]))
    fig = new_figure(4.0 * len(criteria) + 0.5, 0.42 * len(names) + 1.8)
    for i, criterion in enumerate(criteria):
        ax = fig.add_subplot(1, len(criteria), i + 1)
        part = regret[regret.criterion == criterion]
        better = part["better"].iloc[0]
        part = part.set_index("portfolio").reindex(names)
        factor, unit = _scale(criterion)
        unit = "pp" if unit == "%" else unit
        mean, low, high, top = (part[c].to_numpy(dtype=float) * factor for c in
                                ("mean_regret", "mean_low", "mean_high", "max_regret"))
        finite = np.isfinite(top)
        cap = np.nanmax(np.where(finite, top, np.nan)) if finite.any() else 1.0
        cap = cap if np.isfinite(cap) and cap > 0 else 1.0
        y = np.arange(len(names))
        shown = np.where(np.isfinite(mean), mean, np.nan)
        err = np.array([np.clip(shown - low, 0, None), np.clip(high - shown, 0, None)])
        err = np.where(np.isfinite(err), err, 0)
        ax.barh(y, shown, xerr=err, color=OKABE_ITO[0], alpha=0.85, error_kw=dict(ecolor="0.25", capsize=3),
                label="mean regret", zorder=2)
        shown_top = np.where(np.isinf(top), cap * 1.05, top)
        ax.scatter(shown_top, y, marker="D", color=OKABE_ITO[4], zorder=3, label="max regret")
        never = part["worlds_never"].fillna(0).to_numpy() if "worlds_never" in part else np.zeros(len(names))
        for j in np.flatnonzero(np.isinf(top)):
            ax.annotate("never" if never[j] else "no gain", (cap * 1.05, y[j]), xytext=(4, 0), textcoords="offset points", va="center",
                        fontsize=8, color=OKABE_ITO[4])
        ax.set_yticks(y, [literal(p) if i == 0 else "" for p in names])
        ax.invert_yaxis()
        ax.set_xlim(left=0)
        ax.set_title(literal(textwrap.fill(f"{describe(criterion).title} ({better} is better)", 38)), loc="left",
                     fontsize=10)
        ax.set_xlabel(f"regret ({unit})" if unit else "regret")
        if i == 0:
            ax.legend(loc="best")
    titles(fig, "Regret against the best portfolio of each world", "\n".join(p for p in (caption, "Bars: mean "
           "regret over worlds with bootstrap intervals; diamonds: the largest regret in any world (smallest = "
           "minimax regret).") if p))
    return fig


@styled
def satisficing_figure(satisficing: pd.DataFrame, rules: str, caption: str = "") -> Figure:
    """The share of worlds in which each portfolio meets every threshold, with Wilson intervals."""
    t = satisficing.sort_values("share_satisficing", ascending=True)
    fig = new_figure(6.5, 0.42 * len(t) + 1.8)
    ax = fig.add_subplot()
    y = np.arange(len(t))
    share = t["share_satisficing"].to_numpy(dtype=float)
    err = np.array([share - t["low"].to_numpy(dtype=float), t["high"].to_numpy(dtype=float) - share])
    ax.barh(y, share, xerr=np.clip(err, 0, None), color=OKABE_ITO[2], error_kw=dict(ecolor="0.25", capsize=3))
    ax.set_yticks(y, [literal(p) for p in t["portfolio"]])
    ax.set_xlim(0, 1)
    percent_axis(ax, "x")
    ax.set_xlabel("worlds in which every threshold is met")
    titles(fig, "Satisficing: how often each portfolio is good enough",
           "\n".join(p for p in (caption, f"Thresholds: {rules}. Whiskers: Wilson intervals.") if p))
    return fig


@styled
def pairwise_figure(pairwise: pd.DataFrame, criterion: str, caption: str = "") -> Figure:
    """A matrix: the share of worlds in which the row's portfolio does strictly better than the column's."""
    part = pairwise[pairwise.criterion == criterion]
    names = list(dict.fromkeys(list(part["a"]) + list(part["b"])))
    matrix = np.full((len(names), len(names)), np.nan)
    for r in part.itertuples():
        matrix[names.index(r.a), names.index(r.b)] = r.share_a_better
    fig = new_figure(1.0 * len(names) + 3.2, 0.75 * len(names) + 2.0)
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="RdBu", vmin=0, vmax=1)
    for i in range(len(names)):
        for j in range(len(names)):
            if np.isfinite(matrix[i, j]):
                ax.text(j, i, f"{matrix[i, j] * 100:.0f} %", ha="center", va="center", fontsize=8,
                        color="white" if abs(matrix[i, j] - 0.5) > 0.3 else "black")
    ax.set_xticks(range(len(names)), [literal(n) for n in names], rotation=35, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(names)), [literal(n) for n in names])
    ax.grid(False)
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("worlds in which row beats column")
    titles(fig, literal(f"Who beats whom: {describe(criterion).title}"), "\n".join(p for p in (caption, "Cell: share "
           "of worlds in which the row's portfolio does strictly better than the column's (ties count for neither).")
                                                                         if p))
    return fig


@styled
def ranks_figure(ranks: pd.DataFrame, caption: str = "") -> Figure:
    """One panel per criterion: stacked bars of how often each portfolio holds each rank (1 = best)."""
    criteria = list(dict.fromkeys(ranks["criterion"]))
    cols = [c for c in ranks.columns if c.startswith("rank_")]
    names = list(dict.fromkeys(ranks["portfolio"]))
    fig = new_figure(4.0 * len(criteria) + 0.5, 0.42 * len(names) + 2.0)
    for i, criterion in enumerate(criteria):
        ax = fig.add_subplot(1, len(criteria), i + 1)
        part = ranks[ranks.criterion == criterion].set_index("portfolio").reindex(names)
        left = np.zeros(len(names))
        for k, col in enumerate(cols):
            v = part[col].fillna(0).to_numpy(dtype=float)
            ax.barh(np.arange(len(names)), v, left=left, color=RANK_COLORS[min(k, 7)], label=col.split("_")[1])
            left += v
        ax.set_yticks(np.arange(len(names)), [literal(p) if i == 0 else "" for p in names])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        percent_axis(ax, "x")
        ax.set_title(literal(textwrap.fill(describe(criterion).title, 38)), loc="left", fontsize=10)
        ax.grid(axis="y", visible=False)
    fig.axes[-1].legend(title="rank", loc="center left", bbox_to_anchor=(1.0, 0.5))
    titles(fig, "How stable the ranking is across worlds", "\n".join(p for p in (caption, "Bar: share of worlds "
           "in which the portfolio holds each rank (1 = best; portfolios tied share their places equally).") if p))
    return fig


@styled
def prim_figure(tradeoff: pd.DataFrame, chosen: int, limits: pd.DataFrame, portfolio: str, share: float,
                caption: str = "") -> Figure:
    """Left: PRIM's peeling trajectory, coverage against density, coloured by the number of restricted
    factors, the chosen box circled. Right: the chosen box's limits on each restricted factor, within the
    range of the worlds, labelled in the factor's units."""
    fig = new_figure(10.0, 4.4)
    ax = fig.add_subplot(1, 2, 1)
    points = ax.scatter(tradeoff["coverage"], tradeoff["density"], c=tradeoff["res_dim"], cmap="viridis", s=18)
    pick = tradeoff.iloc[chosen]
    ax.scatter([pick["coverage"]], [pick["density"]], s=140, facecolors="none", edgecolors=OKABE_ITO[4], linewidths=2)
    ax.annotate(f"box {int(pick['box'])}", (pick["coverage"], pick["density"]), xytext=(8, -12),
                textcoords="offset points", color=OKABE_ITO[4], fontsize=9)
    ax.set_xlabel("coverage (share of failing worlds in the box)")
    ax.set_ylabel("density (share of the box's worlds failing)")
    percent_axis(ax, "x")
    percent_axis(ax, "y")
    fig.colorbar(points, ax=ax, shrink=0.8).set_label("factors restricted")
    ax = fig.add_subplot(1, 2, 2)
    rows = limits[limits.restricted].reset_index(drop=True)
    for i, r in rows.iterrows():
        width = (r.range_high - r.range_low) or 1.0
        lo, hi = (r.lower - r.range_low) / width, (r.upper - r.range_low) / width
        ax.barh(i, 1.0, color="0.9", height=0.5)
        ax.barh(i, hi - lo, left=lo, color=OKABE_ITO[4], height=0.5)
        ax.text(lo, i - 0.36, f"{r.lower:.3g}", ha="center", fontsize=8)
        ax.text(hi, i - 0.36, f"{r.upper:.3g}", ha="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [literal(f"{r.factor}" + (f" [{r.unit}]" if r.unit else "")) for r in rows.itertuples()])
    ax.invert_yaxis()
    ax.set_xlim(-0.05, 1.05)
    ax.set_xticks([0, 1], ["lowest in worlds", "highest"])
    ax.grid(False)
    ax.set_title("the box: where it fails", loc="left", fontsize=10)
    titles(fig, literal(f"Where {portfolio} fails ({share * 100:.0f} % of worlds)"), "\n".join(p for p in (caption,
           f"PRIM box {int(pick['box'])}: coverage {pick['coverage'] * 100:.0f} %, density {pick['density'] * 100:.0f} %, "
           f"{int(pick['res_dim'])} factors restricted.") if p))
    return fig


@styled
def pareto_figure(trials: pd.DataFrame, objectives: Sequence[str], caption: str = "") -> Figure:
    """A budget search: every allocation tried (grey) and the Pareto front (coloured by the third
    objective, if any), the first objective against the second; ``trials`` has a boolean ``front``."""
    x, y = objectives[0], objectives[1] if len(objectives) > 1 else objectives[0]
    fig = new_figure(7.0, 5.0)
    ax = fig.add_subplot()
    fx, ux = _scale(x)
    fy, uy = _scale(y)
    rest = trials[~trials["front"]]
    ax.scatter(rest[x] * fx, rest[y] * fy, s=10, color="0.75", label="allocations tried")
    front = trials[trials["front"]]
    colour = dict(c=front[objectives[2]], cmap="viridis") if len(objectives) > 2 else dict(color=OKABE_ITO[0])
    points = ax.scatter(front[x] * fx, front[y] * fy, s=36, edgecolors=BASELINE_COLOR, linewidths=0.6,
                        label="Pareto front", zorder=3, **colour)
    for r in front.itertuples():
        ax.annotate(str(r.point), (getattr(r, x) * fx, getattr(r, y) * fy), xytext=(4, 3), textcoords="offset points",
                    fontsize=7)
    if len(objectives) > 2:
        f3, u3 = _scale(objectives[2])
        fig.colorbar(points, ax=ax, shrink=0.8).set_label(literal(f"{describe(objectives[2]).title} [{u3}]"))
    ax.set_xlabel(literal(f"{describe(x).title} [{ux}]"))
    ax.set_ylabel(literal(f"{describe(y).title} [{uy}]"))
    ax.legend(loc="best")
    titles(fig, "Budget search: the Pareto front", "\n".join(p for p in (caption, "Numbers: front points, written "
           "as scenario files front/point-NN.yaml.") if p))
    return fig


def robustness_charts(values: pd.DataFrame, tables: dict, folder: Path, caption: str, outcomes: Sequence[str],
                      discovery: tuple | None = None, rules: str = "") -> list[Path]:
    """Write every chart a robustness experiment has data for into ``folder``; return the paths."""
    written = [save(distributions_figure(values, list(outcomes), caption), folder / "distributions.png")]
    if len(tables.get("regret", ())):
        written.append(save(regret_figure(tables["regret"], caption), folder / "regret.png"))
    if len(tables.get("satisficing", ())):
        written.append(save(satisficing_figure(tables["satisficing"], rules, caption), folder / "satisficing.png"))
    if len(tables.get("pairwise", ())):
        for criterion in dict.fromkeys(tables["pairwise"]["criterion"]):
            stem = "".join(c if c.isalnum() or c in "_-." else "_" for c in criterion)
            written.append(save(pairwise_figure(tables["pairwise"], criterion, caption), folder / f"pairwise-{stem}.png"))
    if len(tables.get("ranks", ())):
        written.append(save(ranks_figure(tables["ranks"], caption), folder / "ranks.png"))
    if discovery is not None:
        tradeoff, chosen, limits, portfolio, share = discovery
        written.append(save(prim_figure(tradeoff, chosen, limits, portfolio, share, caption), folder / "discovery.png"))
    return written
