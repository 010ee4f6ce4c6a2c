"""The one look of every chart: style, colours, figures and files, titles and captions, axes and labels.

Every chart is a :class:`~matplotlib.figure.Figure` on an Agg canvas, made by :func:`new_figure` and
written by :func:`save`; pyplot is never imported, so charts work headless and in worker processes and
never change a notebook's backend or leave figures open. Chart functions are wrapped in :func:`styled`,
which applies :data:`STYLE` while their artists are made.

Text a user chose (scenario, innovation and factor names, titles) goes through :func:`literal` where it
enters an artist, so that a ``$`` in it is drawn as a dollar sign and not read as mathtext.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, MaxNLocator

from ..outcomes.catalogue import ScalarOutcome, outcome
from ..results import write_with
from ..world.organisations import SIZE_BANDS
from .language import replications_count, speaking, spoken, tr
from .numbers import THIN, quantity

DPI = 150

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

# Okabe–Ito colours stay distinguishable with the common colour-vision deficiencies; each role keeps its
# colour in every chart.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442")
# Paul Tol's "muted" scheme: nine colours that stay apart for colour-blind readers, for more series than
# Okabe–Ito's six usable colours hold; past nine, line styles repeat the colours distinguishably
TOL_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
LINESTYLES = ("-", "--", "-.", ":")
PROGRAMME_COLOR = "#e8e4d8"
UNWEIGHTED_COLOR = "#0072B2"
POPULATION_COLOR = "#D55E00"
GAP_COLOR = "#A0457E"
BASELINE_COLOR = "#3a3a3a"
FIRST_ORDER_COLOR = "#0072B2"
TOTAL_ORDER_COLOR = "#E69F00"
EVENT_COLORS = {"pilots_started": "#0072B2", "pilots_scaled": "#009E73", "pilots_stalled": "#D55E00"}
SIZE_BAND_COLORS = dict(zip(SIZE_BANDS, ("#f89540", "#e16462", "#b12a90", "#6a00a8", "#0d0887")))  # plasma
SIZE_BAND_LABELS = {"<10k": "under 10 000", "10-20k": "10 000–20 000", "20-50k": "20 000–50 000",
                    "50-100k": "50 000–100 000", ">100k": "over 100 000"}
MAP_CMAP = "YlGnBu"
NO_DATA_COLOR = "#d9d9d9"
EDGE_COLOR = "#8c8c8c"
CAPTION_COLOR = "0.35"
CAPTION_SIZE = 8.5

ADOPTION_NOTE = ("Adoption share: organisations that have adopted, among those the innovation applies to "
                 "(all innovations: share of applicable organisation–innovation pairs).")


# ---------------------------------------------------------------------------------------------------------
# Figures and files


def styled(function: Callable) -> Callable:
    """Run ``function`` with :data:`STYLE` (rc parameters are read when artists are made, not when drawn)
    and in its ``lang`` argument's language (:func:`~model.charts.language.speaking`: tick labels with a
    decimal comma in Swedish); without one, in the language of the chart it is drawn for (a map drawn
    inside a Swedish chart speaks Swedish)."""

    import inspect

    signature = inspect.signature(function)

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            lang = signature.bind_partial(*args, **kwargs).arguments.get("lang") or spoken()
        except TypeError:
            lang = spoken()
        with matplotlib.rc_context(STYLE), speaking(lang if isinstance(lang, str) else "en"):
            return function(*args, **kwargs)

    return wrapper


def new_figure(width: float, height: float) -> Figure:
    """A ``width`` × ``height`` inch figure on its own Agg canvas, with constrained layout.

    Nothing global refers to it, so it is freed like any object once the caller drops it.
    """
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


#: the height of an axes' title (axes coordinates) where nothing is drawn above the axes (no ticks, tick
#: labels or offset text at its top: the scenario charts and maps): where matplotlib would place it, given
#: outright (``set_title(..., y=TITLE_Y)``), since placing it measures every tick label of the axes and its
#: neighbours at each draw (a tenth of the diffusion chart's time; the same pixels)
TITLE_Y = 1.0
#: inches of white kept around a chart's content (``savefig(pad_inches=...)``)
PAD_INCHES = 0.15
#: zlib's level for the PNG files: 3 writes a chart in two thirds of the time of the default 6, for files
#: 5-7 % larger (a chart of 1 900 x 1 100 pixels: 0.053 s and 332 kB instead of 0.084 s and 312 kB)
PNG_OPTIONS = {"compress_level": 3}


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` as a PNG at :data:`DPI`, cut to its content with :data:`PAD_INCHES` around
    it (``bbox_inches="tight"``), and return the path. The figure is drawn once (:func:`_write_png`).

    Atomic (a file is either absent or complete) and creates missing parent folders.
    """
    return write_with(Path(path), lambda tmp: _write_png(fig, tmp))


def _write_png(fig: Figure, target: Any) -> None:
    """``fig.savefig(target, format="png", dpi=DPI, bbox_inches="tight", pad_inches=PAD_INCHES,
    facecolor="white", pil_kwargs=PNG_OPTIONS)``, drawing the figure once instead of twice.

    matplotlib's ``savefig`` draws a figure with a layout engine twice: once without rendering, to lay it
    out and measure it, then for the file; the first draw costs a fifth to a third of a chart. Here the
    layout engine runs alone, the content's extent is measured from the laid-out figure and the figure is
    drawn once, into the file: the same steps as ``savefig`` but that first draw (the same pixels:
    tests/charts/test_style.py compares the two). A matplotlib without the private helpers this needs
    gets ``savefig`` itself.
    """
    try:
        from matplotlib import cbook
        from matplotlib._tight_bbox import adjust_bbox

        set_attributes, set_figure = cbook._setattr_cm, fig._cm_set
    except (ImportError, AttributeError):  # another matplotlib: its own savefig
        fig.savefig(target, format="png", dpi=DPI, bbox_inches="tight", pad_inches=PAD_INCHES, facecolor="white",
                    pil_kwargs=dict(PNG_OPTIONS))
        return
    canvas = fig.canvas
    with set_attributes(fig, dpi=DPI), set_attributes(canvas, _device_pixel_ratio=1, _is_saving=True), \
            set_figure(facecolor="white"):
        renderer = canvas.get_renderer()
        engine = fig.get_layout_engine()
        if engine is not None and fig.axes:
            engine.execute(fig)
        bbox = fig.get_tightbbox(renderer).padded(PAD_INCHES, PAD_INCHES)
        restore = adjust_bbox(fig, bbox, renderer, canvas.fixed_dpi)
        try:
            with set_figure(layout_engine="none"):
                canvas.print_png(target, pil_kwargs=dict(PNG_OPTIONS))
        finally:
            restore()


#: the charts :func:`save_charts` is drawing, for the worker processes it forks (they inherit this)
_DRAWING: dict[str, tuple[Callable[[], Figure], Path]] = {}


def _save_in_worker(name: str) -> tuple[str, Path | None, str | None]:
    """:func:`_save_one` in a process forked to draw charts, which ends once they are drawn: the collector
    stays off there (its passes over a figure's artists free nothing a chart still needs, and the process's
    memory goes back whole when it ends)."""
    import gc

    gc.disable()
    return _save_one(name)


def _save_one(name: str) -> tuple[str, Path | None, str | None]:
    make, path = _DRAWING[name]
    try:
        return name, save(make(), path), None
    except ValueError as error:  # the data cannot support this chart: the caller says so
        return name, None, str(error)


def save_charts(charts: dict[str, tuple[Callable[[], Figure], Path]]) -> list[tuple[str, Path | None, str | None]]:
    """Draw and save several charts: ``charts`` maps a name to (a function returning the Figure, its path).
    Returns, in the order given, ``(name, path written, None)`` or ``(name, None, the ValueError's text)`` for
    a chart its function refused.

    Drawing is nearly all of a chart's cost and charts are independent, so with more than one core and
    ``fork`` available (:func:`model.processes.process_context`) they are drawn on up to two forked
    processes that inherit the data; otherwise one after the other here. Any other error is raised (from a
    worker as a RuntimeError carrying its traceback).
    """
    import os

    from ..processes import imap_indexed, process_context

    workers = min(2, os.cpu_count() or 1, len(charts))
    _DRAWING.clear()
    _DRAWING.update(charts)
    try:
        if workers > 1 and process_context().get_start_method() == "fork":
            done = {name: (path, error) for name, path, error in imap_indexed(_save_in_worker, list(charts),
                                                                               workers)}
            return [(name, *done[name]) for name in charts]
        return [_save_one(name) for name in charts]
    finally:
        _DRAWING.clear()


# ---------------------------------------------------------------------------------------------------------
# Text


def literal(text: Any) -> str:
    """``text`` escaped so matplotlib draws it as written: ``$x$`` stays ``$x$`` instead of becoming math.

    Apply once, where user-given text enters an artist (a second escape would show a backslash).
    """
    return str(text).replace("$", r"\$")


ACRONYMS = {"ai", "it", "ict", "iot", "gis", "api", "ehr", "hr", "skr", "vr", "ar", "rpa"}


def pretty(name: str) -> str:
    """``digital_home_care`` -> ``Digital home care``; ``ai_casework`` -> ``AI casework``."""
    words = str(name).replace("_", " ").split()
    words = [w.upper() if w.lower() in ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def describe(name: str) -> ScalarOutcome:
    """The outcome catalogue's declaration of ``name`` (title, unit, format, better direction).

    A name the catalogue does not declare (a user's own model output) gets a stand-in titled
    :func:`pretty` ``(name)``, without unit or preferred direction, printed as a plain number.
    """
    try:
        return outcome(name)
    except KeyError:
        return ScalarOutcome(name, pretty(name), "", "number", "diffusion", None, compared=False)


def titles(fig: Figure, title: str, caption: str = "") -> None:
    """A bold title at the top left and a small grey caption under the figure (where it never overlaps).

    Both are drawn literally (:func:`literal`); lines of the caption are wrapped to the figure's width.
    """
    fig.suptitle(literal(title), x=0.01, ha="left")
    if caption:
        width = max(60, int(fig.get_figwidth() * 15))  # characters of 8.5 pt text that fit the figure
        lines = [textwrap.fill(line, width) for line in caption.split("\n")]
        fig.text(0.01, -0.01, literal("\n".join(lines)), ha="left", va="top", fontsize=CAPTION_SIZE,
                 color=CAPTION_COLOR)


def caption_for(scenario: str, replications: int | None, *notes: str, lang: str | None = None) -> str:
    """A caption: ``Scenario: name · n replications`` (each part only if given), then one line per note; in
    ``lang`` (default: the language of the chart being drawn, :func:`~model.charts.language.spoken`)."""
    lang = lang or spoken()
    parts = []
    if scenario:
        parts.append(f"Scenario: {scenario}")
    if replications is not None:
        parts.append(replications_count(replications, lang))
    head = " · ".join(parts)
    return "\n".join(p for p in (head, *notes) if p)


def signed(value: float, decimals: int = 1, lang: str = "en") -> str:
    """``+3.5``, ``0``, ``−1.2`` (typographic minus, as matplotlib's own tick labels); ``+3,5`` in Swedish."""
    text = f"{value:+.{decimals}f}"
    if float(text) == 0:
        return "0"
    text = text.replace("-", "\u2212")
    return text.replace(".", ",") if lang == "sv" else text


# ---------------------------------------------------------------------------------------------------------
# Axes


def nice_locator(nbins: int | str = "auto") -> MaxNLocator:
    """Ticks at 1, 2 or 5 times a power of ten (never 2.5, which whole-percent labels would round)."""
    return MaxNLocator(nbins=nbins, steps=[1, 2, 5, 10])


def decimals_for(step: float) -> int:
    """Decimals that tell ticks ``step`` apart: 0 for a step of 1 or more, 1 for 0.5 or 0.2, 2 for 0.05."""
    if not np.isfinite(step) or step <= 0:
        return 0
    return max(0, int(np.ceil(-np.log10(step) - 1e-9)))


class StepFormatter(Formatter):
    """Tick labels with as many decimals as the tick spacing needs, so that a narrow axis never shows two
    equal labels (a 0.5 pp range reads ``0, +0.1, +0.2 ...``, not ``0, 0, +1``).

    Values are multiplied by ``scale`` (100: shares as percentages), then shown with ``suffix`` and, when
    ``sign``, with a sign and a typographic minus (zero unsigned).
    """

    def __init__(self, scale: float = 1.0, suffix: str = "", sign: bool = False) -> None:
        self.scale, self.suffix, self.sign, self.decimals = scale, suffix, sign, 0
        self.lang = spoken()  # the chart's language, as the labels are formatted when the figure is saved

    def set_locs(self, locs) -> None:
        """Fix the decimals from the spacing of the ticks about to be labelled."""
        super().set_locs(locs)
        values = np.unique(np.round(np.asarray(locs, dtype=float) * self.scale, 12))
        self.decimals = decimals_for(float(np.min(np.diff(values)))) if len(values) > 1 else 0

    def __call__(self, value: float, pos: int | None = None) -> str:
        """The label of one tick; in Swedish with a decimal comma and a space before ``%`` (``67 %``)."""
        v = value * self.scale
        text = signed(v, self.decimals) if self.sign else f"{v:.{self.decimals}f}".replace("-", "\u2212")
        if text in ("\u22120", "\u2212" + f"{0:.{self.decimals}f}"):
            text = text[1:]
        if self.lang != "sv":
            return text + self.suffix
        suffix = THIN + self.suffix if self.suffix.startswith("%") else self.suffix
        return text.replace(".", ",") + suffix


def whole_percent(share: float, lang: str = "en") -> str:
    """A share (0–1) as a whole per cent the way the charts' ticks write it: ``67%``; ``67 %`` in Swedish
    (a thin no-break space, :mod:`model.charts.numbers`)."""
    return quantity(share, "percent", "sv", decimals=0) if lang == "sv" else f"{share:.0%}"


def percent_axis(ax, axis: str = "y") -> None:
    """Shares (0-1) on ``ax``'s ``axis`` (``"x"`` or ``"y"``) shown as percentages, with the decimals the
    tick spacing needs (:class:`StepFormatter`)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(nice_locator())
    target.set_major_formatter(StepFormatter(100.0, "%"))


def points_axis(ax, axis: str = "y") -> None:
    """Percentage points (values already multiplied by 100), signed: ``+10``, ``0``, ``−5`` (``+0.2`` on a
    narrow axis: :class:`StepFormatter`)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(nice_locator())
    target.set_major_formatter(StepFormatter(1.0, "", sign=True))


def series_colors(count: int) -> list[str]:
    """``count`` colours that colour-blind readers can tell apart: Okabe–Ito's six (without black and the
    pale yellow) up to six series, Paul Tol's nine muted colours for more, repeating after nine (pair them
    with :func:`series_linestyles`)."""
    palette = [c for c in OKABE_ITO if c not in ("#000000", "#F0E442")] if count <= 6 else list(TOL_MUTED)
    return [palette[i % len(palette)] for i in range(count)]


def series_linestyles(count: int) -> list[str]:
    """Line styles for ``count`` series: solid while colours are distinct, then a new style each time the
    colours of :func:`series_colors` repeat."""
    per = 6 if count <= 6 else len(TOL_MUTED)
    return [LINESTYLES[(i // per) % len(LINESTYLES)] for i in range(count)]


def scenario_label(name: str, description: str = "", width: int = 44) -> str:
    """What a reader calls a scenario: the first clause of its description when that is short enough to
    name it (at most ``width`` characters: ``Status quo``, ``SustainGov's staircase``), else its name made
    readable (:func:`pretty`: ``portfolio_equality_first`` -> ``Portfolio equality first``)."""
    import re

    text = " ".join(str(description or "").split())
    first = re.split(r"\. |, |: |; | \(", text)[0].rstrip(".") if text else ""
    return first if 0 < len(first) <= width else pretty(name)


def scenario_labels(descriptions: dict[str, str]) -> dict[str, str]:
    """:func:`scenario_label` of each scenario (name -> description); scenarios whose labels would be the
    same (copies of one description) are called by their readable names instead."""
    labels = {n: scenario_label(n, d) for n, d in descriptions.items()}
    taken = [labels[n] for n in labels]
    return {n: label if taken.count(label) == 1 else pretty(n) for n, label in labels.items()}


def final_year_text(end_year: float, lang: str = "en") -> str:
    """The moment outcomes are measured, said the same way everywhere: a horizon reached on 1 January 2036
    is ``end of 2035``."""
    return f"{tr('end of', lang)} {int(np.ceil(float(end_year) - 1e-9)) - 1}"


def shade_programmes(ax, programmes: Iterable[tuple[float, float]], lang: str = "en"):
    """Shade the years lever programmes run (``(first year, year after the last)`` each, merged where they
    overlap) on a time axis; returns a legend handle, or None when there are none."""
    from matplotlib.patches import Patch

    spans = sorted((float(a), float(b)) for a, b in programmes if b > a)
    merged: list[list[float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in merged:
        ax.axvspan(a, b, color=PROGRAMME_COLOR, alpha=0.55, linewidth=0, zorder=0)
    if not merged:
        return None
    years = ", ".join(f"{int(a)}–{int(b) - 1}" if b - a > 1 else f"{int(a)}" for a, b in merged)
    return Patch(facecolor=PROGRAMME_COLOR, alpha=0.55, linewidth=0, label=f"{tr('Programme years', lang)} ({years})")


def year_axis(ax, years: Iterable[float]) -> None:
    """An x axis of (fractional) years: labelled, spanning exactly ``years``, ticks at whole years."""
    years = np.asarray(list(years), dtype=float)
    ax.set_xlabel(tr("Year", spoken()))
    if len(years):
        ax.set_xlim(years.min(), years.max())
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))


def share_limits(ax, *bands: pd.DataFrame) -> None:
    """A y axis of shares from 0 (no exaggerated slopes) to a little above the highest ``high`` of the
    bands (frames with a ``high`` column, as :func:`model.charts.shaping.mean_band` returns), at most 100 %."""
    top = max((float(np.nanmax(b["high"])) for b in bands if len(b)), default=1.0)
    ax.set_ylim(0, min(1.0, top * 1.08 + 0.02) if np.isfinite(top) else 1.0)
