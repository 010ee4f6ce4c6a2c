"""Maps over the years and maps of difference: where a portfolio does better or worse than the baseline.

Inputs are ``municipal_adoption_by_year.parquet`` frames (``code``, ``year``, ``adoption_share``: each
municipality's share of applicable innovations adopted, mean over replications; see
:func:`model.report.folder.write_adoption_by_year`). A difference map shows a portfolio's share minus the
baseline's per municipality in percentage points, on a diverging scale centred on zero whose limits are
fitted to the data (the largest difference either way) and stated in the caption. Small multiples show
chosen years side by side on one shared scale; :func:`map_animation` writes them as an animated GIF.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from .language import tr
from .maps import MAP_SIZE, adoption_map, map_values, quarter_label
from .style import (CAPTION_COLOR, CAPTION_SIZE, MAP_CMAP, StepFormatter, final_year_text, literal, new_figure,
                    styled, titles)

DIVERGING_CMAP = "RdBu"  # red below zero, blue above; legible with the common colour-vision deficiencies
COLUMNS = ("code", "year", "adoption_share")


def _check(frame: pd.DataFrame, what: str) -> None:
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing}; needs {list(COLUMNS)}")
    if frame.empty:
        raise ValueError(f"{what} is empty")


def by_year(frame: pd.DataFrame) -> dict[float, pd.Series]:
    """Year -> adoption share by municipality code (mean over replications where several are given)."""
    _check(frame, "adoption by year")
    means = frame.groupby(["year", "code"])["adoption_share"].mean()
    return {float(y): means.loc[y] for y in sorted(means.index.get_level_values(0).unique())}


def differences_by_year(portfolio: pd.DataFrame, baseline: pd.DataFrame) -> dict[float, pd.Series]:
    """Year -> portfolio minus baseline adoption share by municipality (years both have)."""
    mine, base = by_year(portfolio), by_year(baseline)
    return {y: (mine[y] - base[y]).dropna() for y in mine if y in base}


def symmetric_limit(values: Sequence[pd.Series]) -> float:
    """The largest absolute value among ``values`` (a share), at least 0.001 so a scale always exists."""
    top = max((float(np.nanmax(np.abs(v.to_numpy(float)))) for v in values if len(v)), default=0.0)
    return max(top, 0.001)


def pick_years(years: Sequence[float], panels: int = 6) -> list[float]:
    """Up to ``panels`` years, evenly spread from the first year after the start to the last (always kept)."""
    years = sorted(years)
    later = years[1:] if len(years) > 1 else years
    if len(later) <= panels:
        return later
    picks = np.linspace(0, len(later) - 1, panels).round().astype(int)
    return [later[i] for i in sorted(set(picks))]


def _scale_text(limit_pp: float, lang: str) -> str:
    if lang == "sv":
        return (f"Färgskala: −{limit_pp:.1f} till +{limit_pp:.1f} procentenheter, anpassad till data (största "
                "skillnaden åt något håll); vitt = ingen skillnad.")
    return (f"Colour scale: −{limit_pp:.1f} to +{limit_pp:.1f} percentage points, fitted to the data (the largest "
            "difference either way); white = no difference.")


def _colorbar(fig, ax_or_axes, collection, label: str, points: bool) -> None:
    bar = fig.colorbar(collection, ax=ax_or_axes, shrink=0.6, aspect=28, pad=0.02)
    bar.set_label(literal(label))
    bar.formatter = StepFormatter(1.0, "", sign=True) if points else StepFormatter(100.0, "%")
    bar.update_ticks()
    bar.outline.set_visible(False)


@styled
def difference_map(differences: pd.Series, title: str = "", subtitle: str = "", lang: str = "en") -> Figure:
    """One map: ``differences`` (municipality code -> portfolio minus baseline share) in percentage points,
    red below and blue above zero, white at zero, limits fitted to the data and stated."""
    limit = symmetric_limit([differences]) * 100
    fig = new_figure(*MAP_SIZE)
    ax = fig.add_subplot()
    adoption_map(differences * 100, ax=ax, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, colorbar=False)
    collection = next(c for c in ax.collections if c.get_gid() == "municipalities")
    _colorbar(fig, ax, collection, tr("Difference in adoption share (pp)", lang), points=True)
    values = differences.to_numpy(float) * 100
    stats = (f"Across municipalities: median {np.median(values):+.1f} pp, {np.mean(values > 0):.0%} above zero, "
             f"{np.mean(values < 0):.0%} below.")
    titles(fig, title or tr("Difference from the baseline by municipality", lang),
           "\n".join(t for t in (subtitle, _scale_text(limit, lang), stats) if t))
    return fig


@styled
def map_small_multiples(frames: dict[float, pd.Series], title: str, caption: str = "", difference: bool = False,
                        lang: str = "en", panels: int = 6) -> Figure:
    """Maps of chosen years (:func:`pick_years`) side by side on one shared colour scale fitted to the data:
    diverging around zero in percentage points when ``difference``, else 0 to the highest share reached."""
    years = pick_years(list(frames), panels)
    if not years:
        raise ValueError("no years to draw")
    shown = [frames[y] for y in years]
    if difference:
        limit = symmetric_limit(shown) * 100
        lo, hi, cmap, scale = -limit, limit, DIVERGING_CMAP, 100.0
        scale_text = _scale_text(limit, lang)
    else:
        hi = max(float(np.nanmax(v.to_numpy(float))) for v in shown) if shown else 1.0
        hi = max(min(1.0, math.ceil(hi * 20) / 20), 0.05)  # up to the next 5 %
        lo, cmap, scale = 0.0, MAP_CMAP, 1.0
        scale_text = (f"Colour scale: 0 to {hi:.0%}, fitted to the data (the highest share reached, rounded up)."
                      if lang != "sv" else f"Färgskala: 0 till {hi:.0%}, anpassad till data (högsta andel, avrundad uppåt).")
    cols = min(3, len(years))
    rows = math.ceil(len(years) / cols)
    fig = new_figure(3.4 * cols + 1.4, 4.6 * rows + 0.8)
    axes = fig.subplots(rows, cols, squeeze=False)
    collection = None
    for k, year in enumerate(years):
        ax = axes[k // cols][k % cols]
        adoption_map(shown[k] * scale, ax=ax, cmap=cmap, vmin=lo, vmax=hi, colorbar=False, stockholm_inset=False)
        ax.set_title(f"{int(round(year)) - 1}" if float(year).is_integer() else quarter_label(year), loc="left",
                     fontsize=10)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        collection = next(c for c in ax.collections if c.get_gid() == "municipalities")
    for k in range(len(years), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    label = tr("Difference in adoption share (pp)", lang) if difference else tr("Adoption share (%)", lang)
    _colorbar(fig, axes, collection, label, points=difference)
    note = ("Each panel: the state at the end of the year named." if lang != "sv"
            else "Varje karta: läget vid slutet av det angivna året.")
    titles(fig, title, "\n".join(t for t in (caption, note, scale_text) if t))
    return fig


@styled
def map_animation(frames: dict[float, pd.Series], path: str | Path, title: str, difference: bool = False,
                  lang: str = "en", fps: float = 2, hold_last: int = 3, size: Sequence[int] | bool | None = None
                  ) -> Path:
    """An animated GIF of ``frames`` (year -> share, or difference when ``difference``, by municipality
    code), one frame a year on one colour scale fitted to all years, ``size`` (width, height) pixels
    (default, or True: 1920×1080) with its title and caption inside the frame, and an MP4 beside it where
    ffmpeg is installed (:func:`~model.charts.animation.write_map_animation`); returns the GIF's path."""
    from .animation import DEFAULT_SIZE, write_map_animation

    years = sorted(frames)
    if not years:
        raise ValueError("no years to animate")
    values = [frames[y] for y in years]
    if difference:
        limit = symmetric_limit(values) * 100
        lo, hi, cmap, scale = -limit, limit, DIVERGING_CMAP, 100.0
    else:
        lo, hi, cmap, scale = 0.0, max(0.05, max(float(np.nanmax(v.to_numpy(float))) for v in values)), MAP_CMAP, 1.0
    label = tr("Difference in adoption share (pp)", lang) if difference else tr("Adoption share (%)", lang)
    formatter = StepFormatter(1.0, "", sign=True) if difference else StepFormatter(100.0, "%")
    caption = (_scale_text(hi, lang) if difference else
               f"Färgskala: 0 till {hi:.0%}, anpassad till data." if lang == "sv" else
               f"Colour scale: 0 to {hi:.0%}, fitted to the data.")
    write_map_animation({y: frames[y] * scale for y in years}, path, title, caption,
                        dict(cmap=cmap, vmin=lo, vmax=hi, label=label, formatter=formatter),
                        lambda year: final_year_text(year, lang) if float(year).is_integer() else quarter_label(year),
                        size=DEFAULT_SIZE if size in (None, True) else size, fps=fps, hold_last=hold_last, lang=lang)
    return Path(path)
