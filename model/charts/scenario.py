"""The charts of one scenario's replications, and :func:`scenario_charts`, which writes them all.

Each chart function takes the frames :mod:`model.batch` writes (``timeseries``, ``municipalities``; see
:mod:`model.charts.shaping` for their columns) and returns a Figure; ``title`` is the scenario's name
and goes in the caption. Lines are means over replications and bands span the 2.5th to 97.5th
percentile of the replications (:mod:`model.charts.bands`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..world.organisations import SIZE_BANDS
from .bands import band_handles, lines_text, plot_band
from .language import innovation_name, tr
from .maps import map_chart
from .shaping import (ALL_OVERALL, CHART_COLUMNS, CHART_ROWS, LABEL_COLUMNS, LARGE, OVERALL,  # noqa: F401
                      PILOT_EVENTS, READ_ONCE_ROWS, SIZE_BANDS_ALL, SMALL, gap_series, mean_band, n_replications,
                      pilot_events_by_year, select, with_replication)
from .style import (ADOPTION_NOTE, EVENT_COLORS, GAP_COLOR, OKABE_ITO, POPULATION_COLOR, SIZE_BAND_COLORS,
                    SIZE_BAND_LABELS, TITLE_Y, UNWEIGHTED_COLOR, caption_for, literal, new_figure, percent_axis,
                    points_axis, pretty, save_charts, shade_programmes, share_limits, signed, styled, titles,
                    whole_percent, year_axis)

EVENT_LABELS = {"pilots_started": "Pilots started", "pilots_scaled": "Pilots scaled up (adopted)",
                "pilots_stalled": "Pilots stalled"}
STOCK_LABELS = {"piloting_share": "In pilot", "stalled_share": "Stalled"}


def _end_label(ax, point: pd.Series, color: str, lang: str = "en") -> None:
    """The final mean, as a whole percentage in ``lang``'s notation, just right of the line's end."""
    ax.annotate(whole_percent(point["mean"], lang), (point["year"], point["mean"]), xytext=(4, 0),
                textcoords="offset points", va="center", fontsize=9, color=color, fontweight="bold",
                annotation_clip=False)


@styled
def diffusion_chart(timeseries: pd.DataFrame, title: str = "", lang: str = "en",
                    programmes: Sequence[tuple[float, float]] = ()) -> Figure:
    """Overall adoption over time (unweighted and population-weighted), and one small panel per innovation.

    Uses the ``overall`` rows' ``adoption_share`` and ``adoption_share_pop``. Raises ValueError (from
    :func:`~model.charts.shaping.select`) when ``timeseries`` has no overall rows for ``all``.
    """
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
        plot_band(ax, plain, UNWEIGHTED_COLOR, tr("Share of organisations (unweighted)", lang))
        plot_band(ax, weighted, POPULATION_COLOR, tr("Weighted by population served", lang), linestyle="--",
                  alpha=0.07, linewidth=1.8 if main else 1.5, outline=True, zorder=1)
        percent_axis(ax)
        year_axis(ax, plain["year"])
        return plain, weighted

    main = fig.add_subplot(grid[:, 0])
    plain, weighted = panel(main, "all", main=True)
    share_limits(main, plain, weighted)
    main.set_title(tr("All innovations", lang), loc="left", y=TITLE_Y)
    main.set_ylabel(tr("Adoption share (%)", lang))
    main.set_xlabel(tr("Year", lang))
    shaded = shade_programmes(main, programmes, lang)
    handles, _ = main.get_legend_handles_labels()
    main.legend(handles=handles + band_handles(reps) + ([shaded] if shaded else []), loc="upper left")
    _end_label(main, plain.iloc[-1], UNWEIGHTED_COLOR, lang)
    _end_label(main, weighted.iloc[-1], POPULATION_COLOR, lang)

    first = None
    panels = []
    for k, innovation in enumerate(innovations):
        ax = fig.add_subplot(grid[k // cols, 1 + k % cols], sharey=first, sharex=first)
        first = first or ax
        panels.append(panel(ax, innovation, main=False))
        ax.set_title(literal(innovation_name(innovation, pretty(innovation), lang)), loc="left", fontsize=10, y=TITLE_Y)
        if k % cols != 0:
            ax.tick_params(labelleft=False)
        if k + cols < n:  # another panel below: its year axis serves both
            ax.set_xlabel("")
            ax.tick_params(labelbottom=False)
    if panels:
        share_limits(first, *[band for bands in panels for band in bands])
    for k in range(n, rows * cols):  # empty cells of the grid
        fig.add_subplot(grid[k // cols, 1 + k % cols]).set_visible(False)

    titles(fig, tr("Adoption of innovations over time", lang),
           caption_for(title, reps, lines_text(reps), tr(ADOPTION_NOTE, lang)))
    return fig


@styled
def size_band_chart(timeseries: pd.DataFrame, municipalities: pd.DataFrame | None = None,
                    title: str = "", lang: str = "en", programmes: Sequence[tuple[float, float]] = ()) -> Figure:
    """Adoption (all innovations) in municipalities of each size band, smallest to largest.

    Uses the ``size_band`` rows of ``all``; ``municipalities`` (optional, column ``size_band``) adds how
    many municipalities each band has. Raises ValueError when ``timeseries`` has no size-band rows.
    """
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
        label = tr(SIZE_BAND_LABELS.get(group, group), lang)
        if group in counts:
            label += f"  (n = {counts[group]})"
        color = SIZE_BAND_COLORS.get(group) or next(extra)
        plot_band(ax, band, color, literal(label), alpha=0.09)
    percent_axis(ax)
    year_axis(ax, bands[0]["year"])
    share_limits(ax, *bands)
    ax.set_ylabel(tr("Adoption share, all innovations (%)", lang))
    ax.set_xlabel(tr("Year", lang))
    shaded = shade_programmes(ax, programmes, lang)
    handles, _ = ax.get_legend_handles_labels()
    reps = n_replications(rows)
    ax.legend(handles=handles + band_handles(reps) + ([shaded] if shaded else []),
              title=tr("Municipality size (inhabitants)", lang), loc="upper left",
              bbox_to_anchor=(1.01, 1.0), alignment="left")
    titles(fig, tr("Adoption by municipality size", lang),
           caption_for(title, reps, lines_text(reps),
                       tr("Adoption share: share of applicable municipality–innovation pairs adopted.", lang)))
    return fig


@styled
def gap_chart(timeseries: pd.DataFrame, title: str = "", large: str = LARGE, small: str = SMALL, lang: str = "en",
              programmes: Sequence[tuple[float, float]] = ()) -> Figure:
    """The adoption gap between the ``large`` and the ``small`` size band over time, in percentage points.

    The gap is computed per replication (:func:`~model.charts.shaping.gap_series`), then summarised.
    Raises ValueError when a size band is missing.
    """
    gaps = gap_series(timeseries, large, small)
    band = mean_band(gaps, "gap")
    fig = new_figure(9.5, 5.0)
    ax = fig.add_subplot()
    ax.axhline(0, color="0.4", linewidth=0.9, zorder=1)
    plot_band(ax, band, GAP_COLOR, tr("Mean gap", lang), scale=100.0, alpha=0.22)
    year_axis(ax, band["year"])
    ax.set_xlabel(tr("Year", lang))
    points_axis(ax)
    ax.set_ylabel(tr("Gap (percentage points)", lang))
    shaded = shade_programmes(ax, programmes, lang)
    end = band.iloc[-1]
    reps = n_replications(gaps)
    pp = tr("pp", lang)
    spread = (f"\n{tr('95 % of runs', lang)}:\n{signed(end['low'] * 100, 0, lang)} {tr('to', lang)} "
              f"{signed(end['high'] * 100, 0, lang)} {pp}" if reps >= 2 else "")
    ax.annotate(f"{signed(end['mean'] * 100, 0, lang)} {pp}{spread}", (end["year"], end["mean"] * 100), xytext=(6, 0),
                textcoords="offset points", ha="left", va="center", fontsize=9, color="0.2",
                annotation_clip=False)
    lo, hi = np.nanmin(band["low"]) * 100, np.nanmax(band["high"]) * 100
    span = max(hi - lo, 5)
    ax.set_ylim(min(lo, 0) - 0.08 * span, max(hi, 0) + 0.08 * span)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + band_handles(reps, GAP_COLOR) + ([shaded] if shaded else []), loc="upper left")
    label_large, label_small = SIZE_BAND_LABELS.get(large, large), SIZE_BAND_LABELS.get(small, small)
    heading = (f"Spridningsgap: stora ({tr(label_large, lang)}) minus små ({tr(label_small, lang)}) kommuner"
               if lang == "sv" else f"Adoption gap: large ({label_large}) minus small ({label_small}) municipalities")
    titles(fig, heading,
           caption_for(title, reps, tr("Gap computed per replication.", lang) + " " + lines_text(reps, "Line"),
                       tr("Above 0: large municipalities have adopted a larger share of applicable innovations.",
                          lang)))
    return fig


@styled
def pilots_chart(timeseries: pd.DataFrame, title: str = "", lang: str = "en") -> Figure:
    """The pilot swamp: pilots started, scaled and stalled per year, and the stock in pilot or stalled.

    Uses the ``overall`` rows of ``all``: the event counts (summed per calendar year,
    :func:`~model.charts.shaping.pilot_events_by_year`) and ``piloting_share``, ``stalled_share``.
    """
    events = pilot_events_by_year(timeseries)
    rows = select(timeseries, "all", "overall")
    reps = n_replications(rows)
    years = sorted(events["calendar_year"].unique())
    fig = new_figure(13.0, 5.2)
    grid = fig.add_gridspec(1, 2, width_ratios=[1.45, 1.0])
    ax = fig.add_subplot(grid[0, 0])
    width = 0.8 / len(PILOT_EVENTS)
    x = np.arange(len(years))
    for j, event in enumerate(PILOT_EVENTS):
        e = events[events["event"] == event].set_index("calendar_year").reindex(years)
        offset = (j - (len(PILOT_EVENTS) - 1) / 2) * width
        err = np.vstack([e["mean"] - e["low"], e["high"] - e["mean"]]) if reps >= 2 else None
        ax.bar(x + offset, e["mean"], width * 0.95, color=EVENT_COLORS[event], label=tr(EVENT_LABELS[event], lang),
               yerr=err, error_kw=dict(ecolor="0.25", elinewidth=0.8, capsize=1.5), zorder=2)
    quarters = events.drop_duplicates("calendar_year").set_index("calendar_year")["quarters"].reindex(years)
    ax.set_xticks(x, [f"{y}" if q >= 4 else f"{y}*" for y, q in zip(years, quarters)])
    ax.set_xlabel(tr("Year", lang))
    ax.set_ylabel("Pilots per year" + (" (mean over replications)" if reps >= 2 else "") if lang != "sv"
                  else "Piloter per år" + (" (medelvärde över replikeringar)" if reps >= 2 else ""))
    ax.grid(axis="x", visible=False)
    ax.set_title(tr("Pilot events per year", lang), loc="left", y=TITLE_Y)
    ax.legend(loc="upper left", ncols=3)
    top = np.nanmax(events["high"]) if len(events) else 1
    ax.set_ylim(0, top * 1.18 + 1)

    stock = fig.add_subplot(grid[0, 1])
    bands = []
    for column, color in (("piloting_share", EVENT_COLORS["pilots_started"]),
                          ("stalled_share", EVENT_COLORS["pilots_stalled"])):
        band = mean_band(rows, column)
        bands.append(band)
        plot_band(stock, band, color, tr(STOCK_LABELS[column], lang))
    percent_axis(stock)
    year_axis(stock, bands[0]["year"])
    share_limits(stock, *bands)
    stock.set_ylabel(tr("Share of organisation–innovation pairs (%)", lang))
    stock.set_xlabel(tr("Year", lang))
    stock.set_title(tr("Currently in pilot or stalled", lang), loc="left", y=TITLE_Y)
    handles, _ = stock.get_legend_handles_labels()
    stock.legend(handles=handles + band_handles(reps), loc="upper left")
    bars = tr("Bars: mean over replications of pilots per calendar year (all organisations and innovations); "
              "whiskers: 2.5th–97.5th percentile of replications." if reps >= 2 else
              "Bars: pilots per calendar year in the single replication (all organisations and innovations).", lang)
    if (quarters < 4).any():
        bars += tr(" * Part of the year only (the horizon ends within it).", lang)
    titles(fig, tr("Pilots: how many start, scale up or stall", lang),
           caption_for(title, reps, bars, lines_text(reps, "Right")))
    return fig




#: the columns of ``municipalities.parquet`` the charts draw
MAP_COLUMNS = ["code", "size_band", "adoption_share", "replication"]


def read_rows(folder: str | Path, rows: list = CHART_ROWS, columns: Sequence[str] = CHART_COLUMNS) -> pd.DataFrame:
    """The ``rows`` (a pyarrow filter) and ``columns`` (those it has) of a results folder's
    ``timeseries.parquet``, in file order, labels as categories. Read one row group at a time, so memory
    holds the rows asked for and one row group however many replications the folder holds."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # labels as categories: a few bytes a row instead of a string each
    source = pq.ParquetFile(Path(folder) / "timeseries.parquet", read_dictionary=LABEL_COLUMNS)
    keep = pq.filters_to_expression(rows)
    columns = [c for c in columns if c in source.schema_arrow.names]
    parts = []
    for i in range(source.num_row_groups):
        parts.append(source.read_row_group(i, columns=columns).filter(keep))
        pa.default_memory_pool().release_unused()  # the row group read: back to the system, not kept
    table = pa.concat_tables(parts) if parts else source.schema_arrow.empty_table().select(columns)
    del parts
    return table.to_pandas(split_blocks=True, self_destruct=True)  # frees the Arrow copy as it goes


def read_map_frame(folder: str | Path) -> pd.DataFrame:
    """The :data:`MAP_COLUMNS` of a results folder's ``municipalities.parquet`` (codes as 4-digit text)."""
    frame = pd.read_parquet(Path(folder) / "municipalities.parquet", columns=MAP_COLUMNS)
    return frame.assign(code=frame["code"].astype(str).str.zfill(4))


def read_chart_frames(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What :func:`scenario_charts` draws, read from a results folder: the :data:`CHART_ROWS` and
    :data:`CHART_COLUMNS` of its ``timeseries.parquet`` (:func:`read_rows`) and :func:`read_map_frame`.
    The charts drawn from them are those drawn from the whole frames."""
    return read_rows(folder), read_map_frame(folder)


def last_year(folder: str | Path) -> float | None:
    """The last ``year`` of a results folder's ``timeseries.parquet`` (from the row groups' statistics when
    written), or None when it has no rows."""
    import pyarrow.parquet as pq

    path = Path(folder) / "timeseries.parquet"
    meta = pq.ParquetFile(path).metadata
    if meta.num_rows == 0:
        return None
    column = meta.schema.to_arrow_schema().get_field_index("year")
    stats = [meta.row_group(i).column(column).statistics for i in range(meta.num_row_groups)]
    if all(s is not None and s.has_min_max for s in stats):
        return float(max(s.max for s in stats))
    return float(pd.read_parquet(path, columns=["year"])["year"].max())


def scenario_charts(timeseries: pd.DataFrame, municipalities: pd.DataFrame, out: Path,
                    title: str = "", lang: str = "en", programmes: Sequence[tuple[float, float]] = (),
                    extra: Mapping[str, Callable[[], Figure]] | None = None) -> list[Path]:
    """Write the standard charts of one scenario's replications into ``out`` and return their paths.

    ``diffusion.png``, ``diffusion_by_size_band.png``, ``gap_small_large.png``,
    ``pilots.png`` and ``map.png`` (PNG, 150 dpi, each written atomically; ``out`` is created). ``title``
    (the scenario name) goes in each chart's caption; ``lang`` (``en``, ``sv``) sets the labels' language and
    the years of lever ``programmes`` (``(first year, year after the last)``) are shaded. A chart the data cannot support (e.g. no
    municipality size bands when no innovation applies to municipalities) is skipped with a warning, so
    that a finished run is never lost to a chart. ``extra`` (file name -> function returning its Figure):
    more charts for ``out``, drawn alongside (:func:`~model.charts.style.save_charts` draws them all on up
    to two processes) and written after the standard ones.
    """
    end_year = float(timeseries["year"].max()) if len(timeseries) else None
    return _write_charts({
        "diffusion.png": lambda: diffusion_chart(timeseries, title, lang, programmes),
        "diffusion_by_size_band.png": lambda: size_band_chart(timeseries, municipalities, title, lang, programmes),
        "gap_small_large.png": lambda: gap_chart(timeseries, title, lang=lang, programmes=programmes),
        "pilots.png": lambda: pilots_chart(timeseries, title, lang),
        "map.png": lambda: map_chart(municipalities, title, end_year, lang),
        **(extra or {}),
    }, out)


def folder_charts(folder: str | Path, out: Path, title: str = "", lang: str = "en",
                  programmes: Sequence[tuple[float, float]] = (),
                  extra: Mapping[str, Callable[[], Figure]] | None = None,
                  rows: pd.DataFrame | None = None) -> list[Path]:
    """:func:`scenario_charts` of a results ``folder`` (its ``timeseries.parquet`` and
    ``municipalities.parquet``): the same charts, each chart reading only the rows it draws
    (:data:`OVERALL`, :data:`SIZE_BANDS_ALL`, :data:`ALL_OVERALL`) in the process that draws it, so that no
    process holds more than one chart's rows however many replications the folder holds. A small folder
    (at most :data:`READ_ONCE_ROWS` rows) is read once, before the charts are drawn: its rows are few, and
    one read costs less than five. ``rows``: the folder's chart rows as :func:`read_rows` would read them, gathered
    while the folder was written (:class:`~model.charts.shaping.ChartRows`): not read again."""
    import pyarrow.parquet as pq

    if rows is not None:
        return scenario_charts(rows, read_map_frame(folder), out, title, lang, programmes, extra)
    if pq.ParquetFile(Path(folder) / "timeseries.parquet").metadata.num_rows <= READ_ONCE_ROWS:
        timeseries, municipalities = read_chart_frames(folder)
        return scenario_charts(timeseries, municipalities, out, title, lang, programmes, extra)
    end_year = last_year(folder)
    return _write_charts({
        "diffusion.png": lambda: diffusion_chart(read_rows(folder, OVERALL), title, lang, programmes),
        "diffusion_by_size_band.png": lambda: size_band_chart(read_rows(folder, SIZE_BANDS_ALL),
                                                              read_map_frame(folder), title, lang, programmes),
        "gap_small_large.png": lambda: gap_chart(read_rows(folder, SIZE_BANDS_ALL), title, lang=lang,
                                                 programmes=programmes),
        "pilots.png": lambda: pilots_chart(read_rows(folder, ALL_OVERALL), title, lang),
        "map.png": lambda: map_chart(read_map_frame(folder), title, end_year, lang),
        **(extra or {}),
    }, out)


def _write_charts(charts: dict[str, Callable[[], Figure]], out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, path, error in save_charts({name: (make, out / name) for name, make in charts.items()}):
        if error is None:
            written.append(path)
        else:
            warnings.warn(f"chart {name} skipped: {error}", stacklevel=3)
    return written
