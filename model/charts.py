"""Charts of a scenario's replications, and of a comparison between scenarios.

Every chart is a matplotlib :class:`~matplotlib.figure.Figure` drawn on an Agg canvas without pyplot, so
the module works headless and in worker processes and never changes a notebook's backend. Each chart
function takes the frames :mod:`model.batch` writes (``timeseries``, ``municipalities``) and returns a
Figure; :func:`save` writes one as a PNG (150 dpi, atomically). :func:`scenario_charts` and
:func:`comparison_charts` write the standard sets.

Uncertainty is always shown and always labelled. In time charts the line is the mean over replications
and the shaded band spans the 2.5th to 97.5th percentile of the replications: where 95 % of runs fall
(:func:`mean_band`, the one helper every chart uses). The comparison outcome chart shows instead the
95 % confidence interval of the mean, as ``summary.csv`` gives it, and says so.
"""

from __future__ import annotations

import json
import math
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache, wraps
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .results import write_with
from .world.organisations import SIZE_BANDS

DPI = 150
BAND = (2.5, 97.5)  # percentiles of the replications shaded around every mean
BAND_TEXT = "band: 2.5th–97.5th percentile of replications (95 % of runs)"
SMALL, LARGE = SIZE_BANDS[0], SIZE_BANDS[-1]
MAP_LATITUDE = 62.0  # x is scaled by cos(62°) so Sweden keeps roughly its true shape

STYLE = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "0.88",
    "grid.linewidth": 0.7,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "figure.titlesize": 14,
    "figure.titleweight": "bold",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}

# Colours: Okabe–Ito (distinguishable with the common colour-vision deficiencies), used consistently.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442")
UNWEIGHTED_COLOR = "#0072B2"
POPULATION_COLOR = "#D55E00"
GAP_COLOR = "#A0457E"
BASELINE_COLOR = "#3a3a3a"
EVENT_COLORS = {"pilots_started": "#0072B2", "pilots_scaled": "#009E73", "pilots_stalled": "#D55E00"}
EVENT_LABELS = {"pilots_started": "Pilots started", "pilots_scaled": "Pilots scaled up (adopted)",
                "pilots_stalled": "Pilots stalled"}
STOCK_LABELS = {"piloting_share": "In pilot", "stalled_share": "Stalled"}
SIZE_BAND_COLORS = dict(zip(SIZE_BANDS, ("#f89540", "#e16462", "#b12a90", "#6a00a8", "#0d0887")))  # plasma
SIZE_BAND_LABELS = {"<10k": "under 10 000", "10-20k": "10 000–20 000", "20-50k": "20 000–50 000",
                    "50-100k": "50 000–100 000", ">100k": "over 100 000"}
MAP_CMAP = "YlGnBu"
NO_DATA_COLOR = "#d9d9d9"
EDGE_COLOR = "#8c8c8c"

#: Outcomes of the comparison charts: (title, unit, how to show the value, which direction is better).
OUTCOMES = {
    "final_adoption": ("Final adoption", "% of organisation–innovation pairs", "percent", "higher"),
    "final_adoption_pop": ("Final adoption, population-weighted", "%", "percent", "higher"),
    "gap_small_large": ("Adoption gap: large − small municipalities", "percentage points", "pp", "lower"),
    "pilot_to_scale_rate": ("Pilots scaled up", "% of finished pilots", "percent", "higher"),
    "share_no_adoption": ("Municipalities with no adoption", "% of municipalities", "percent", "lower"),
    "cost_per_extra_adoption_msek": ("Cost per extra adoption", "MSEK", "number", "lower"),
}
DEFAULT_OUTCOMES = tuple(OUTCOMES)
OPTIONAL_OUTCOMES = ("cost_per_extra_adoption_msek",)
SUMMARY_COLUMNS = ("scenario", "outcome", "mean", "ci95_low", "ci95_high")

ADOPTION_NOTE = ("Adoption share: organisations that have adopted, among those the innovation applies to "
                 "(all innovations: share of applicable organisation–innovation pairs).")


# ---------------------------------------------------------------------------------------------------------
# Figures and files


def styled(function: Callable) -> Callable:
    """Run ``function`` with the module's matplotlib style (rc parameters are read when artists are made)."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with matplotlib.rc_context(STYLE):
            return function(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    """A figure on an Agg canvas (no pyplot, so nothing global to close) with constrained layout."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as a PNG at :data:`DPI`, atomically (a file is either absent or complete)."""
    path = Path(path)
    return write_with(path, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight",
                                                    pad_inches=0.15, facecolor="white"))


def titles(fig: Figure, title: str, caption: str = "") -> None:
    """A bold title at the top left and a small grey caption under the figure (where it never overlaps)."""
    fig.suptitle(title, x=0.01, ha="left")
    if caption:
        width = max(60, int(fig.get_figwidth() * 15))  # characters of 8.5 pt text that fit the figure
        lines = [textwrap.fill(line, width) for line in caption.split("\n")]
        fig.text(0.01, -0.01, "\n".join(lines), ha="left", va="top", fontsize=8.5, color="0.35")


def caption_for(scenario: str, replications: int | None, *notes: str) -> str:
    parts = []
    if scenario:
        parts.append(f"Scenario: {scenario}")
    if replications is not None:
        parts.append(f"{replications} replication{'s' if replications != 1 else ''}")
    head = " · ".join(parts)
    return "\n".join(p for p in (head, *notes) if p)


ACRONYMS = {"ai", "it", "ict", "iot", "gis", "api", "ehr", "hr", "skr", "vr", "ar", "rpa"}


def pretty(name: str) -> str:
    """``digital_home_care`` -> ``Digital home care``; ``ai_casework`` -> ``AI casework``."""
    words = str(name).replace("_", " ").split()
    words = [w.upper() if w.lower() in ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def nice_locator(nbins: int | str = "auto") -> MaxNLocator:
    """Ticks at 1, 2 or 5 times a power of ten (never 2.5, which whole-percent labels would round)."""
    return MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10])


def percent_axis(ax, axis: str = "y") -> None:
    """Shares (0-1) shown as whole percentages."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(nice_locator())
    target.set_major_formatter(PercentFormatter(xmax=1, decimals=0))


def points_axis(ax, axis: str = "y") -> None:
    """Percentage points, signed (``+10``, ``0``, ``-5``)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(nice_locator())
    target.set_major_formatter(FuncFormatter(lambda v, _: signed(v, 0)))


def signed(value: float, decimals: int = 1) -> str:
    """``+3.5``, ``0``, ``−1.2`` (typographic minus, as matplotlib's own tick labels)."""
    text = f"{value:+.{decimals}f}"
    if float(text) == 0:
        return "0"
    return text.replace("-", "\u2212")


def year_axis(ax, years: Iterable[float]) -> None:
    years = np.asarray(list(years), dtype=float)
    ax.set_xlabel("Year")
    if len(years):
        ax.set_xlim(years.min(), years.max())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))


def share_limits(ax, *bands: pd.DataFrame) -> None:
    """Shares start at 0 (no exaggerated slopes) and end a little above the highest band, at most 100 %."""
    top = max((float(np.nanmax(b["high"])) for b in bands if len(b)), default=1.0)
    ax.set_ylim(0, min(1.0, top * 1.08 + 0.02) if np.isfinite(top) else 1.0)


# ---------------------------------------------------------------------------------------------------------
# Data: selection, mean and band, gap, pilot events


def with_replication(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``replication`` column (a single run's frame counts as replication 0)."""
    return frame if "replication" in frame.columns else frame.assign(replication=0)


def n_replications(frame: pd.DataFrame) -> int:
    return int(with_replication(frame)["replication"].nunique())


def select(timeseries: pd.DataFrame, innovation: str = "all", group_type: str = "overall",
           group: str | None = None) -> pd.DataFrame:
    """Rows of ``timeseries`` for one innovation (or ``all``) and group type (and optionally group)."""
    missing = {"innovation", "group_type", "group", "year"} - set(timeseries.columns)
    if missing:
        raise ValueError(f"timeseries lacks column(s) {sorted(missing)}")
    mask = (timeseries["innovation"] == innovation) & (timeseries["group_type"] == group_type)
    if group is not None:
        mask &= timeseries["group"] == group
    picked = with_replication(timeseries.loc[mask])
    if picked.empty:
        where = f"innovation={innovation!r}, group_type={group_type!r}" + (f", group={group!r}" if group else "")
        raise ValueError(f"timeseries has no rows for {where}")
    return picked


def mean_band(frame: pd.DataFrame, value: str, by: str | Sequence[str] = "year",
              percentiles: tuple[float, float] = BAND) -> pd.DataFrame:
    """Mean and percentile band of ``value`` across replications, for each value of ``by``.

    ``frame`` must hold one row per replication and ``by`` value (a single run needs no ``replication``
    column). Returns ``by`` columns plus ``mean``, ``low``, ``high`` (the given percentiles of the
    replications, linear interpolation as :func:`numpy.percentile`) and ``n`` (replications with a
    value), sorted by ``by``. Missing values are left out, not counted as zero.
    """
    keys = [by] if isinstance(by, str) else list(by)
    frame = with_replication(frame)
    missing = {value, *keys} - set(frame.columns)
    if missing:
        raise ValueError(f"cannot compute a band: column(s) {sorted(missing)} missing")
    duplicated = frame.duplicated(keys + ["replication"])
    if duplicated.any():
        example = frame.loc[duplicated, keys + ["replication"]].iloc[0].to_dict()
        raise ValueError(f"more than one row per replication and {keys} (e.g. {example}): select one "
                         "innovation and group first")
    grouped = frame.groupby(keys, sort=True)[value]
    lo, hi = percentiles
    out = pd.DataFrame({
        "mean": grouped.mean(),
        "low": grouped.quantile(lo / 100),
        "high": grouped.quantile(hi / 100),
        "n": grouped.count(),
    })
    return out.reset_index()


def gap_series(timeseries: pd.DataFrame, large: str = LARGE, small: str = SMALL, value: str = "adoption_share",
               innovation: str = "all") -> pd.DataFrame:
    """Per replication and year: ``value`` of the ``large`` size band minus that of the ``small`` one.

    Columns ``replication``, ``year``, ``gap`` (a share difference: 0.10 is 10 percentage points).
    """
    bands = select(timeseries, innovation, "size_band")
    present = set(bands["group"])
    for band in (large, small):
        if band not in present:
            raise ValueError(f"timeseries has no size band {band!r} (has {sorted(present)})")
    wide = bands[bands["group"].isin([large, small])].pivot(index=["replication", "year"], columns="group",
                                                           values=value)
    gap = (wide[large] - wide[small]).rename("gap")
    return gap.reset_index()


def calendar_year(frame: pd.DataFrame) -> pd.Series:
    """The calendar year in which each step's events happened (step t covers the quarter ending at ``year``)."""
    return np.floor(frame["year"].to_numpy() - 0.25 + 1e-9).astype(int)


def pilot_events_by_year(timeseries: pd.DataFrame, innovation: str = "all",
                         events: Sequence[str] = tuple(EVENT_COLORS)) -> pd.DataFrame:
    """Pilot events per calendar year: mean and band over replications of each replication's yearly sum.

    Step 0 is the starting state (no events). Returns ``event``, ``calendar_year``, ``mean``, ``low``,
    ``high``, ``n`` and ``quarters`` (quarters of that year simulated: 4 unless the horizon cuts it).
    """
    rows = select(timeseries, innovation, "overall")
    if "step" in rows.columns:
        rows = rows[rows["step"] > 0]
    rows = rows.assign(calendar_year=calendar_year(rows))
    quarters = rows.groupby("calendar_year")["year"].nunique().rename("quarters")
    yearly = rows.groupby(["replication", "calendar_year"], as_index=False)[list(events)].sum()
    frames = [mean_band(yearly, event, "calendar_year").assign(event=event) for event in events]
    out = pd.concat(frames, ignore_index=True).merge(quarters, on="calendar_year")
    return out[["event", "calendar_year", "mean", "low", "high", "n", "quarters"]]


def final_values(municipalities: pd.DataFrame, value: str = "adoption_share") -> pd.Series:
    """Mean over replications of each municipality's final ``value``, indexed by code."""
    if "code" not in municipalities.columns or value not in municipalities.columns:
        raise ValueError(f"municipalities needs columns 'code' and {value!r}")
    return municipalities.groupby("code")[value].mean()


# ---------------------------------------------------------------------------------------------------------
# Drawing helpers


def plot_band(ax, band: pd.DataFrame, color: str, label: str | None = None, x: str = "year",
              scale: float = 1.0, linestyle: str = "-", linewidth: float = 2.0, alpha: float = 0.18,
              zorder: float = 2, outline: bool = False) -> Line2D:
    """Draw a :func:`mean_band` result: the mean as a line and the band shaded in the same colour.

    ``outline`` also draws the band's edges as thin lines (used for a second band over a first one, so
    that overlapping shades stay readable).
    """
    if "n" in band.columns and band["n"].max() <= 1:  # one replication: nothing to shade
        outline = False
    else:
        ax.fill_between(band[x], band["low"] * scale, band["high"] * scale, color=color, alpha=alpha,
                        linewidth=0, zorder=zorder)
    if outline:
        for edge in ("low", "high"):
            ax.plot(band[x], band[edge] * scale, color=color, linewidth=0.7, alpha=0.7, linestyle=(0, (2, 2)),
                    zorder=zorder + 0.2)
    (line,) = ax.plot(band[x], band["mean"] * scale, color=color, linestyle=linestyle, linewidth=linewidth,
                      label=label, zorder=zorder + 0.5)
    return line


def band_handle(color: str = "0.5", alpha: float = 0.25) -> Patch:
    return Patch(facecolor=color, alpha=alpha, linewidth=0, label="95 % of runs")


def band_handles(replications: int, color: str = "0.5") -> list[Patch]:
    """The legend entry for the bands, if there are any (one replication has no spread to show)."""
    return [band_handle(color)] if replications >= 2 else []


def lines_text(replications: int, lines: str = "Lines") -> str:
    """How the lines and bands of a chart were computed, for its caption."""
    if replications >= 2:
        return f"{lines}: mean over replications; {BAND_TEXT}."
    return (f"{lines}: a single replication, so no band: one run shows none of the uncertainty; run more "
            "replications to see it.")


# ---------------------------------------------------------------------------------------------------------
# Scenario charts


@styled
def diffusion_chart(timeseries: pd.DataFrame, title: str = "") -> Figure:
    """Overall adoption over time (unweighted and population-weighted), and one small panel per innovation."""
    innovations = [i for i in pd.unique(timeseries["innovation"]) if i != "all"]
    reps = n_replications(timeseries)
    n = len(innovations)
    rows = 1 if n <= 1 else 2
    cols = math.ceil(n / rows)
    fig = new_figure(6.0 + 3.2 * cols, 6.4 if rows == 2 else 4.6)
    grid = fig.add_gridspec(rows, 1 + cols, width_ratios=[max(2.0, 1.2 * cols)] + [1.0] * cols)

    def panel(ax, innovation: str, main: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows_ = select(timeseries, innovation, "overall")
        plain = mean_band(rows_, "adoption_share")
        weighted = mean_band(rows_, "adoption_share_pop")
        plot_band(ax, plain, UNWEIGHTED_COLOR, "Share of organisations (unweighted)")
        plot_band(ax, weighted, POPULATION_COLOR, "Weighted by population served", linestyle="--",
                  alpha=0.07, linewidth=1.8 if main else 1.5, outline=True, zorder=1)
        percent_axis(ax)
        year_axis(ax, plain["year"])
        return plain, weighted

    main = fig.add_subplot(grid[:, 0])
    plain, weighted = panel(main, "all", main=True)
    share_limits(main, plain, weighted)
    main.set_title("All innovations", loc="left")
    main.set_ylabel("Adoption share (%)")
    handles, _ = main.get_legend_handles_labels()
    main.legend(handles=handles + band_handles(reps), loc="upper left")
    end = plain.iloc[-1]
    main.annotate(f"{end['mean']:.0%}", (end["year"], end["mean"]), xytext=(4, 0), textcoords="offset points",
                  va="center", fontsize=9, color=UNWEIGHTED_COLOR, fontweight="bold", annotation_clip=False)
    endw = weighted.iloc[-1]
    main.annotate(f"{endw['mean']:.0%}", (endw["year"], endw["mean"]), xytext=(4, 0),
                  textcoords="offset points", va="center", fontsize=9, color=POPULATION_COLOR,
                  fontweight="bold", annotation_clip=False)

    first = None
    panels = []
    for k, innovation in enumerate(innovations):
        ax = fig.add_subplot(grid[k // cols, 1 + k % cols], sharey=first, sharex=first)
        first = first or ax
        bands = panel(ax, innovation, main=False)
        panels.append((ax, bands))
        ax.set_title(pretty(innovation), loc="left", fontsize=10)
        if k % cols != 0:
            ax.tick_params(labelleft=False)
        if k + cols < n:  # another panel below: its year axis serves both
            ax.set_xlabel("")
            ax.tick_params(labelbottom=False)
    if panels:
        share_limits(first, *[b for _, bands in panels for b in bands])
    for k in range(n, rows * cols):  # empty cells of the grid
        fig.add_subplot(grid[k // cols, 1 + k % cols]).set_visible(False)

    titles(fig, "Adoption of innovations over time",
           caption_for(title, reps, lines_text(reps), ADOPTION_NOTE))
    return fig


@styled
def size_band_chart(timeseries: pd.DataFrame, municipalities: pd.DataFrame | None = None,
                    title: str = "") -> Figure:
    """Adoption (all innovations) in municipalities of each size band, smallest to largest."""
    rows = select(timeseries, "all", "size_band")
    present = list(pd.unique(rows["group"]))
    order = [b for b in SIZE_BANDS if b in present] + [b for b in present if b not in SIZE_BANDS]
    counts = {}
    if municipalities is not None and "size_band" in municipalities.columns:
        one = with_replication(municipalities)
        one = one[one["replication"] == one["replication"].iloc[0]] if len(one) else one
        counts = one["size_band"].value_counts().to_dict()
    fig = new_figure(9.5, 5.2)
    ax = fig.add_subplot()
    bands = []
    extra = iter(OKABE_ITO)
    for group in order:
        band = mean_band(rows[rows["group"] == group], "adoption_share")
        bands.append(band)
        label = SIZE_BAND_LABELS.get(group, group)
        if group in counts:
            label += f"  (n = {counts[group]})"
        color = SIZE_BAND_COLORS.get(group) or next(extra)
        plot_band(ax, band, color, label, alpha=0.09)
    percent_axis(ax)
    year_axis(ax, bands[0]["year"])
    share_limits(ax, *bands)
    ax.set_ylabel("Adoption share, all innovations (%)")
    handles, _ = ax.get_legend_handles_labels()
    reps = n_replications(rows)
    ax.legend(handles=handles + band_handles(reps), title="Municipality size (inhabitants)", loc="upper left",
              bbox_to_anchor=(1.01, 1.0), alignment="left")
    titles(fig, "Adoption by municipality size",
           caption_for(title, reps, lines_text(reps),
                       "Adoption share: share of applicable municipality–innovation pairs adopted."))
    return fig


@styled
def gap_chart(timeseries: pd.DataFrame, title: str = "", large: str = LARGE, small: str = SMALL) -> Figure:
    """The adoption gap between the largest and the smallest municipalities over time, in percentage points."""
    gaps = gap_series(timeseries, large, small)
    band = mean_band(gaps, "gap")
    fig = new_figure(9.5, 5.0)
    ax = fig.add_subplot()
    ax.axhline(0, color="0.4", linewidth=0.9, zorder=1)
    plot_band(ax, band, GAP_COLOR, "Mean gap", scale=100.0, alpha=0.22)
    year_axis(ax, band["year"])
    points_axis(ax)
    ax.set_ylabel("Gap (percentage points)")
    end = band.iloc[-1]
    reps = n_replications(gaps)
    spread = (f"\n95 % of runs:\n{signed(end['low'] * 100, 0)} to {signed(end['high'] * 100, 0)} pp"
              if reps >= 2 else "")
    ax.annotate(f"{signed(end['mean'] * 100, 0)} pp{spread}", (end["year"], end["mean"] * 100), xytext=(6, 0),
                textcoords="offset points", ha="left", va="center", fontsize=9, color="0.2",
                annotation_clip=False)
    lo, hi = np.nanmin(band["low"]) * 100, np.nanmax(band["high"]) * 100
    span = max(hi - lo, 5)
    ax.set_ylim(min(lo, 0) - 0.08 * span, max(hi, 0) + 0.08 * span)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + band_handles(reps, GAP_COLOR), loc="upper left")
    label_large, label_small = SIZE_BAND_LABELS.get(large, large), SIZE_BAND_LABELS.get(small, small)
    titles(fig, f"Adoption gap: large ({label_large}) minus small ({label_small}) municipalities",
           caption_for(title, reps, "Gap computed per replication. " + lines_text(reps, "Line"),
                       "Above 0: large municipalities have adopted a larger share of applicable innovations."))
    return fig


@styled
def pilots_chart(timeseries: pd.DataFrame, title: str = "") -> Figure:
    """The pilot swamp: pilots started, scaled and stalled per year, and the stock in pilot or stalled."""
    events = pilot_events_by_year(timeseries)
    rows = select(timeseries, "all", "overall")
    reps = n_replications(rows)
    years = sorted(events["calendar_year"].unique())
    fig = new_figure(13.0, 5.2)
    grid = fig.add_gridspec(1, 2, width_ratios=[1.45, 1.0])
    ax = fig.add_subplot(grid[0, 0])
    width = 0.8 / len(EVENT_COLORS)
    x = np.arange(len(years))
    for j, event in enumerate(EVENT_COLORS):
        e = events[events["event"] == event].set_index("calendar_year").reindex(years)
        offset = (j - (len(EVENT_COLORS) - 1) / 2) * width
        err = np.vstack([e["mean"] - e["low"], e["high"] - e["mean"]]) if reps >= 2 else None
        ax.bar(x + offset, e["mean"], width * 0.95, color=EVENT_COLORS[event], label=EVENT_LABELS[event],
               yerr=err, error_kw=dict(ecolor="0.25", elinewidth=0.8, capsize=1.5), zorder=2)
    quarters = events.drop_duplicates("calendar_year").set_index("calendar_year")["quarters"].reindex(years)
    ax.set_xticks(x, [f"{y}" if q >= 4 else f"{y}*" for y, q in zip(years, quarters)])
    ax.set_xlabel("Year")
    ax.set_ylabel("Pilots per year" + (" (mean over replications)" if reps >= 2 else ""))
    ax.grid(axis="x", visible=False)
    ax.set_title("Pilot events per year", loc="left")
    ax.legend(loc="upper left", ncols=3)
    top = np.nanmax(events["high"]) if len(events) else 1
    ax.set_ylim(0, top * 1.18 + 1)

    stock = fig.add_subplot(grid[0, 1])
    bands = []
    for column, color in (("piloting_share", EVENT_COLORS["pilots_started"]),
                          ("stalled_share", EVENT_COLORS["pilots_stalled"])):
        band = mean_band(rows, column)
        bands.append(band)
        plot_band(stock, band, color, STOCK_LABELS[column])
    percent_axis(stock)
    year_axis(stock, bands[0]["year"])
    share_limits(stock, *bands)
    stock.set_ylabel("Share of organisation–innovation pairs (%)")
    stock.set_title("Currently in pilot or stalled", loc="left")
    handles, _ = stock.get_legend_handles_labels()
    stock.legend(handles=handles + band_handles(reps), loc="upper left")
    bars = ("Bars: mean over replications of pilots per calendar year (all organisations and innovations); "
            "whiskers: 2.5th–97.5th percentile of replications." if reps >= 2 else
            "Bars: pilots per calendar year in the single replication (all organisations and innovations).")
    if (quarters < 4).any():
        bars += " * Part of the year only (the horizon ends within it)."
    titles(fig, "Pilots: how many start, scale up or stall",
           caption_for(title, reps, bars, lines_text(reps, "Right")))
    return fig


# ---------------------------------------------------------------------------------------------------------
# Map


@lru_cache(maxsize=1)
def map_shapes() -> tuple[tuple[str, ...], tuple[str, ...], tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """The 290 municipalities as (codes, names, vertices, path codes): one compound path per municipality.

    Longitude is scaled by cos(62°) so that equal axis units give Sweden roughly its true shape. Outer
    rings run counter-clockwise and holes clockwise, so holes (enclaves, large lakes) stay unfilled.
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


@styled
def adoption_map(values_by_code: Mapping[Any, float] | pd.Series, ax=None, title: str = "",
                 cmap: str | Any = MAP_CMAP, vmin: float | None = None, vmax: float | None = None,
                 colorbar_label: str = "Adoption share (%)", percent: bool = True,
                 colorbar: bool = True, stockholm_inset: bool = True) -> Figure:
    """Sweden's 290 municipalities coloured by ``values_by_code`` (municipality code -> value).

    Draws one :class:`~matplotlib.collections.PolyCollection` (gid ``"municipalities"``) with one
    compound path per municipality, in the order of the map data; its colour array holds the values.
    Municipalities without a value are grey (and listed as "no data"). ``vmin``/``vmax`` default to the
    data range; ``percent`` formats the colour bar as percentages of 1. Draws on ``ax`` if given, else on
    a new figure; returns the figure. ``stockholm_inset`` adds a zoom on Stockholm county, whose 26
    municipalities are too small to see on the whole country.
    """
    values = pd.Series(values_by_code, dtype=float) if not isinstance(values_by_code, pd.Series) \
        else values_by_code.astype(float)
    values.index = [normalise_code(c) for c in values.index]
    if values.index.duplicated().any():
        raise ValueError(f"duplicate municipality codes: {sorted(set(values.index[values.index.duplicated()]))}")
    codes, _, verts, kinds = map_shapes()
    unknown = sorted(set(values.index) - set(codes))
    if unknown:
        raise ValueError(f"{len(unknown)} code(s) are not municipalities on the map: {unknown[:8]}")
    data = np.ma.masked_invalid(values.reindex(list(codes)).to_numpy(dtype=float))

    if ax is None:
        fig = new_figure(6.3, 9.0)
        ax = fig.add_subplot()
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
        inset.set_title("Stockholm county", fontsize=8, fontweight="normal", loc="left", pad=2)
        for spine in inset.spines.values():
            spine.set_edgecolor("0.55")
            spine.set_linewidth(0.7)
            spine.set_visible(True)
        ax.indicate_inset_zoom(inset, edgecolor="0.45", linewidth=0.7, alpha=0.9)
    if title:
        ax.set_title(title, loc="left")
    if colorbar:
        bar = fig.colorbar(collection, ax=ax, shrink=0.55, aspect=25, pad=0.02)
        bar.set_label(colorbar_label)
        if percent:
            bar.formatter = PercentFormatter(xmax=1, decimals=0)
            bar.update_ticks()
        bar.outline.set_visible(False)
    if data.mask.any():
        ax.legend(handles=[Patch(facecolor=NO_DATA_COLOR, label=f"no data ({int(data.mask.sum())})")],
                  loc="lower right", fontsize=8)
    return fig


@styled
def map_chart(municipalities: pd.DataFrame, title: str = "", end_year: float | None = None) -> Figure:
    """The mean final adoption share of each municipality across replications, as a map."""
    values = final_values(municipalities)
    fig = new_figure(6.3, 9.0)
    ax = fig.add_subplot()
    adoption_map(values, ax=ax, vmin=0.0, vmax=1.0, colorbar_label="Final adoption share (%)")
    when = f" in {end_year:g}" if end_year is not None else ""
    reps = n_replications(municipalities)
    titles(fig, f"Adoption by municipality{when}",
           caption_for(title, reps, "Colour: each municipality's share of applicable innovations adopted at "
                       "the end,\naveraged over replications (a share, not a probability).")
           + f"\nAcross municipalities: median {values.median():.0%}, lowest {values.min():.0%}, "
           f"highest {values.max():.0%}.")
    return fig


# ---------------------------------------------------------------------------------------------------------
# Map over time (an animated GIF)


def municipality_adoption_over_time(outcomes: Any, every: int = 1) -> pd.DataFrame:
    """Each municipality's share of applicable innovations adopted, per quarter, mean over the given runs.

    ``outcomes`` is one :class:`~model.outcomes.collect.Outcomes` or a sequence of them (replications of one
    scenario); ``every`` keeps every n-th quarter (the first and last are always kept). Columns ``code``,
    ``year``, ``adoption_share``, ``replications``. The written results hold only the final state of each
    municipality, so this needs the runs themselves (``model.run`` / ``model.replicate``).
    """
    from .stages import ADOPTED
    from .world.organisations import MUNICIPALITY

    runs = list(outcomes) if isinstance(outcomes, (list, tuple)) else [outcomes]
    if not runs:
        raise ValueError("no runs given")
    orgs = runs[0].orgs
    muni = np.flatnonzero(orgs.kind == MUNICIPALITY)
    steps = min(o.stage_history.shape[0] for o in runs)
    picks = sorted(set(range(0, steps, max(1, int(every)))) | {steps - 1})
    total = np.zeros((len(picks), len(muni)))
    for o in runs:
        applicable = o.applicable[muni]
        adopted = ((o.stage_history[picks][:, muni] == ADOPTED) & applicable).sum(2)
        n = applicable.sum(1)
        total += np.divide(adopted, n, out=np.zeros(adopted.shape), where=n > 0)
    codes = [orgs.code[i] for i in muni]
    return pd.DataFrame({
        "code": np.tile(codes, len(picks)),
        "year": np.repeat(runs[0].start_year + np.asarray(picks) / 4, len(muni)),
        "adoption_share": (total / len(runs)).ravel(),
        "replications": len(runs),
    })


def adoption_map_animation(shares: pd.DataFrame, path: str | Path, title: str = "", fps: float = 4,
                           hold_last: int = 6, stockholm_inset: bool = True) -> Path:
    """Write an animated GIF of the adoption map over time (Pillow, which matplotlib depends on).

    ``shares`` has columns ``code``, ``year`` and ``adoption_share`` (e.g. from
    :func:`municipality_adoption_over_time`); one frame per year value, the last held for ``hold_last``
    extra frames. Colours run from 0 to 100 % so frames compare. Returns ``path``.
    """
    from matplotlib.animation import FuncAnimation, PillowWriter

    missing = {"code", "year", "adoption_share"} - set(shares.columns)
    if missing:
        raise ValueError(f"shares lacks column(s) {sorted(missing)}")
    years = sorted(pd.unique(shares["year"]))
    if not years:
        raise ValueError("shares is empty")
    by_year = {y: shares.loc[shares["year"] == y].set_index("code")["adoption_share"] for y in years}
    codes = list(map_shapes()[0])

    def values(year) -> np.ma.MaskedArray:
        series = by_year[year].copy()
        series.index = [normalise_code(c) for c in series.index]
        return np.ma.masked_invalid(series.reindex(codes).to_numpy(dtype=float))

    with matplotlib.rc_context(STYLE):
        fig = new_figure(6.3, 9.0)
        ax = fig.add_subplot()
        adoption_map(by_year[years[0]], ax=ax, vmin=0.0, vmax=1.0, colorbar_label="Adoption share (%)",
                     stockholm_inset=stockholm_inset)
        runs = int(shares["replications"].iloc[0]) if "replications" in shares.columns else None
        fig.suptitle(title or "Adoption by municipality", x=0.01, ha="left")
        # the caption goes inside the figure (an animation is saved without a tight bounding box)
        fig.supxlabel(caption_for("", runs, "Colour: each municipality's share of applicable innovations "
                                  "adopted" + (",\naveraged over replications." if runs and runs > 1 else ".")),
                      x=0.01, ha="left", fontsize=8.5, color="0.35")
        stamp = ax.text(0.03, 0.97, "", transform=ax.transAxes, ha="left", va="top", fontsize=16,
                        fontweight="bold", color="0.2")
        collections = fig.findobj(lambda a: isinstance(a, PolyCollection) and a.get_gid() == "municipalities")
        fig.get_layout_engine().set(w_pad=0.1, h_pad=0.1)
        fig.canvas.draw()
        fig.set_layout_engine("none")  # freeze the layout: frames must not jump
        frames = list(years) + [years[-1]] * max(0, int(hold_last))

        def update(year):
            data = values(year)
            for collection in collections:
                collection.set_array(data)
            stamp.set_text(quarter_label(year))
            return [*collections, stamp]

        animation = FuncAnimation(fig, update, frames=frames, blit=False)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.partial{path.suffix or '.gif'}")
        try:
            animation.save(partial, writer=PillowWriter(fps=fps), dpi=100)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return path


def quarter_label(year: float) -> str:
    """``2027.0`` -> ``2027``, ``2027.5`` -> ``2027 Q3`` (the quarter that starts then)."""
    whole = math.floor(year + 1e-9)
    quarter = int(round((year - whole) * 4))
    return f"{whole}" if quarter == 0 else f"{whole} Q{quarter + 1}"


# ---------------------------------------------------------------------------------------------------------
# Writing a scenario's charts


def scenario_charts(timeseries: pd.DataFrame, municipalities: pd.DataFrame, out: Path,
                    title: str = "") -> list[Path]:
    """Write the standard charts of one scenario's replications into ``out`` and return their paths.

    ``diffusion.png``, ``diffusion_by_size_band.png``, ``gap_small_large.png``, ``pilots.png`` and
    ``map.png``; ``title`` (the scenario name) goes in each chart's caption. A chart the data cannot
    support (e.g. no municipality size bands when no innovation applies to municipalities) is skipped with
    a warning, so that a finished run is never lost to a chart.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    end_year = float(timeseries["year"].max()) if len(timeseries) else None
    charts = {
        "diffusion.png": lambda: diffusion_chart(timeseries, title),
        "diffusion_by_size_band.png": lambda: size_band_chart(timeseries, municipalities, title),
        "gap_small_large.png": lambda: gap_chart(timeseries, title),
        "pilots.png": lambda: pilots_chart(timeseries, title),
        "map.png": lambda: map_chart(municipalities, title, end_year),
    }
    written = []
    for name, make in charts.items():
        try:
            written.append(save(make(), out / name))
        except ValueError as error:
            warnings.warn(f"chart {name} skipped: {error}", stacklevel=2)
    return written


# ---------------------------------------------------------------------------------------------------------
# Comparing scenarios


def scenario_order(names: Iterable[str], baseline: str) -> list[str]:
    names = list(dict.fromkeys(names))
    return [baseline] + [n for n in names if n != baseline]


def scenario_colors(names: Sequence[str], baseline: str) -> dict[str, str]:
    """Baseline in dark grey, the others in Okabe–Ito colours (then tab10), in order."""
    palette = [c for c in OKABE_ITO if c not in ("#000000", "#F0E442")]
    palette += [matplotlib.colors.to_hex(c) for c in matplotlib.colormaps["tab10"].colors]
    others = [n for n in names if n != baseline]
    colors = {baseline: BASELINE_COLOR}
    colors.update({n: palette[i % len(palette)] for i, n in enumerate(others)})
    return colors


def check_baseline(baseline: str, scenarios: Iterable[str]) -> None:
    scenarios = list(scenarios)
    if baseline not in scenarios:
        raise ValueError(f"baseline scenario {baseline!r} is not among the scenarios: "
                         f"{', '.join(repr(s) for s in scenarios) or 'none'}")


def replications_text(counts: Mapping[str, int]) -> str:
    values = set(counts.values())
    if len(values) == 1:
        return f"{values.pop()} replications per scenario."
    return "Replications: " + ", ".join(f"{n}: {c}" for n, c in counts.items()) + "."


def baseline_label(name: str, baseline: str) -> str:
    return f"{name} (baseline)" if name == baseline and "baseline" not in name.lower() else name


def _scenario_lines(ax, bands: dict[str, pd.DataFrame], baseline: str, replications: int,
                    scale: float = 1.0) -> None:
    """One mean line and band per scenario; the baseline's band as a faint fill with dotted edges."""
    colors = scenario_colors(list(bands), baseline)
    lines = {}
    for name in reversed(list(bands)):  # baseline drawn last, on top
        is_base = name == baseline
        lines[name] = plot_band(ax, bands[name], colors[name], baseline_label(name, baseline), scale=scale,
                                linewidth=2.6 if is_base else 1.9,
                                alpha=0.06 if is_base else (0.10 if len(bands) > 3 else 0.15),
                                outline=is_base, zorder=3 if is_base else 2)
    handles = [lines[name] for name in bands]
    extra = band_handles(replications)
    ax.legend(handles + extra, [h.get_label() for h in handles + extra],
              title="Scenario", loc="upper left", bbox_to_anchor=(1.01, 1.0), alignment="left")


@styled
def comparison_diffusion_chart(timeseries_by_scenario: Mapping[str, pd.DataFrame], baseline: str,
                               title: str = "Adoption over time, by scenario") -> Figure:
    check_baseline(baseline, timeseries_by_scenario)
    names = scenario_order(timeseries_by_scenario, baseline)
    bands = {n: mean_band(select(timeseries_by_scenario[n], "all", "overall"), "adoption_share") for n in names}
    fig = new_figure(10.0, 5.4)
    ax = fig.add_subplot()
    counts = {n: n_replications(timeseries_by_scenario[n]) for n in names}
    _scenario_lines(ax, bands, baseline, min(counts.values()))
    percent_axis(ax)
    year_axis(ax, bands[baseline]["year"])
    share_limits(ax, *bands.values())
    ax.set_ylabel("Adoption share, all innovations (%)")
    titles(fig, title, f"{replications_text(counts)}\n{lines_text(min(counts.values()))}\n{ADOPTION_NOTE}")
    return fig


@styled
def comparison_gap_chart(timeseries_by_scenario: Mapping[str, pd.DataFrame], baseline: str,
                         title: str = "Adoption gap between large and small municipalities, by scenario"
                         ) -> Figure:
    check_baseline(baseline, timeseries_by_scenario)
    names = scenario_order(timeseries_by_scenario, baseline)
    bands = {n: mean_band(gap_series(timeseries_by_scenario[n]), "gap") for n in names}
    fig = new_figure(10.0, 5.4)
    ax = fig.add_subplot()
    ax.axhline(0, color="0.4", linewidth=0.9, zorder=1)
    counts = {n: n_replications(timeseries_by_scenario[n]) for n in names}
    _scenario_lines(ax, bands, baseline, min(counts.values()), scale=100.0)
    year_axis(ax, bands[baseline]["year"])
    points_axis(ax)
    ax.set_ylabel(f"Gap: {SIZE_BAND_LABELS[LARGE]} minus {SIZE_BAND_LABELS[SMALL]}\n(percentage points)")
    titles(fig, title, f"{replications_text(counts)}\nGap = adoption share of municipalities with over 100 000 "
           "inhabitants minus that of those under 10 000, computed per replication. "
           + lines_text(min(counts.values())))
    return fig


def _format_value(value: float, kind: str) -> str:
    if not np.isfinite(value):
        return "n/a"
    if kind == "percent":
        return f"{value:.1%}"
    if kind == "pp":
        return f"{signed(value * 100)} pp"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"


def _outcome_table(summaries: pd.DataFrame, baseline: str, outcomes: Sequence[str] | None,
                   scenarios: Sequence[str] | None, columns: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Check ``summaries``; return the scenario order, the outcomes to show and those asked for but absent."""
    missing = set(columns) - set(summaries.columns)
    if missing:
        raise ValueError(f"summaries lacks column(s) {sorted(missing)}; needs {list(columns)}")
    listed = list(scenarios) if scenarios is not None else list(pd.unique(summaries["scenario"]))
    check_baseline(baseline, listed)
    names = scenario_order(listed, baseline)
    names += [s for s in pd.unique(summaries["scenario"]) if s not in names]
    wanted = list(outcomes) if outcomes is not None else list(DEFAULT_OUTCOMES)
    present = set(summaries["outcome"])
    shown = [o for o in wanted if o in present]
    absent = [o for o in wanted if o not in present and (outcomes is not None or o not in OPTIONAL_OUTCOMES)]
    if not shown:
        raise ValueError(f"summaries has none of the outcomes {wanted}")
    return names, shown, absent


def _outcome_panels(summaries: pd.DataFrame, names: Sequence[str], shown: Sequence[str], baseline: str,
                    columns: Sequence[str], difference: bool) -> Figure:
    """One panel per outcome, one row per scenario: a point with its interval (``columns``: value, low, high).

    ``difference``: values are differences to the baseline (shares become percentage points, the reference
    line is zero); otherwise levels, with the baseline's value as the reference line.
    """
    colors = scenario_colors(list(names), baseline)
    ncols = min(3, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    height = max(2.4, 0.42 * len(names) + 1.3)
    fig = new_figure(4.6 * ncols + 1.2, height * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    y = np.arange(len(names))[::-1]  # first scenario (the baseline) on top
    value_col, low_col, high_col = columns
    for k, outcome in enumerate(shown):
        ax = axes[k // ncols][k % ncols]
        name_, unit, kind, better = OUTCOMES.get(outcome, (pretty(outcome), "", "number", ""))
        if difference:
            kind = "pp" if kind in ("percent", "pp") else kind
            unit = "difference, percentage points" if kind == "pp" else f"difference{', ' + unit if unit else ''}"
        label = f"{name_}\n({unit})" if unit else name_
        table = summaries[summaries["outcome"] == outcome].drop_duplicates("scenario", keep="last")
        table = table.set_index("scenario").reindex(list(names))
        scale = 100.0 if kind == "pp" else 1.0
        value, low, high = (table[c].to_numpy(dtype=float) * scale for c in columns)
        for i, name in enumerate(names):
            if not np.isfinite(value[i]):
                ax.text(0.02, y[i], "n/a", transform=ax.get_yaxis_transform(), va="center", fontsize=8,
                        color="0.5")
                continue
            has_ci = np.isfinite(low[i]) and np.isfinite(high[i])
            err = [[max(value[i] - low[i], 0)], [max(high[i] - value[i], 0)]] if has_ci else None
            ax.errorbar(value[i], y[i], xerr=err, fmt="o" if has_ci else "D", color=colors[name],
                        ecolor=colors[name], markersize=7 if name == baseline else 6, elinewidth=1.6, capsize=3,
                        zorder=3, mfc=colors[name] if has_ci else "white", mew=1.5)
            ax.annotate(_format_value(value[i] / scale, "pp" if kind == "pp" else kind), (value[i], y[i]),
                        xytext=(0, 7), textcoords="offset points", ha="center", va="bottom", fontsize=8,
                        color="0.25",
                        bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
        reference = 0.0 if difference else value[list(names).index(baseline)]
        if np.isfinite(reference):
            ax.axvline(reference, color=BASELINE_COLOR, linestyle=":" if not difference else "-",
                       linewidth=1.0, zorder=1)
        ax.set_yticks(y, list(names) if k % ncols == 0 else [""] * len(names))
        for tick, name in zip(ax.get_yticklabels(), names):
            tick.set_fontweight("bold" if name == baseline else "normal")
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.grid(axis="y", visible=False)
        ax.set_title(label, loc="left", fontsize=9.5)
        if better:
            ax.set_xlabel(f"{better} is better {'→' if better == 'higher' else '←'}", fontsize=8.5, color="0.4")
        if kind == "percent":
            percent_axis(ax, "x")
        elif kind == "pp":
            points_axis(ax, "x")
        else:
            ax.xaxis.set_major_locator(nice_locator())
        finite = np.concatenate([v[np.isfinite(v)] for v in (value, low, high)] + ([[0.0]] if difference else []))
        if finite.size:
            lo, hi = finite.min(), finite.max()
            if kind == "number" and lo >= 0:  # costs and counts: from zero
                ax.set_xlim(0, hi * 1.15 if hi > 0 else 1.0)
            else:
                pad = 0.12 * (hi - lo) if hi > lo else max(abs(hi) * 0.1, 0.01)
                ax.set_xlim(lo - pad, hi + pad)
    for k in range(len(shown), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    return fig


def _no_interval_note(summaries: pd.DataFrame, shown: Sequence[str], names: Sequence[str],
                      columns: Sequence[str]) -> str:
    rows = summaries[summaries["outcome"].isin(shown) & summaries["scenario"].isin(names)]
    value, low, high = columns
    bare = rows[rows[value].notna() & (rows[low].isna() | rows[high].isna())]
    if bare.empty:
        return ""
    which = ", ".join(OUTCOMES.get(o, (pretty(o),))[0].lower() for o in sorted(set(bare["outcome"])))
    return f"Open diamonds: no interval available ({which})."


@styled
def comparison_outcomes_chart(summaries: pd.DataFrame, baseline: str, outcomes: Sequence[str] | None = None,
                              scenarios: Sequence[str] | None = None,
                              title: str = "Outcomes by scenario") -> Figure:
    """One panel per outcome: each scenario's mean with its 95 % confidence interval, baseline marked."""
    names, shown, absent = _outcome_table(summaries, baseline, outcomes, scenarios, SUMMARY_COLUMNS)
    columns = ("mean", "ci95_low", "ci95_high")
    fig = _outcome_panels(summaries, names, shown, baseline, columns, difference=False)
    notes = ["Points: mean over replications; bars: 95 % confidence interval of the mean. Dotted line: "
             "baseline.", _no_interval_note(summaries, shown, names, columns)]
    if absent:
        notes.append(f"Not in the summaries: {', '.join(absent)}.")
    titles(fig, title, "\n".join(n for n in notes if n))
    return fig


@styled
def comparison_differences_chart(summaries: pd.DataFrame, baseline: str, outcomes: Sequence[str] | None = None,
                                 scenarios: Sequence[str] | None = None,
                                 title: str = "") -> Figure:
    """Each scenario's paired difference to the baseline with its 95 % confidence interval, per outcome.

    Needs the columns ``diff_vs_baseline``, ``diff_ci95_low`` and ``diff_ci95_high`` (as
    :func:`model.compare.comparison_table` writes them). Replications are paired on common random numbers,
    so these intervals are narrower than the separate means' and are the ones to judge a difference by.
    """
    columns = ("diff_vs_baseline", "diff_ci95_low", "diff_ci95_high")
    names, shown, absent = _outcome_table(summaries, baseline, outcomes, scenarios, ("scenario", "outcome",
                                                                                    *columns))
    usable = summaries[summaries["outcome"].isin(shown)].groupby("outcome")[columns[0]].apply(
        lambda v: v.notna().any())
    shown = [o for o in shown if usable.get(o, False)]
    if not shown:
        raise ValueError("summaries has no differences to the baseline for the outcomes asked for")
    others = [n for n in names if n != baseline]
    fig = _outcome_panels(summaries, others or names, shown, baseline, columns, difference=True)
    notes = ["Points: mean over replications of the difference to the baseline in the same replication (common "
             "random numbers); bars: 95 % confidence interval. A bar that crosses the line at 0 is a difference "
             "the replications cannot tell from none.", _no_interval_note(summaries, shown, others, columns)]
    default = ("Difference from the baseline" + ("" if baseline.lower() == "baseline" else f" ({baseline})")
               + ", by scenario")
    titles(fig, title or default, "\n".join(n for n in notes if n))
    return fig


def comparison_charts(timeseries_by_scenario: Mapping[str, pd.DataFrame], summaries: pd.DataFrame, out: Path,
                      baseline: str, outcomes: Sequence[str] | None = None) -> list[Path]:
    """Write the charts comparing a portfolio of scenarios into ``out`` and return their paths.

    ``comparison_diffusion.png`` (overall adoption over time per scenario), ``comparison_outcomes.png``
    (selected outcomes with 95 % confidence intervals, from ``summaries``: columns ``scenario``,
    ``outcome``, ``mean``, ``ci95_low``, ``ci95_high``) and ``comparison_gap.png`` (the small–large gap
    over time); and, when ``summaries`` has the paired differences of :func:`model.compare.comparison_table`
    (``diff_vs_baseline``, ``diff_ci95_low``, ``diff_ci95_high``), ``comparison_differences.png``.
    ``baseline`` must be one of the scenarios (a ValueError names it otherwise).
    """
    check_baseline(baseline, timeseries_by_scenario)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = scenario_order(timeseries_by_scenario, baseline)
    charts = {
        "comparison_diffusion.png": lambda: comparison_diffusion_chart(timeseries_by_scenario, baseline),
        "comparison_outcomes.png": lambda: comparison_outcomes_chart(summaries, baseline, outcomes, names),
        "comparison_gap.png": lambda: comparison_gap_chart(timeseries_by_scenario, baseline),
    }
    if {"diff_vs_baseline", "diff_ci95_low", "diff_ci95_high"} <= set(summaries.columns) and len(names) > 1:
        charts["comparison_differences.png"] = lambda: comparison_differences_chart(summaries, baseline, outcomes,
                                                                                     names)
    return [save(make(), out / name) for name, make in charts.items()]
