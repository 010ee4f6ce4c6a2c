"""Maps of Sweden's 290 municipalities: the shapes, a coloured map, the final-adoption chart, an animation.

The shapes come from ``model/data/municipalities.geojson``. Longitude is scaled by cos(62°) so that equal
axis units keep Sweden roughly in its true shape; Stockholm county, whose 26 municipalities are too small
to see on the whole country, gets a zoomed inset.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.collections import PolyCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from .shaping import final_values, n_replications
from .language import spoken, tr
from .style import (CAPTION_COLOR, CAPTION_SIZE, EDGE_COLOR, MAP_CMAP, NO_DATA_COLOR, StepFormatter, caption_for,
                    TITLE_Y, final_year_text, literal, new_figure, styled, titles, whole_percent)
from ..stages import QUARTERS_PER_YEAR

MAP_LATITUDE = 62.0  # x is scaled by cos(62°) so Sweden keeps roughly its true shape
MAP_SIZE = (6.3, 9.0)  # inches: Sweden is tall


@lru_cache(maxsize=1)
def map_shapes() -> tuple[tuple[str, ...], tuple[str, ...], tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The 290 municipalities as (codes, names, vertices, path codes): one compound path per municipality.

    Codes are 4-digit strings. Outer rings run counter-clockwise and holes clockwise, so holes (enclaves,
    large lakes) stay unfilled.
    """
    source = resources.files("model").joinpath("data", "municipalities.geojson")
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    xscale = math.cos(math.radians(MAP_LATITUDE))
    codes, names, all_verts, all_codes = [], [], [], []
    for feature in features:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        verts, kinds = [], []
        for polygon in polygons:
            for r, ring in enumerate(polygon):
                xy = np.asarray(ring, dtype=float)[:, :2]
                if len(xy) > 1 and np.array_equal(xy[0], xy[-1]):
                    xy = xy[:-1]
                if len(xy) < 3:
                    continue
                xy[:, 0] *= xscale
                area = 0.5 * np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1])
                if (r == 0) != (area > 0):
                    xy = xy[::-1]
                verts.append(np.vstack([xy, xy[:1]]))
                kind = np.full(len(xy) + 1, MplPath.LINETO, dtype=MplPath.code_type)
                kind[0], kind[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
                kinds.append(kind)
        codes.append(normalise_code(feature["properties"]["code"]))
        names.append(feature["properties"].get("name", ""))
        all_verts.append(np.concatenate(verts))
        all_codes.append(np.concatenate(kinds))
    return tuple(codes), tuple(names), tuple(all_verts), tuple(all_codes)


def county_bounds(prefix: str) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) in map units of the municipalities whose code starts with ``prefix``."""
    codes, _, verts, _ = map_shapes()
    points = np.concatenate([v for c, v in zip(codes, verts) if c.startswith(prefix)])
    return (*points.min(0), *points.max(0))


def map_bounds() -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of the whole map, in map units."""
    return county_bounds("")


def normalise_code(code: Any) -> str:
    """A municipality code as its 4-digit string (``114``, ``"114"`` and ``"0114"`` are all ``"0114"``)."""
    if isinstance(code, (int, np.integer)) or (isinstance(code, float) and float(code).is_integer()):
        return f"{int(code):04d}"
    text = str(code).strip()
    return text.zfill(4) if text.isdigit() else text


def map_values(values_by_code: Mapping[Any, float] | pd.Series) -> np.ma.MaskedArray:
    """``values_by_code`` (municipality code -> value) in the order of :func:`map_shapes`, masked where absent.

    Raises ValueError for duplicate codes (after :func:`normalise_code`) and for codes not on the map.
    """
    values = pd.Series(values_by_code, dtype=float) if not isinstance(values_by_code, pd.Series) \
        else values_by_code.astype(float)
    values.index = [normalise_code(c) for c in values.index]
    if values.index.duplicated().any():
        raise ValueError(f"duplicate municipality codes: {sorted(set(values.index[values.index.duplicated()]))}")
    codes = map_shapes()[0]
    unknown = sorted(set(values.index) - set(codes))
    if unknown:
        raise ValueError(f"{len(unknown)} code(s) are not municipalities on the map: {unknown[:8]}")
    return np.ma.masked_invalid(values.reindex(list(codes)).to_numpy(dtype=float))


@styled
def adoption_map(values_by_code: Mapping[Any, float] | pd.Series, ax=None, title: str = "",
                 cmap: str | Any = MAP_CMAP, vmin: float | None = None, vmax: float | None = None,
                 colorbar_label: str = "Adoption share (%)", percent: bool = True,
                 colorbar: bool = True, stockholm_inset: bool = True, lang: str | None = None) -> Figure:
    """Sweden's 290 municipalities coloured by ``values_by_code`` (municipality code -> value).

    Draws one :class:`~matplotlib.collections.PolyCollection` (gid ``"municipalities"``) with one
    compound path per municipality, in the order of the map data; its colour array holds the values.
    Municipalities without a value are grey (and counted as "no data"). ``vmin``/``vmax`` default to the
    data range; ``percent`` formats the colour bar as percentages of 1. Draws on ``ax`` if given, else on
    a new figure; returns the figure. ``stockholm_inset`` adds a zoom on Stockholm county. ``lang``: the
    language of its labels (default: that of the chart it is drawn for). Raises ValueError as
    :func:`map_values`.
    """
    lang = lang or spoken()
    data = map_values(values_by_code)
    _, _, verts, kinds = map_shapes()
    if ax is None:
        ax = new_figure(*MAP_SIZE).add_subplot()
    fig = ax.figure
    colormap = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    if isinstance(cmap, str) and cmap == MAP_CMAP:  # start above white, so low values show on a white page
        colormap = ListedColormap(colormap(np.linspace(0.1, 1.0, 256)), name=f"{MAP_CMAP}_from_light")
    colormap = colormap.with_extremes(bad=NO_DATA_COLOR)
    finite = data.compressed()
    lo = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)

    def draw(target, linewidth: float) -> PolyCollection:
        collection = PolyCollection([], cmap=colormap, edgecolors=EDGE_COLOR, linewidths=linewidth,
                                    gid="municipalities")
        collection.set_verts_and_codes(list(verts), list(kinds))
        collection.set_array(data)
        collection.set_clim(lo, hi if hi > lo else lo + 1e-9)
        target.add_collection(collection)
        target.set_aspect("equal")
        target.set_xticks([])
        target.set_yticks([])
        target.grid(False)
        return collection

    collection = draw(ax, 0.12)
    xmin, ymin, xmax, ymax = map_bounds()
    margin = 0.02 * (ymax - ymin)
    # room in the Baltic, south-east of the coast, for the Stockholm inset
    ax.set_xlim(xmin - margin, xmax + margin + (0.3 * (xmax - xmin) if stockholm_inset else 0))
    ax.set_ylim(ymin - margin, ymax + margin)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if stockholm_inset:
        x0, y0, x1, y1 = county_bounds("01")
        pad = 0.03 * (y1 - y0)
        inset = ax.inset_axes([0.60, 0.0, 0.40, 0.36])
        inset.set_anchor("SE")
        draw(inset, 0.25)
        inset.set_gid("stockholm_inset")
        inset.set_xlim(x0 - pad, x1 + pad)
        inset.set_ylim(y0 - pad, y1 + pad)
        inset.set_title(tr("Stockholm county", lang), fontsize=8, fontweight="normal", loc="left", pad=2, y=TITLE_Y)
        for spine in inset.spines.values():
            spine.set_edgecolor("0.55")
            spine.set_linewidth(0.7)
            spine.set_visible(True)
        ax.indicate_inset_zoom(inset, edgecolor="0.45", linewidth=0.7, alpha=0.9)
    if title:
        ax.set_title(literal(title), loc="left")
    if colorbar:
        bar = fig.colorbar(collection, ax=ax, shrink=0.55, aspect=25, pad=0.02)
        bar.set_label(literal(colorbar_label))
        if percent:
            bar.formatter = StepFormatter(100.0, "%")  # 67 %, with a space, in Swedish
            bar.update_ticks()
        bar.outline.set_visible(False)
    if data.mask.any():
        ax.legend(handles=[Patch(facecolor=NO_DATA_COLOR, label=f"{tr('no data', lang)} ({int(data.mask.sum())})")],
                  loc="lower right", fontsize=8)
    return fig


@styled
def map_chart(municipalities: pd.DataFrame, title: str = "", end_year: float | None = None,
              lang: str = "en") -> Figure:
    """The mean final adoption share of each municipality across replications, as a map.

    ``municipalities``: columns ``code`` and ``adoption_share`` (0-1), optionally ``replication``;
    ``title`` (the scenario name) goes in the caption, ``end_year`` in the title. Raises ValueError as
    :func:`~model.charts.shaping.final_values` and :func:`map_values`.
    """
    values = final_values(municipalities)
    fig = new_figure(*MAP_SIZE)
    adoption_map(values, ax=fig.add_subplot(), vmin=0.0, vmax=1.0, colorbar_label=tr("Final adoption share (%)", lang))
    when = f", {final_year_text(end_year, lang)}" if end_year is not None else ""
    reps = n_replications(municipalities)
    share = lambda v: whole_percent(v, lang)  # noqa: E731  (as the colour bar's ticks)
    titles(fig, f"{tr('Adoption by municipality', lang)}{when}",
           caption_for(title, reps, tr("Colour: each municipality's share of applicable innovations adopted at "
                                       "the end,\naveraged over replications (a share, not a probability).", lang))
           + f"\n{tr('Across municipalities', lang)}: {tr('median', lang)} {share(values.median())}, "
           f"{tr('lowest', lang)} {share(values.min())}, {tr('highest', lang)} {share(values.max())}.")
    return fig


def quarter_label(year: float, lang: str | None = None) -> str:
    """``2027.0`` -> ``2027``, ``2027.5`` -> ``2027 Q3`` (the quarter that starts then; ``2027 kv. 3`` in
    Swedish). ``lang``: default, the language of the chart being drawn."""
    whole = math.floor(year + 1e-9)
    quarter = int(round((year - whole) * QUARTERS_PER_YEAR))
    if quarter == 0:
        return f"{whole}"
    return f"{whole} kv. {quarter + 1}" if (lang or spoken()) == "sv" else f"{whole} Q{quarter + 1}"


@styled
def adoption_map_animation(shares: pd.DataFrame, path: str | Path, title: str = "", fps: float = 4,
                           hold_last: int = 6, stockholm_inset: bool = True, lang: str = "en") -> Path:
    """Write an animated GIF of the adoption map over time (Pillow, which matplotlib depends on).

    ``shares`` has columns ``code``, ``year`` and ``adoption_share`` (e.g. from
    :func:`model.charts.shaping.municipality_adoption_over_time`); one frame per year value, the last held
    for ``hold_last`` extra frames. Colours run from 0 to 100 % so frames compare. Writes atomically and
    returns ``path``; labels in ``lang``. Raises ValueError for missing columns or an empty ``shares``.
    """
    missing = {"code", "year", "adoption_share"} - set(shares.columns)
    if missing:
        raise ValueError(f"shares lacks column(s) {sorted(missing)}")
    years = sorted(pd.unique(shares["year"]))
    if not years:
        raise ValueError("shares is empty")
    by_year = {y: shares.loc[shares["year"] == y].set_index("code")["adoption_share"] for y in years}

    fig = new_figure(*MAP_SIZE)
    ax = fig.add_subplot()
    adoption_map(by_year[years[0]], ax=ax, vmin=0.0, vmax=1.0, colorbar_label=tr("Adoption share (%)", lang),
                 stockholm_inset=stockholm_inset, lang=lang)
    runs = int(shares["replications"].iloc[0]) if "replications" in shares.columns else None
    fig.suptitle(literal(title or tr("Adoption by municipality", lang)), x=0.01, ha="left")
    # the caption goes inside the figure (an animation is saved without a tight bounding box)
    colour = ("Colour: each municipality's share of applicable innovations adopted"
              + (",\naveraged over replications." if runs and runs > 1 else "."))
    fig.supxlabel(caption_for("", runs, tr(colour, lang), lang=lang),
                  x=0.01, ha="left", fontsize=CAPTION_SIZE, color=CAPTION_COLOR)
    stamp = ax.text(0.03, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=16,
                    fontweight="bold", color="0.2")
    collections = fig.findobj(lambda a: isinstance(a, PolyCollection) and a.get_gid() == "municipalities")
    fig.get_layout_engine().set(w_pad=0.1, h_pad=0.1)
    fig.canvas.draw()
    fig.set_layout_engine("none")  # freeze the layout: frames must not jump
    frames = list(years) + [years[-1]] * max(0, int(hold_last))

    def update(year):
        data = map_values(by_year[year])
        for collection in collections:
            collection.set_array(data)
        stamp.set_text(quarter_label(year, lang))
        return [*collections, stamp]

    animation = FuncAnimation(fig, update, frames=frames, blit=False)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Pillow picks the format from the file's suffix, so the partial file keeps it (write_with's would not)
    partial = path.with_name(f".{path.stem}.partial{path.suffix or '.gif'}")
    try:
        animation.save(partial, writer=PillowWriter(fps=fps), dpi=100)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path
