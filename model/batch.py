"""A scenario's replications, run and written to a results folder.

This is what ``spridning run`` does; the Python API is :func:`run_to_folder`. The folder gets
``timeseries.parquet``, ``municipalities.parquet``, ``replications.csv`` (each run's scalar outcomes),
``summary.csv`` (each outcome's mean and 95 % intervals), ``spend.csv`` (MSEK used per lever and year),
``lever_usage.csv`` (per lever and year: money budgeted, delivered, used and unplaced, units bought and
placed, takers by kind and size band), ``lever_takers.csv`` (takers by kind, size band and county),
``manifest.json`` and ``charts/``; a scenario of the observed record's series (the history) also its fit to
the record (``record_fit.csv``, ``record_patterns.csv``, ``record_runs.csv``: :mod:`model.calibrate.record`).

Replications are streamed: each run's frames are built where it ran (:func:`folder_parts`) and appended
to the folder's files in replication order as it arrives (:class:`FolderWriter`), so memory does not grow
with the number of replications; what the summary, the manifest and the maps need is gathered as it
passes, and the charts read back only the rows they draw. :class:`ScenarioResults` (every run's
outcomes in memory, for the Python API) is written the same way by :func:`write_folder`. :func:`stream_replications`
is the one home of streaming: `run`, `compare` and posterior ensembles use it.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .version import __version__
from .levers.entries import lever_notes
from .names import safe_file_name
from .outcomes.collect import Labels, Outcomes, _municipality_static, columns_frame
from .results import (RESULTS_ROOT, CsvAppender, ParquetAppender, atomic_folder, summary_table, versions, write_csv,
                      write_json, write_parquet)
from .runner import replicate, replicated, replication_seeds
from .scenario import Scenario
from .stages import QUARTERS_PER_YEAR

#: the files of stacked frames (one row per replication and row of each run's frame)
PARQUET_PARTS = ("timeseries", "municipalities")
CSV_PARTS = ("spend", "lever_usage", "lever_takers")
USAGE_MONEY = ["budget_msek", "delivered_msek", "used_msek", "returned_msek", "unplaced_capacity_msek",
               "unplaced_no_taker_msek"]


@dataclass
class ScenarioResults:
    """The replications of one scenario, as frames with a ``replication`` column."""

    scenario: Scenario
    outcomes: list[Outcomes]
    seed: int
    wall_seconds: float

    @property
    def runs(self) -> int:
        """How many replications ran."""
        return len(self.outcomes)

    @cached_property
    def replications(self) -> pd.DataFrame:
        """One row per replication (column ``replication``), one column per scalar outcome (built once: do
        not modify the frame)."""
        return replication_table([o.summary for o in self.outcomes])

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Each outcome's mean and intervals over replications (:func:`model.results.summary_table`)."""
        return summary_table(self.replications.drop(columns="replication"))  # built once

    def stacked(self, attribute: str) -> pd.DataFrame:
        """The ``attribute`` frame (``timeseries``, ``municipalities``, ``spend``) of every replication,
        stacked with a ``replication`` column."""
        frames = [getattr(o, attribute).assign(replication=r) for r, o in enumerate(self.outcomes)]
        return pd.concat(frames, ignore_index=True)


@dataclass
class StreamedResults:
    """A scenario's replications written to ``folder`` as they ran: their scalar outcomes (``summaries``,
    one dict per replication) in memory, every frame only in the folder's files."""

    scenario: Scenario
    summaries: list[dict[str, float]]
    seed: int
    wall_seconds: float
    folder: Path | None = None

    @property
    def runs(self) -> int:
        """How many replications ran."""
        return len(self.summaries)

    @cached_property
    def replications(self) -> pd.DataFrame:
        """One row per replication (column ``replication``), one column per scalar outcome."""
        return replication_table(self.summaries)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Each outcome's mean and intervals over replications (:func:`model.results.summary_table`)."""
        return summary_table(self.replications.drop(columns="replication"))


def replication_table(summaries: list[dict[str, float]]) -> pd.DataFrame:
    """One row per replication (column ``replication``, 0-based), one column per scalar outcome."""
    frame = pd.DataFrame(summaries)
    frame.insert(0, "replication", range(len(summaries)))
    return frame


@dataclass
class FolderPart:
    """What a results folder keeps of one replication: its scalar outcomes, its frames with their
    ``replication`` column (``timeseries`` and ``municipalities`` as Arrow tables, the rest as pandas
    frames) and its municipalities' adoption per quarter (:func:`model.charts.shaping.municipal_shares`)."""

    replication: int
    summary: dict[str, float]
    frames: dict[str, Any]
    shares: np.ndarray
    codes: list[str] = field(repr=False)
    start_year: int
    record: dict | None = None  # its values of the observed record's targets (model.calibrate.record)


def folder_parts(outcome: Outcomes, replication: int) -> FolderPart:
    """The :class:`FolderPart` of one run (built in the worker that ran it, so frames are built in
    parallel and only they travel)."""
    from .calibrate.record import run_record
    from .charts.shaping import municipal_shares

    frames: dict[str, Any] = {"timeseries": _arrow_table("timeseries", outcome.timeseries_columns(), replication),
                              "municipalities": _arrow_table("municipalities", outcome.municipality_columns(),
                                                             replication)}
    for name in CSV_PARTS:
        frames[name] = _csv_frame(outcome, name, replication)
    codes = list(_municipality_static(outcome.world_flags)["columns"]["code"])
    return FolderPart(replication, outcome.summary, frames, municipal_shares(outcome), codes, outcome.start_year,
                      run_record(outcome))


#: the CSV frames of a run without any spending or lever usage, by table (the same for every such run:
#: no rows; shared, never changed)
_EMPTY_CSV: dict[tuple, pd.DataFrame] = {}


def _csv_frame(outcome: Outcomes, name: str, replication: int) -> pd.DataFrame:
    """``outcome``'s ``name`` frame (``spend``, ``lever_usage``, ``lever_takers``) with its ``replication``
    column; that of a run without levers' records made once."""
    records = outcome.spend_records if name == "spend" else outcome.usage_records
    if records:
        return getattr(outcome, name).assign(replication=replication)
    key = (name, outcome.world_flags)
    if key not in _EMPTY_CSV:
        _EMPTY_CSV[key] = getattr(outcome, name).assign(replication=replication)
    return _EMPTY_CSV[key]


#: the Arrow schema (with its pandas metadata) of each stacked frame, by name and columns: the frames of
#: every run share it, and building a table on a known schema costs a tenth of inferring it
_SCHEMAS: dict[tuple, Any] = {}


def _arrow_table(name: str, columns: dict[str, Any], replication: int):
    """The frame of ``columns`` (:meth:`Outcomes.timeseries_columns`: arrays and
    :class:`~model.outcomes.collect.Labels`) with its ``replication`` column as an Arrow table, as
    ``pyarrow.Table.from_pandas`` makes it of the pandas frame (without the index): the first of each
    schema through pandas, the others straight from the arrays on that schema."""
    import pyarrow as pa

    key = (name, tuple(columns), tuple("str" if isinstance(v, Labels) else str(v.dtype) for v in columns.values()))
    schema = _SCHEMAS.get(key)
    if schema is not None:
        try:
            arrays = [_arrow_column(v, schema.field(i).type) for i, v in enumerate(columns.values())]
            rows = len(arrays[0]) if arrays else 0
            return pa.Table.from_arrays(arrays + [pa.array(np.full(rows, replication, dtype=np.int64))],
                                        schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column of other values: infer this run's types
            pass
    table = pa.Table.from_pandas(columns_frame(columns).assign(replication=replication), preserve_index=False)
    _SCHEMAS.setdefault(key, table.schema)
    return table


def _arrow_column(values: Any, kind: Any):
    """One column as pandas hands it to Arrow: strings as ``kind`` (their labels converted once per run, then
    taken), numbers with NaN as null (``from_pandas``)."""
    import pyarrow as pa

    if isinstance(values, Labels):
        return pa.array(values.labels, type=kind).take(pa.array(values.codes))
    return pa.array(values, type=kind, from_pandas=True)


class FolderWriter:
    """Writes a results folder replication by replication (:meth:`add`, in replication order), then the
    tables, charts, manifest and report that need them all (:meth:`finish`). Holds one replication's frames,
    a row group of each Parquet file and the small aggregates: each run's scalar outcomes, its MSEK per lever
    (for the manifest) and the sum of the municipalities' adoption per quarter (for the maps)."""

    def __init__(self, folder: Path, final: Path | None = None) -> None:
        from .charts.shaping import ChartRows, MunicipalAdoption

        self.folder = Path(folder)
        self.final = Path(final) if final is not None else None  # where the user will find it (messages)
        self.files: dict[str, ParquetAppender | CsvAppender] = {}
        self.summaries: list[dict[str, float]] = []
        self.lever_money: list[pd.DataFrame] = []
        self.operators: dict[str, Any] = {}
        self.adoption = MunicipalAdoption()
        self.chart_rows = ChartRows()  # the rows the charts draw, so that they need not read the file back
        self.records: list[dict | None] = []  # each run's values of the record's targets

    def add(self, part: FolderPart) -> None:
        """Append one replication (the next in order) to every file and aggregate."""
        if part.replication != len(self.summaries):
            raise ValueError(f"replication {part.replication} arrived, {len(self.summaries)} expected next")
        if not self.files:
            self.files = {**{n: ParquetAppender(self.folder / f"{n}.parquet") for n in PARQUET_PARTS},
                          **{n: CsvAppender(self.folder / f"{n}.csv") for n in CSV_PARTS}}
        for name, file in self.files.items():
            file.add(part.frames[name])
        self.chart_rows.add(part.frames["timeseries"])
        self.summaries.append(part.summary)
        usage = part.frames["lever_usage"]
        if len(usage):
            self.lever_money.append(usage.groupby("lever")[USAGE_MONEY].sum().reset_index()
                                    .assign(replication=part.replication))
            for lever, operator in usage.groupby("lever")["operator"].first().items():
                if pd.notna(operator):
                    self.operators.setdefault(lever, operator)
        self.adoption.add(shares=part.shares, codes=part.codes, start_year=part.start_year)
        self.records.append(part.record)

    def close(self) -> None:
        """Complete the streamed files."""
        for file in self.files.values():
            file.close()

    def discard(self) -> None:
        """Remove the streamed files' temporary files (after an error or Ctrl-C)."""
        for file in self.files.values():
            file.discard()

    def usage_summary(self) -> dict:
        """Per lever (and earmarked grant): its operator and the mean over replications of MSEK budgeted,
        delivered, used, returned and unplaced (beyond capacity, without a taker) over the run."""
        if not self.lever_money:
            return {}
        per_run = (pd.concat(self.lever_money, ignore_index=True).sort_values(["lever", "replication"], kind="stable")
                   .groupby("lever")[USAGE_MONEY].mean())
        return {lever: {"operator": self.operators.get(lever, np.nan), **{m: round(float(v), 3) for m, v in row.items()}}
                for lever, row in per_run.iterrows()}

    def finish(self, results: ScenarioResults | StreamedResults, source: str | None, workers: int | None,
               charts: bool, report: str | None, by_year: bool | None = None) -> None:
        """Write ``replications.csv``, ``summary.csv`` (from ``results``' tables), the charts, the
        manifest and, with ``charts``, ``report.html`` in the language ``report`` (None: no report) with the
        municipal adoption by year it maps (``municipal_adoption_by_year.parquet``, written also without
        charts when ``by_year``; default: with the charts and report)."""
        out = self.folder
        self.close()
        write_csv(results.replications, out / "replications.csv")
        write_csv(results.summary, out / "summary.csv")
        from .calibrate.record import write_record

        write_record(results.scenario, self.records, out, getattr(results, "per_draw", 0))  # its fit to the record
        wanted = charts and report if by_year is None else by_year
        by_year = self.adoption.frame(every=QUARTERS_PER_YEAR) if wanted else None
        if by_year is not None:
            from .report.folder import BY_YEAR

            write_parquet(by_year, out / BY_YEAR)
        if charts and report in (None, "en"):  # a report in another language draws them in it
            from .charts.scenario import folder_charts
            from .report.build import year_maps

            maps = {"map_years.png": year_maps(by_year, results.scenario.name)} if by_year is not None else {}
            charts = _drawn(lambda: folder_charts(out, out / "charts", title=results.scenario.name, extra=maps,
                                                  rows=self.chart_rows.frame()),
                            self.final or getattr(results, "folder", None))
        write_json(manifest(results, source, workers, self.usage_summary()), out / "manifest.json")
        if charts and report:  # the self-contained report of the folder, last (model.report)
            from .report.build import write_report

            _drawn(lambda: write_report(out, lang=report), self.final or getattr(results, "folder", None))


def _drawn(draw: Callable[[], Any], folder: Path | None) -> bool:
    """Call ``draw`` (charts or the report, after the replications are written); whether it succeeded. A
    failure (anything but Ctrl-C: a broken plotting library or setting, a full disk) is said in one line on
    stderr and the folder is completed without them: finished replications are never lost to a chart."""
    try:
        draw()
        return True
    except Exception as error:  # noqa: BLE001 - said, and the runs kept
        lines = [line for line in str(error).splitlines() if line.strip()]  # a worker's: its traceback, last
        reason = f"{type(error).__name__}: {lines[-1].strip()}" if lines else type(error).__name__
        print(f"charts could not be drawn ({reason[:200]}); the replications' files are written: draw the charts "
              f"and report later with `spridning report {folder or 'FOLDER'}`", file=sys.stderr, flush=True)
        return False


def default_folder(name: str) -> Path:
    """``results/<name>-<date>-<time>``, the name made safe for any file system
    (:func:`model.names.safe_file_name`)."""
    return RESULTS_ROOT / f"{safe_file_name(name)}-{datetime.now():%Y%m%d-%H%M%S}"


class _NoBar:
    """What a run without a progress bar calls instead of tqdm's (so a quiet run does not import it)."""

    def __enter__(self) -> "_NoBar":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def update(self, n: int = 1) -> None:
        """Nothing to show."""

    def write(self, text: str) -> None:
        """Nothing to show."""


def _progress_bar(total: int, label: str, progress: bool):
    if not progress:
        return _NoBar()
    import tqdm

    tqdm.tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked from this one
    return tqdm.tqdm(total=total, desc=label, unit="run", leave=False)


def run_scenario(scenario: Scenario, replications: int | None = None, seed: int | None = None,
                 workers: int | None = None, progress: bool = True, label: str | None = None) -> ScenarioResults:
    """Run all replications of ``scenario`` (see :func:`model.runner.replicate`) with a progress bar on
    stderr unless ``progress`` is False; a first run that must compile the dynamics says so. Every run's
    outcomes stay in memory; :func:`run_to_folder` streams them to disk instead."""
    reps = replications or scenario.replications
    root = scenario.seed if seed is None else seed
    start = time.perf_counter()
    with _progress_bar(reps, label or scenario.name, progress) as bar:
        outcomes = replicate(scenario, reps, root, workers, progress=bar.update,
                             announce=bar.write if progress else None)
    return ScenarioResults(scenario, outcomes, root, time.perf_counter() - start)


def manifest(results: ScenarioResults | StreamedResults, source: str | None, workers: int | None,
             lever_usage: dict) -> dict:
    """Everything that reproduces the run: the scenario as given and resolved, every seed, versions;
    ``lever_usage`` the MSEK per lever (:meth:`FolderWriter.usage_summary`)."""
    seeds = replication_seeds(results.seed, results.runs)
    return {
        "tool": "spridning",
        "version": __version__,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "scenario_file": source,
        "scenario_files": results.scenario.files,  # the file, then each file it extends (extends: ...)
        "scenario_given": results.scenario.model_dump(mode="json", exclude_unset=True),
        "scenario_resolved": results.scenario.resolved(),
        "replications": results.runs,
        "root_seed": results.seed,
        "replication_seeds": [{"entropy": s.entropy, "spawn_key": list(s.spawn_key)} for s in seeds],
        "seeds_note": "replication r ran model.run(scenario, model.runner.replication_seed(root_seed, r)), "
                      "i.e. numpy.random.SeedSequence(root_seed, spawn_key=(r,))",
        "notes": lever_notes(results.scenario),
        "lever_usage": lever_usage,
        "workers": workers,
        "wall_seconds": round(results.wall_seconds, 3),
        "versions": versions(),
    }


def write_folder(results: ScenarioResults, out: Path, source: str | None = None, workers: int | None = None,
                 charts: bool = True, report: str | None = "en") -> Path:
    """Write every output of a scenario's replications into ``out`` (atomically: the folder appears
    complete or not at all); with ``charts``, also ``report.html`` in the language ``report`` (None: no
    report)."""
    with atomic_folder(out) as tmp:
        writer = FolderWriter(tmp, out)
        try:
            for r, outcome in enumerate(results.outcomes):
                writer.add(folder_parts(outcome, r))
            writer.finish(results, source, workers, charts, report)
        except BaseException:
            writer.discard()
            raise
    return out


def run_to_folder(scenario: Scenario, out: Path | None = None, replications: int | None = None,
                  seed: int | None = None, workers: int | None = None, source: str | None = None,
                  progress: bool = True, charts: bool = True, report: str | None = "en"
                  ) -> tuple[StreamedResults | ScenarioResults, Path]:
    """Run the replications and write the folder ``out`` (default :func:`default_folder`) atomically:
    it appears only when complete. Each replication is appended to the folder's files as it finishes, so
    the runs' outcomes are never all in memory. Returns the results (scalar outcomes per replication) and
    the folder.

    While :func:`model.calibrate.ensemble.ensemble_runs` has replaced :func:`run_scenario` (a run over a
    posterior ensemble), the runs come whole from it and are written by :func:`write_folder`.
    """
    folder = out or default_folder(scenario.name)
    if run_scenario is not _RUN_SCENARIO:
        results = run_scenario(scenario, replications, seed, workers, progress)
        return results, write_folder(results, folder, source, workers, charts, report)
    with atomic_folder(folder) as tmp:
        results = stream_replications(scenario, tmp, replications, seed, workers, source, progress, charts, report,
                                      final=folder)
    results.folder = folder
    return results, folder


def stream_replications(scenario: Scenario, tmp: Path, replications: int | None = None, seed: int | None = None,
                        workers: int | None = None, source: str | None = None, progress: bool = True,
                        charts: bool = True, report: str | None = "en", label: str | None = None,
                        by_year: bool | None = None, draws: Sequence[Scenario] = (),
                        make: Callable[..., StreamedResults] = StreamedResults, final: Path | None = None
                        ) -> StreamedResults:
    """Run the replications (default: the scenario's, from root ``seed``, default the scenario's) and write
    their results folder into the (temporary) folder ``tmp`` as they finish (:class:`FolderWriter`), then
    its tables, manifest and (``charts``, ``report``, ``by_year``: :meth:`FolderWriter.finish`) charts.
    The one home of streaming for ``run`` (:func:`run_to_folder`), ``compare``
    (:func:`model.compare.run_comparison`) and posterior ensembles: with ``draws`` (the scenario with each
    draw's values), each draw runs the replications, numbered draw by draw (run *i* is draw
    ``i // replications``, on seed *i*: :func:`model.runner.replicated`). The results are ``make(scenario, summaries, seed, seconds, tmp)``. On an
    error or Ctrl-C the streamed files' temporary files are removed. Progress is labelled ``label``
    (default: the scenario's name); messages name the folder as ``final`` (where it will be, once renamed)."""
    reps = replications or scenario.replications
    root = scenario.seed if seed is None else seed
    variants = list(draws) or [scenario]
    writer = FolderWriter(tmp, final)
    try:
        start = time.perf_counter()
        with _progress_bar(reps * len(variants), label or scenario.name, progress) as bar:
            for part in replicated(scenario, reps, root, workers, progress=bar.update,
                                   announce=bar.write if progress else None, keep=folder_parts,
                                   draws=draws):
                writer.add(part)
                if part.replication == 1:
                    _prepare_finish(charts)
        results = make(scenario, writer.summaries, root, time.perf_counter() - start, tmp)
        writer.finish(results, source, workers, charts, report, by_year)
    except BaseException:
        writer.discard()
        raise
    return results


def _prepare_finish(charts: bool) -> None:
    """While the workers run the replications, import what finishing the folder needs — the summary's t
    quantile (SciPy's special functions), with ``charts`` what drawing them needs — read the packages'
    versions for the manifest and, with ``charts``, the map's geometry (half a second that would otherwise
    come after the runs, with a core idle; the two processes that draw the maps inherit the geometry instead
    of each reading it)."""
    from .environment import collector_paused
    from .results import versions

    with collector_paused():  # imports: many objects, no garbage
        import scipy.special  # noqa: F401 - model.outcomes.intervals

        versions()
        if charts:
            from .charts import scenario  # noqa: F401
            from .charts.maps import map_shapes
            from .report import build  # noqa: F401

            map_shapes()


_RUN_SCENARIO = run_scenario
