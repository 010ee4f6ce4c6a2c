"""Writing a folder's report: its charts and maps in the reader's language, then ``report.html``
(``report.sv.html`` in Swedish).

:func:`write_report` takes a run's folder (``spridning run``) or a comparison's (``spridning compare``),
draws what the folder's files support and writes the one self-contained HTML file
(:mod:`model.report.html`). It reads files only, so ``spridning report FOLDER --lang sv`` redraws an
existing folder in Swedish. A chart the data cannot support is skipped with a warning: a finished run is
never lost to a chart.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..charts.language import check_language
from ..charts.style import save, scenario_labels
from ..names import safe_file_name
from ..results import write_csv
from .files import chart_folder
from .folder import BY_YEAR, ComparisonFolder, RunFolder, is_comparison, write_adoption_by_year
from .memo import memo_labels

REPORT = "report.html"


def _draw(made: list[Path], path: Path, make: Callable[[], Any]) -> None:
    """Save ``make()``'s figure at ``path`` (or call it when it writes a file itself) and note the path."""
    try:
        result = make()
        made.append(result if isinstance(result, Path) else save(result, path))
    except ValueError as error:
        warnings.warn(f"{path.name} skipped: {error}", stacklevel=3)


def year_maps(by_year_frame, name: str, lang: str = "en") -> Callable[[], Any]:
    """The function drawing ``map_years.png``: the maps over the years of a run's municipal adoption by year
    (``municipal_adoption_by_year.parquet``'s frame) for the scenario ``name``."""
    from ..charts.difference_maps import by_year, map_small_multiples

    title = ("Spridning per kommun över åren" if lang == "sv" else "Adoption by municipality over the years")
    return lambda: map_small_multiples(by_year(by_year_frame), title, f"Scenario: {name}", lang=lang)


def run_charts(run: RunFolder, lang: str = "en", redraw: bool = False, gif: bool = False) -> list[Path]:
    """A run folder's charts: the scenario charts and, when the municipal adoption by year was written, the
    maps over the years (each redrawn when ``redraw``, or missing; drawn side by side on two cores where
    they can be) and their animation with ``gif`` (True, or the frames' (width, height) in pixels)."""
    from ..charts.difference_maps import by_year, map_animation
    from ..charts.scenario import folder_charts

    charts = chart_folder(run.path, lang)
    made: list[Path] = []
    maps = {}
    if run.by_year is not None and (redraw or not (charts / "map_years.png").exists()):
        maps["map_years.png"] = year_maps(run.by_year, run.name, lang)
    if redraw or not (charts / "diffusion.png").exists():
        made += folder_charts(run.path, charts, title=run.name, lang=lang,  # each chart reads its own rows
                              programmes=[p[:2] for p in run.programmes()], extra=maps)
    else:
        for name, make in maps.items():
            _draw(made, charts / name, make)
    if run.by_year is not None and gif:
        title = ("Spridning per kommun över åren" if lang == "sv" else "Adoption by municipality over the years")
        _draw(made, charts / "map_animation.gif", lambda: map_animation(by_year(run.by_year), charts /
                                                                          "map_animation.gif", title, lang=lang,
                                                                          size=gif))
    return made


#: the rows of a run's ``timeseries.parquet`` the comparison charts draw (all innovations, overall and by size
#: band: a tenth of the file) and their columns
COMPARED_INNOVATION, COMPARED_GROUP_TYPES = "all", ("overall", "size_band")
COMPARED_COLUMNS = ["year", "innovation", "group_type", "group", "adoption_share", "replication"]


def _compared_rows(run: RunFolder):
    """The rows and columns of ``run``'s timeseries the comparison charts draw, read one row group at a time
    so that memory holds only what is kept (the whole file grows with the runs: 6 400 rows each)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = run.path / "timeseries.parquet"
    if not path.is_file():
        return run.timeseries  # what a run folder says of a file it lacks (model.report.folder)
    file = pq.ParquetFile(path)
    kept = []
    for group in range(file.metadata.num_row_groups):
        rows = file.read_row_group(group, columns=COMPARED_COLUMNS)
        kept.append(rows.filter(pc.and_(pc.equal(rows["innovation"], COMPARED_INNOVATION),
                                        pc.is_in(rows["group_type"], value_set=pa.array(COMPARED_GROUP_TYPES)))))
    return pa.concat_tables(kept).to_pandas() if kept else file.schema_arrow.empty_table().select(COMPARED_COLUMNS).to_pandas()


def comparison_charts_of(comparison: ComparisonFolder, lang: str = "en", gif: bool = False) -> list[Path]:
    """A comparison folder's charts: the comparison charts, the frontier, the differences by group, the
    SustainGov matrix and, per portfolio, the difference map at the horizon and over the years (and their
    animation with ``gif``)."""
    from ..charts.comparison import comparison_charts
    from ..charts.costs import frontier_chart
    from ..charts.groups import group_differences_chart
    from ..charts.sustaingov import sustaingov_chart
    from .sustaingov import report_matrix, simulated_value

    runs, baseline = comparison.runs, comparison.baseline
    costs = comparison.optional("cost_effectiveness.csv")
    spends = costs is not None and bool((costs.loc[costs["scenario"] == baseline, "budgeted_msek"] > 0).any())
    labels = memo_labels(scenario_labels({n: r.description for n, r in runs.items()}), baseline, spends, lang)
    programmes = sorted({p[:2] for r in runs.values() for p in r.programmes()})
    charts = chart_folder(comparison.path, lang)
    made = comparison_charts({n: _compared_rows(r) for n, r in runs.items()}, comparison.table, charts, baseline,
                             labels=labels, programmes=programmes, lang=lang)
    if costs is not None:
        _draw(made, charts / "frontier.png", lambda: frontier_chart(costs, baseline, labels, lang))
        levers = {n: [(p.name or p.type, p.type, p.budget_msek_per_year) for p in r.levers] for n, r in runs.items()}
        simulated = simulated_value(comparison.table, costs, levers, baseline)
        write_csv(simulated, comparison.path / "sustaingov.csv")
        _draw(made, charts / "sustaingov.png", lambda: sustaingov_chart(report_matrix(), simulated, labels, lang))
    groups = comparison.optional("differences_by_group.csv")
    if groups is not None and len(groups):
        _draw(made, charts / "differences_by_group.png", lambda: group_differences_chart(groups, labels, lang))
    _difference_maps(made, runs, baseline, labels, charts, lang, gif)
    return made


def _difference_maps(made: list[Path], runs: dict, baseline: str, labels: dict, charts: Path, lang: str,
                     gif: bool) -> None:
    """Per portfolio the difference map at the horizon and over the years (and their animation with
    ``gif``), all on one colour scale; municipalities whose paired difference cannot be told from zero
    grey, those the portfolio targets outlined (see :mod:`model.charts.difference_maps`)."""
    from ..charts.difference_maps import (differences_by_year, difference_map, map_animation, map_small_multiples,
                                          paired_differences, symmetric_limit)
    from .targets import targeted_codes

    base = runs[baseline].by_year
    frames = {name: differences_by_year(run.by_year, base) for name, run in runs.items()
              if name != baseline and base is not None and run.by_year is not None}
    frames = {name: f for name, f in frames.items() if f}
    if not frames:
        return
    limit = symmetric_limit([d for f in frames.values() for d in f.values()])
    for name, years in frames.items():
        run = runs[name]
        paired = paired_differences(run.municipalities, runs[baseline].municipalities)
        reps = int(paired["n"].max()) if len(paired) else 0
        targeted = targeted_codes([p.target for p in run.levers if p.budget_msek_per_year > 0])
        stem = f"difference_{safe_file_name(name)}"
        last = years[max(years)]
        sub = f"{labels[name]} − {labels[baseline]}"
        marks = dict(distinct=paired["distinct"], replications=reps, limit=limit, targeted=targeted)
        _draw(made, charts / f"{stem}.png", lambda: difference_map(last, subtitle=sub, lang=lang, **marks))
        title = ("Skillnad mot jämförelsealternativet över åren" if lang == "sv"
                 else "Difference from the baseline over the years")
        _draw(made, charts / f"{stem}_years.png",
              lambda: map_small_multiples(years, title, sub, difference=True, lang=lang, **marks))
        if gif:
            _draw(made, charts / f"{stem}.gif",
                  lambda: map_animation(years, charts / f"{stem}.gif", f"{title}: {sub}", difference=True, lang=lang,
                                        size=gif))


def write_report(folder: str | Path, lang: str = "en", outcomes: Any = None, gif: bool = False,
                 html: bool = True, redraw: bool | None = None) -> Path:
    """Draw the charts and maps of a results ``folder`` (a run's or a comparison's) in ``lang`` (English
    into ``charts/``, Swedish into ``charts/sv/``) and write ``report.html`` (``report.sv.html`` in
    Swedish, beside the English one; not when ``html`` is False) and a comparison's memo files
    (:func:`model.report.memo_files.write_memos`); return the report's path (or the folder's).

    ``outcomes``: a run's :class:`~model.outcomes.collect.Outcomes` (a sequence of them), from which the municipal adoption by
    year is written when the folder lacks it. ``redraw`` (default: when ``lang`` is not English) redraws a
    run's scenario charts; a comparison's charts are always drawn.

    Raises InputError naming the file and what to do, before anything is drawn or written, when a file the
    report needs is missing or any file it reads cannot be read (:meth:`RunFolder.check`,
    :meth:`ComparisonFolder.check`): the folder's charts and report are then left as they were.
    """
    from .html import comparison_report, run_report

    folder, lang = Path(folder), check_language(lang)
    redraw = lang != "en" if redraw is None else redraw
    if is_comparison(folder):
        comparison = ComparisonFolder.read(folder).check()
        comparison_charts_of(comparison, lang, gif)
        if html:
            return comparison_report(comparison, lang)
        costs = comparison.optional("cost_effectiveness.csv")
        if costs is not None:  # the memo reads ranking.csv, which may be written after the tables
            from .memo_files import write_memos

            write_memos(folder, comparison.runs, comparison.table, costs, comparison.baseline,
                        comparison.optional("differences_by_group.csv"), lang)
        return folder
    run = RunFolder.read(folder).check()
    if outcomes is not None and not (folder / BY_YEAR).exists():
        write_adoption_by_year(folder, list(outcomes))
        run = RunFolder.read(folder)
    run_charts(run, lang, redraw, gif)
    return run_report(run, lang) if html else folder
