"""Charts of a calibration: observed points against the posterior predictive, targets met and missed, and
the posterior's pairs of parameters — in the charts' one style.

The functions take plain tables (as :mod:`model.calibrate` writes them) and a path; they know nothing of
how the fit was made:

- ``paths``: one row per run, series and year, with the measured share ``value``;
- ``table``: one row per observed point: ``series``, ``year``, ``observed``, ``sd`` (its standard
  deviation: sampling and model discrepancy), ``fitted`` (used by the fit or held out), ``met``,
  ``miss_sd`` (the predictive mean's miss in standard deviations), ``key``;
- ``posterior``: one row per parameter set, one column per parameter and ``weight``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from .style import OKABE_ITO, literal, new_figure, percent_axis, save, styled, titles

BAND_COLOR = OKABE_ITO[0]
MET_COLOR = OKABE_ITO[2]
MISSED_COLOR = OKABE_ITO[4]
POINT_SDS = 2.0


def _band(paths: pd.DataFrame, series: str) -> pd.DataFrame:
    rows = paths[paths["series"] == series].groupby("year")["value"]
    return pd.DataFrame({"median": rows.median(), "low": rows.quantile(0.025),
                         "high": rows.quantile(0.975)}).reset_index()


def _points(ax, points: pd.DataFrame) -> None:
    for _, p in points.iterrows():
        color = MET_COLOR if p["met"] else MISSED_COLOR
        ax.errorbar([p["year"]], [p["observed"]], yerr=[[min(POINT_SDS * p["sd"], p["observed"])],
                                                        [POINT_SDS * p["sd"]]],
                    fmt="o", color=color, markersize=5, capsize=2.5, elinewidth=1,
                    markerfacecolor=color if p["fitted"] else "white", zorder=4)


@styled
def predictive_figure(paths: pd.DataFrame, table: pd.DataFrame, title: str, note: str = ""):
    """One panel per observed series: the posterior predictive median and 95 % band of the share over the
    years, and each observed point with two standard deviations (filled: fitted; open: held out; green:
    met; orange: missed)."""
    series = list(dict.fromkeys(table["series"]))
    cols = min(4, len(series))
    rows = math.ceil(len(series) / cols)
    fig = new_figure(3.0 * cols + 0.6, 2.5 * rows + 1.2)
    axes = fig.subplots(rows, cols, squeeze=False)
    years = paths["year"] if len(paths) else table["year"]
    for ax, name in zip(axes.flat, series):
        band = _band(paths, name)
        ax.fill_between(band["year"], band["low"], band["high"], color=BAND_COLOR, alpha=0.2, linewidth=0)
        ax.plot(band["year"], band["median"], color=BAND_COLOR, linewidth=1.6)
        _points(ax, table[table["series"] == name])
        ax.set_title(literal(_wrap(name, 32)), fontsize=7.5, loc="left", fontweight="normal")
        ax.set_xlim(float(years.min()) - 0.3, float(years.max()) + 0.3)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.set_ylim(0, 1)
        percent_axis(ax)
    spare = list(axes.flat)[len(series):]
    for ax in spare:
        ax.axis("off")
    handles = [Line2D([], [], color=BAND_COLOR, linewidth=1.6, label="posterior predictive median"),
               Patch(facecolor=BAND_COLOR, alpha=0.2, linewidth=0, label="95 % of predictive runs"),
               Line2D([], [], marker="o", color=MET_COLOR, linestyle="", label="observed, met"),
               Line2D([], [], marker="o", color=MISSED_COLOR, linestyle="", label="observed, missed"),
               Line2D([], [], marker="o", color="0.3", markerfacecolor="white", linestyle="",
                      label="held out (not fitted)")]
    if spare:  # the legend in the first empty panel, clear of the title and the caption
        spare[0].legend(handles=handles, loc="center left", fontsize=8)
    else:
        fig.legend(handles=handles, loc="outside right upper")
    titles(fig, title, "Band: 2.5th-97.5th percentile of the posterior predictive runs (parameter draws x "
                       "replications). Points: observed share of municipalities with two standard deviations "
                       "(binomial sampling error and model discrepancy); met = predictive mean within them."
           + (f"\n{note}" if note else ""))
    return fig


def predictive_chart(paths: pd.DataFrame, table: pd.DataFrame, path: str | Path, title: str, note: str = "") -> Path:
    """Write :func:`predictive_figure` to ``path``."""
    return save(predictive_figure(paths, table, title, note), path)


@styled
def targets_figure(table: pd.DataFrame, title: str):
    """Each target's miss (predictive mean minus observed, in standard deviations), with the ±2 band in
    which a target counts as met."""
    t = table.reset_index(drop=True)
    fig = new_figure(7.5, 0.28 * len(t) + 1.6)
    ax = fig.add_subplot()
    y = np.arange(len(t))[::-1]
    ax.axvspan(-POINT_SDS, POINT_SDS, color=MET_COLOR, alpha=0.12, linewidth=0)
    ax.axvline(0, color="0.4", linewidth=0.8)
    for yi, (_, row) in zip(y, t.iterrows()):
        color = MET_COLOR if row["met"] else MISSED_COLOR
        ax.plot([row["miss_sd"]], [yi], "o", color=color, markerfacecolor=color if row["fitted"] else "white")
    ax.set_yticks(y, [literal(k) for k in t["key"]], fontsize=7.5)
    ax.set_xlabel("Predictive mean minus observed, in standard deviations")
    ax.grid(axis="y", visible=False)
    met = int(t["met"].sum())
    titles(fig, title, f"{met} of {len(t)} targets met (within ±{POINT_SDS:g} standard deviations, shaded). "
                       "Filled: fitted; open: held out.")
    return fig


def targets_chart(table: pd.DataFrame, path: str | Path, title: str) -> Path:
    """Write :func:`targets_figure` to ``path``."""
    return save(targets_figure(table, title), path)


@styled
def pairs_figure(posterior: pd.DataFrame, names: list[str], bounds: dict[str, tuple[float, float]], title: str,
                 log: frozenset[str] = frozenset()):
    """The posterior's pairs: weighted histograms of each parameter on the diagonal, weighted scatter of
    each pair below it; every axis spans the prior's range (on a log scale for the parameters in ``log``,
    those with a log-uniform prior)."""
    n = len(names)
    size = max(1.6, min(2.4, 14.0 / n))
    fig = new_figure(size * n + 0.8, size * n + 0.8)
    axes = fig.subplots(n, n, squeeze=False)
    w = posterior["weight"].to_numpy(float)
    w = w / w.sum()
    for i, yi in enumerate(names):
        for j, xj in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            if xj in log:
                ax.set_xscale("log")
            ax.set_xlim(*bounds[xj])
            if i == j:
                edges = (np.geomspace(*bounds[xj], 21) if xj in log else np.linspace(*bounds[xj], 21))
                ax.hist(posterior[xj], bins=edges, weights=w, color=BAND_COLOR, alpha=0.8)
                ax.set_yticks([])
            else:
                if yi in log:
                    ax.set_yscale("log")
                ax.scatter(posterior[xj], posterior[yi], s=4 + 400 * w, color=BAND_COLOR, alpha=0.35, linewidths=0)
                ax.set_ylim(*bounds[yi])
                if yi not in log:
                    ax.yaxis.set_major_locator(MaxNLocator(3))
            if xj not in log:
                ax.xaxis.set_major_locator(MaxNLocator(3))
            ax.tick_params(labelsize=7)
            if i == n - 1:
                ax.set_xlabel(literal(_short(xj)), fontsize=8)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(literal(_short(yi)), fontsize=8)
            elif j > 0:
                ax.set_yticklabels([])
    titles(fig, title, "Diagonal: the posterior of each parameter (weighted histogram); below: pairs of "
                       "parameter sets, dot size by weight. Axes span the prior ranges.")
    return fig


def pairs_chart(posterior: pd.DataFrame, names: list[str], bounds: dict[str, tuple[float, float]],
                path: str | Path, title: str, log: frozenset[str] = frozenset()) -> Path:
    """Write :func:`pairs_figure` to ``path``."""
    return save(pairs_figure(posterior, names, bounds, title, log), path)


def _wrap(name: str, width: int) -> str:
    """``name`` on lines of at most ``width`` characters, broken after its underscores."""
    lines, line = [], ""
    for part in name.split("_"):
        piece = part if not line else f"_{part}"
        if line and len(line) + len(piece) > width:
            lines.append(line + "_")
            line = part
        else:
            line += piece
    return "\n".join(lines + [line])


def _short(name: str) -> str:
    """A parameter's label on an axis: the last two parts of a long dotted path."""
    parts = name.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else name
