"""Charts of sensitivity indices: Sobol' S1/ST bars and Morris mu*–sigma plots, in the charts' one style.

The functions take the index tables of a sensitivity experiment (plain DataFrames, one row per factor)
and a path; they know nothing of how the indices were computed. Outcome titles and units come from the
outcome catalogue; factor names are drawn literally.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .style import (FIRST_ORDER_COLOR, OKABE_ITO, TOTAL_ORDER_COLOR, describe, literal, new_figure, save, styled,
                    titles)

SOBOL_COLUMNS = ("factor", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS = ("factor", "mu_star", "sigma", "mu_star_conf")
MORRIS_ERROR_COLOR = OKABE_ITO[5]  # sky blue: the points' whiskers, lighter than the points


def _check(table: pd.DataFrame, columns: tuple[str, ...], kind: str) -> None:
    """Raise ValueError naming the ``columns`` that ``table`` (a ``kind`` index table) lacks."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{kind} table lacks column(s) {missing}; needs {list(columns)}")


def _heading(fig: Figure, what: str, outcome: str, subtitle: str, explanation: str) -> None:
    """Title ``<outcome title> — <what>``; caption: the experiment (``subtitle``), the outcome, how to read."""
    declared = describe(outcome)
    named = f"Outcome: {outcome}" + (f" ({declared.unit})" if declared.unit else "") + "."
    titles(fig, f"{declared.title} — {what}", "\n".join(p for p in (subtitle, named, explanation) if p))


@styled
def sobol_figure(table: pd.DataFrame, outcome: str, subtitle: str = "") -> Figure:
    """First-order and total Sobol' indices per factor, sorted by ST, with confidence intervals as whiskers.

    ``table`` has one row per factor and the columns ``factor``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
    (indices are fractions of the output variance; ``*_conf`` the half-widths of their intervals).
    ``outcome`` names the outcome (its catalogue title heads the chart); ``subtitle`` describes the
    experiment. Raises ValueError when a column is missing.
    """
    _check(table, SOBOL_COLUMNS, "Sobol'")
    t = table.sort_values("ST", ascending=False, na_position="last").reset_index(drop=True)
    n = len(t)
    x = np.arange(n)
    fig = new_figure(max(6.0, 0.55 * n + 2.5), 4.8)
    ax = fig.add_subplot()
    width = 0.38
    error = dict(ecolor="0.25", elinewidth=0.8, capsize=3)
    ax.bar(x - width / 2, t["S1"], width, yerr=t["S1_conf"], error_kw=error, label="S1 (first order)",
           color=FIRST_ORDER_COLOR, zorder=2)
    ax.bar(x + width / 2, t["ST"], width, yerr=t["ST_conf"], error_kw=error, label="ST (total)",
           color=TOTAL_ORDER_COLOR, zorder=2)
    ax.axhline(0, color="0.4", linewidth=0.9, zorder=1)
    tilted = n > 4  # long factor names collide unless tilted
    ax.set_xticks(x, [literal(f) for f in t["factor"]], rotation=40 if tilted else 0,
                  ha="right" if tilted else "center", rotation_mode="anchor" if tilted else "default", fontsize=8)
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Sobol' index (share of variance)")
    low = np.nanmin((t["S1"] - t["S1_conf"]).to_numpy(dtype=float), initial=0)
    high = np.nanmax((t["ST"] + t["ST_conf"]).to_numpy(dtype=float), initial=0)
    ax.set_ylim(min(-0.05, float(low) - 0.02), max(1.0, float(high) + 0.05))
    ax.legend(loc="best")  # bars near 1 would hide under a fixed corner
    _heading(fig, "Sobol' indices", outcome, subtitle,
             "Bars: first-order (S1: the factor alone) and total (ST: with its interactions) indices, sorted "
             "by ST; whiskers: confidence intervals.")
    return fig


def sobol_bars(table: pd.DataFrame, outcome: str, path: Path, subtitle: str = "") -> Path:
    """Write :func:`sobol_figure` as a PNG at ``path`` (atomically, parent folders created); return the path."""
    return save(sobol_figure(table, outcome, subtitle), path)


@styled
def morris_figure(table: pd.DataFrame, outcome: str, subtitle: str = "", label_top: int = 12) -> Figure:
    """mu* against sigma per factor, with mu*'s confidence interval as horizontal whiskers.

    ``table`` has one row per factor and the columns ``factor``, ``mu_star``, ``sigma``,
    ``mu_star_conf`` (in the outcome's units per factor range). The ``label_top`` factors with the largest
    mu* are named. Factors above the dashed line sigma = mu* act non-linearly or through interactions.
    Raises ValueError when a column is missing.
    """
    _check(table, MORRIS_COLUMNS, "Morris")
    fig = new_figure(7.0, 5.6)
    ax = fig.add_subplot()
    mu, sd, conf = (table[c].to_numpy(dtype=float) for c in ("mu_star", "sigma", "mu_star_conf"))
    ax.errorbar(mu, sd, xerr=conf, fmt="o", markersize=5, color=FIRST_ORDER_COLOR, ecolor=MORRIS_ERROR_COLOR,
                elinewidth=1.2, capsize=2, zorder=3)
    top = np.nanmax(np.concatenate([mu + np.nan_to_num(conf), sd]), initial=0.0)
    if top > 0:
        ax.plot([0, top * 1.05], [0, top * 1.05], linestyle="--", color="0.5", linewidth=0.9, label="σ = μ*",
                zorder=1)
        ax.legend(loc="upper left")
    for i in np.argsort(-np.nan_to_num(mu, nan=-np.inf))[:label_top]:
        ax.annotate(literal(table["factor"].iloc[i]), (mu[i], sd[i]), fontsize=7.5, xytext=(3, 3),
                    textcoords="offset points", color="0.2")
    ax.set_xlabel("μ* (mean absolute elementary effect)")
    ax.set_ylabel("σ (spread of elementary effects)")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=0)
    _heading(fig, "Morris screening", outcome, subtitle,
             "Points: factors; whiskers: confidence interval of μ*. Above the dashed line σ = μ*, a factor acts "
             "non-linearly or through interactions.")
    return fig


def morris_scatter(table: pd.DataFrame, outcome: str, path: Path, subtitle: str = "", label_top: int = 12) -> Path:
    """Write :func:`morris_figure` as a PNG at ``path`` (atomically, parent folders created); return the path."""
    return save(morris_figure(table, outcome, subtitle, label_top), path)
