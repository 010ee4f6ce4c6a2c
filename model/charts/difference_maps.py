"""Maps over the years and maps of difference: where a portfolio does better or worse than the baseline.

Inputs are ``municipal_adoption_by_year.parquet`` frames (``code``, ``year``, ``adoption_share``: each
municipality's share of applicable innovations adopted, mean over replications; see
:func:`model.report.folder.write_adoption_by_year`). A difference map shows a portfolio's share minus the
baseline's per municipality in percentage points, on a diverging scale centred on zero; small multiples
show chosen years side by side; :func:`map_animation` writes them as an animated GIF.

Maps show only what is real:

- a municipality whose difference cannot be told from zero — the 95 % interval of its *paired* differences
  (portfolio minus baseline in the same replication, from ``municipalities.parquet``;
  :func:`paired_differences`) includes zero — is drawn grey, and the caption says so; with fewer than
  :data:`MIN_REPLICATIONS` replications every municipality is grey. The maps over the years grey those not
  told from zero at the horizon (the years before are not tested one by one);
- every difference map of a comparison can share one colour scale (``limit``, :func:`symmetric_limit` over
  all of them), and maps of adoption levels run from 0 to 100 %, as the final-adoption map does;
- the municipalities the portfolio's levers target (:func:`model.report.targets.targeted_codes`) are outlined.
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
from .maps import MAP_SIZE, adoption_map, map_shapes, normalise_code, quarter_label
from .numbers import number, quantity
from .style import (MAP_CMAP, TITLE_Y, StepFormatter, final_year_text, literal, new_figure,
                    styled, titles)

DIVERGING_CMAP = "RdBu"  # red below zero, blue above; legible with the common colour-vision deficiencies
COLUMNS = ("code", "year", "adoption_share")
#: fewer paired replications than this cannot tell any municipality's difference from zero
MIN_REPLICATIONS = 5
NEUTRAL_COLOR = "0.78"  # a difference that cannot be told from zero: grey, not a colour of the scale
NEUTRAL_HATCH = "////"
TARGET_EDGE = "0.05"  # outline of a targeted municipality


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


def paired_differences(portfolio: pd.DataFrame, baseline: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per municipality (index ``code``): ``diff`` the mean of the paired differences of ``adoption_share``
    (portfolio minus baseline in the same replication; a share), its t-based ``level`` interval ``low``,
    ``high`` (NaN with fewer than two pairs), ``n`` the pairs and ``distinct`` whether the interval excludes
    zero with at least :data:`MIN_REPLICATIONS` pairs. Inputs: ``municipalities.parquet`` frames (``code``,
    ``adoption_share``, optionally ``replication``; one replication when absent). Raises ValueError for a
    frame without those columns."""
    from scipy.special import stdtrit

    def indexed(frame: pd.DataFrame, what: str) -> pd.Series:
        missing = {"code", "adoption_share"} - set(frame.columns)
        if missing:
            raise ValueError(f"{what} lacks column(s) {sorted(missing)}")
        reps = frame["replication"] if "replication" in frame.columns else 0
        keyed = frame.assign(code=frame["code"].map(normalise_code), replication=reps)
        return keyed.set_index(["code", "replication"])["adoption_share"].astype(float)

    pairs = (indexed(portfolio, "the portfolio's municipalities") - indexed(baseline, "the baseline's municipalities"))
    grouped = pairs.dropna().groupby(level="code")
    out = pd.DataFrame({"diff": grouped.mean(), "sd": grouped.std(ddof=1), "n": grouped.size()})
    df = np.maximum(out["n"].to_numpy() - 1, 1)
    half = np.where(out["n"] >= 2, stdtrit(df, 0.5 + level / 2) * out["sd"].fillna(0.0) / np.sqrt(out["n"]), np.nan)
    out["low"], out["high"] = out["diff"] - half, out["diff"] + half
    out["distinct"] = (out["n"] >= MIN_REPLICATIONS) & ((out["low"] > 0) | (out["high"] < 0))
    return out.drop(columns="sd")


def _overlay(ax, codes: set[str], gid: str, **style) -> None:
    """Draw the municipalities ``codes`` again on ``ax`` and its Stockholm inset, in ``style`` (grey for
    what cannot be told from zero, an outline for the targeted)."""
    all_codes, _, verts, kinds = map_shapes()
    keep = [i for i, c in enumerate(all_codes) if c in codes]
    if not keep:
        return
    for target in [ax] + [a for a in ax.child_axes if a.get_gid() == "stockholm_inset"]:
        collection = PolyCollection([], gid=gid, **style)
        collection.set_verts_and_codes([verts[i] for i in keep], [kinds[i] for i in keep])
        target.add_collection(collection)


def mark_real(ax, codes: Sequence[str], distinct: pd.Series | None, targeted: set[str] | None) -> None:
    """Grey (hatched) every municipality of ``codes`` that ``distinct`` (code -> bool) does not mark as told
    from zero (none when ``distinct`` is None: not tested); outline ``targeted`` (unless it is everyone)."""
    if distinct is not None:
        real = {normalise_code(c) for c, ok in distinct.items() if ok}
        _overlay(ax, {normalise_code(c) for c in codes} - real, "indistinct", facecolors=NEUTRAL_COLOR,
                 edgecolors="white", linewidths=0.12, hatch=NEUTRAL_HATCH)
    if targeted and len(targeted) < len(map_shapes()[0]):
        _overlay(ax, set(targeted), "targeted", facecolors="none", edgecolors=TARGET_EDGE, linewidths=0.9)


def noise_text(distinct: pd.Series | None, replications: int | None, lang: str) -> str:
    """The caption's rule for grey municipalities (or that differences were not tested)."""
    sv = lang == "sv"
    if distinct is None:
        return ("Skillnaderna är inte prövade mot slumpbrus (inga data per replikering)." if sv else
                "Differences are not tested against simulation noise (no data per replication).")
    n = int(replications or 0)
    if n < MIN_REPLICATIONS:
        return (f"Grått: alla kommuner — med {n} replikeringar (färre än {MIN_REPLICATIONS}) kan ingen kommuns "
                "skillnad skiljas från noll; kör fler (--reps)." if sv else
                f"Grey: every municipality — with {n} replications (fewer than {MIN_REPLICATIONS}) no "
                "municipality's difference can be told from zero; run more (--reps).")
    grey = int((~distinct.astype(bool)).sum())
    return (f"Grått: de {grey} kommuner vars 95 %-intervall för den parade skillnaden över {n} replikeringar "
            "omfattar noll (kan inte skiljas från ingen skillnad)." if sv else
            f"Grey: the {grey} municipalities whose 95 % interval of the paired difference over {n} "
            "replications includes zero (cannot be told from no difference).")


def target_text(targeted: set[str] | None, lang: str) -> str:
    """The caption's line on outlined municipalities ('' when none are given)."""
    if targeted is None:
        return ""
    sv, n = lang == "sv", len(targeted)
    if n >= len(map_shapes()[0]):
        return "Alla kommuner är målgrupp för portföljens styrmedel." if sv else \
            "Every municipality is targeted by the portfolio's levers."
    return (f"Svart kontur: de {n} kommuner portföljens styrmedel riktas till." if sv else
            f"Outlined in black: the {n} municipalities the portfolio's levers target.")


def pick_years(years: Sequence[float], panels: int = 6) -> list[float]:
    """Up to ``panels`` years, evenly spread from the first year after the start to the last (always kept)."""
    years = sorted(years)
    later = years[1:] if len(years) > 1 else years
    if len(later) <= panels:
        return later
    picks = np.linspace(0, len(later) - 1, panels).round().astype(int)
    return [later[i] for i in sorted(set(picks))]


def _scale_text(limit_pp: float, lang: str, shared: bool = False) -> str:
    if lang == "sv":
        fitted = ("gemensam för jämförelsens alla skillnadskartor (största skillnaden åt något håll)" if shared
                  else "anpassad till data (största skillnaden åt något håll)")
        limit = number(limit_pp, 1, "sv")
        return f"Färgskala: −{limit} till +{limit} procentenheter, {fitted}; vitt = ingen skillnad."
    fitted = ("shared by every difference map of this comparison (the largest difference either way)" if shared
              else "fitted to the data (the largest difference either way)")
    return f"Colour scale: −{limit_pp:.1f} to +{limit_pp:.1f} percentage points, {fitted}; white = no difference."


def _colorbar(fig, ax_or_axes, collection, label: str, points: bool) -> None:
    bar = fig.colorbar(collection, ax=ax_or_axes, shrink=0.6, aspect=28, pad=0.02)
    bar.set_label(literal(label))
    bar.formatter = StepFormatter(1.0, "", sign=True) if points else StepFormatter(100.0, "%")
    bar.update_ticks()
    bar.outline.set_visible(False)


@styled
def difference_map(differences: pd.Series, title: str = "", subtitle: str = "", lang: str = "en",
                   distinct: pd.Series | None = None, replications: int | None = None, limit: float | None = None,
                   targeted: set[str] | None = None) -> Figure:
    """One map: ``differences`` (municipality code -> portfolio minus baseline share) in percentage points,
    red below and blue above zero, white at zero.

    ``distinct`` (code -> bool, :func:`paired_differences`' column) over ``replications``: municipalities
    not told from zero are grey and hatched (gid ``"indistinct"``); ``limit`` (a share): the colour scale's
    ends, shared with other maps (default: fitted to ``differences``); ``targeted``: codes outlined (gid
    ``"targeted"``). The caption states the scale and both rules."""
    shared = limit is not None
    limit = (limit if shared else symmetric_limit([differences])) * 100
    fig = new_figure(*MAP_SIZE)
    ax = fig.add_subplot()
    adoption_map(differences * 100, ax=ax, cmap=DIVERGING_CMAP, vmin=-limit, vmax=limit, colorbar=False)
    collection = next(c for c in ax.collections if c.get_gid() == "municipalities")
    _colorbar(fig, ax, collection, tr("Difference in adoption share (pp)", lang), points=True)
    mark_real(ax, list(differences.index), _tested(distinct, replications), targeted)
    values = differences.to_numpy(float) * 100
    if distinct is None:
        share = lambda v: quantity(v, "percent", lang, decimals=0)  # noqa: E731
        stats = (f"Across municipalities: median {np.median(values):+.1f} pp, {np.mean(values > 0):.0%} above zero, "
                 f"{np.mean(values < 0):.0%} below." if lang != "sv" else
                 f"Över kommunerna: median {number(np.median(values), 1, 'sv', signed=True)} p.e., "
                 f"{share(np.mean(values > 0))} över noll, {share(np.mean(values < 0))} under.")
    else:
        real = _tested(distinct, replications).reindex(differences.index, fill_value=False).to_numpy(bool)
        up, down = int((real & (values > 0)).sum()), int((real & (values < 0)).sum())
        stats = (f"Told from zero: {up} municipalities higher, {down} lower." if lang != "sv" else
                 f"Skilda från noll: {up} kommuner högre, {down} lägre.")
    titles(fig, title or tr("Difference from the baseline by municipality", lang),
           "\n".join(t for t in (subtitle, _scale_text(limit, lang, shared), noise_text(distinct, replications, lang),
                                 target_text(targeted, lang), stats) if t))
    return fig


def _tested(distinct: pd.Series | None, replications: int | None) -> pd.Series | None:
    """``distinct`` as drawn: nobody is told from zero with fewer than :data:`MIN_REPLICATIONS`."""
    if distinct is None:
        return None
    distinct = distinct.astype(bool)
    distinct.index = [normalise_code(c) for c in distinct.index]
    return distinct if int(replications or 0) >= MIN_REPLICATIONS else distinct & False


@styled
def map_small_multiples(frames: dict[float, pd.Series], title: str, caption: str = "", difference: bool = False,
                        lang: str = "en", panels: int = 6, limit: float | None = None,
                        distinct: pd.Series | None = None, replications: int | None = None,
                        targeted: set[str] | None = None) -> Figure:
    """Maps of chosen years (:func:`pick_years`) side by side on one shared colour scale: diverging around
    zero in percentage points when ``difference`` (ends ``limit``, a share, shared with other maps, or
    fitted to these years), else 0 to 100 %, as every map of adoption levels. ``distinct``/``replications``
    (the test at the horizon) grey the municipalities not told from zero in every panel, ``targeted`` are
    outlined, as in :func:`difference_map`."""
    years = pick_years(list(frames), panels)
    if not years:
        raise ValueError("no years to draw")
    shown = [frames[y] for y in years]
    if difference:
        shared = limit is not None
        limit = (limit if shared else symmetric_limit(shown)) * 100
        lo, hi, cmap, scale = -limit, limit, DIVERGING_CMAP, 100.0
        scale_text = _scale_text(limit, lang, shared)
        rules = [noise_text(distinct, replications, lang) + (
            " Prövat vid horisonten; tidigare år prövas inte var för sig." if lang == "sv" and distinct is not None
            else " Tested at the horizon; earlier years are not tested one by one." if distinct is not None else ""),
            target_text(targeted, lang)]
    else:
        lo, hi, cmap, scale = 0.0, 1.0, MAP_CMAP, 1.0
        scale_text = ("Colour scale: 0 to 100 %, as on every map of adoption." if lang != "sv"
                      else "Färgskala: 0 till 100 %, som på alla kartor över spridning.")
        rules = []
    cols = min(3, len(years))
    rows = math.ceil(len(years) / cols)
    fig = new_figure(3.4 * cols + 1.4, 4.6 * rows + 0.8)
    axes = fig.subplots(rows, cols, squeeze=False)
    collection = None
    for k, year in enumerate(years):
        ax = axes[k // cols][k % cols]
        adoption_map(shown[k] * scale, ax=ax, cmap=cmap, vmin=lo, vmax=hi, colorbar=False, stockholm_inset=False)
        ax.set_title(f"{int(round(year)) - 1}" if float(year).is_integer() else quarter_label(year), loc="left",
                     fontsize=10, y=TITLE_Y)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        if difference:
            mark_real(ax, list(shown[k].index), _tested(distinct, replications), targeted)
        collection = next(c for c in ax.collections if c.get_gid() == "municipalities")
    for k in range(len(years), rows * cols):
        axes[k // cols][k % cols].set_visible(False)
    label = tr("Difference in adoption share (pp)", lang) if difference else tr("Adoption share (%)", lang)
    _colorbar(fig, axes, collection, label, points=difference)
    note = ("Each panel: the state at the end of the year named." if lang != "sv"
            else "Varje karta: läget vid slutet av det angivna året.")
    titles(fig, title, "\n".join(t for t in (caption, note, scale_text, *rules) if t))
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
               f"Färgskala: 0 till {quantity(hi, 'percent', 'sv', decimals=0)}, anpassad till data."
               if lang == "sv" else
               f"Colour scale: 0 to {hi:.0%}, fitted to the data.")
    write_map_animation({y: frames[y] * scale for y in years}, path, title, caption,
                        dict(cmap=cmap, vmin=lo, vmax=hi, label=label, formatter=formatter),
                        lambda year: final_year_text(year, lang) if float(year).is_integer() else quarter_label(year),
                        size=DEFAULT_SIZE if size in (None, True) else size, fps=fps, hold_last=hold_last, lang=lang)
    return Path(path)
