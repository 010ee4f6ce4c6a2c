"""A scenario's replications, run and written to a results folder.

This is what ``spridning run`` does; the Python API is :func:`run_to_folder`. The folder gets
``timeseries.parquet``, ``municipalities.parquet``, ``replications.csv`` (each run's scalar outcomes),
``summary.csv`` (each outcome's mean and 95 % intervals), ``spend.csv`` (MSEK used per lever and year),
``lever_usage.csv`` (per lever and year: money budgeted, delivered, used and unplaced, units bought and
placed, takers by kind and size band), ``lever_takers.csv`` (takers by kind, size band and county),
``manifest.json`` and ``charts/``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from pathlib import Path

import pandas as pd

from .version import __version__
from .levers.entries import lever_notes
from .names import safe_file_name
from .outcomes.collect import Outcomes
from .results import RESULTS_ROOT, atomic_folder, summary_table, versions, write_csv, write_json, write_parquet
from .runner import replicate, replication_seeds
from .scenario import Scenario




@dataclass
class ScenarioResults:
    """The replications of one scenario, as frames with a ``replication`` column."""

    scenario: Scenario
    outcomes: list[Outcomes]
    seed: int
    wall_seconds: float

    @cached_property
    def replications(self) -> pd.DataFrame:
        """One row per replication (column ``replication``), one column per scalar outcome (built once: do
        not modify the frame)."""
        frame = pd.DataFrame([o.summary for o in self.outcomes])
        frame.insert(0, "replication", range(len(self.outcomes)))
        return frame

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Each outcome's mean and intervals over replications (:func:`model.results.summary_table`)."""
        return summary_table(self.replications.drop(columns="replication"))  # built once

    def stacked(self, attribute: str) -> pd.DataFrame:
        """The ``attribute`` frame (``timeseries``, ``municipalities``, ``spend``) of every replication,
        stacked with a ``replication`` column."""
        frames = [getattr(o, attribute).assign(replication=r) for r, o in enumerate(self.outcomes)]
        return pd.concat(frames, ignore_index=True)


def default_folder(name: str) -> Path:
    """``results/<name>-<date>-<time>``, the name made safe for any file system
    (:func:`model.names.safe_file_name`)."""
    return RESULTS_ROOT / f"{safe_file_name(name)}-{datetime.now():%Y%m%d-%H%M%S}"


def run_scenario(scenario: Scenario, replications: int | None = None, seed: int | None = None,
                 workers: int | None = None, progress: bool = True, label: str | None = None) -> ScenarioResults:
    """Run all replications of ``scenario`` (see :func:`model.runner.replicate`) with a progress bar on
    stderr unless ``progress`` is False; a first run that must compile the dynamics says so."""
    import tqdm

    tqdm.tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked from this one
    reps = replications or scenario.replications
    root = scenario.seed if seed is None else seed
    start = time.perf_counter()
    with tqdm.tqdm(total=reps, desc=label or scenario.name, unit="run", disable=not progress,
                   leave=False) as bar:
        outcomes = replicate(scenario, reps, root, workers, progress=bar.update,
                             announce=bar.write if progress else None)
    return ScenarioResults(scenario, outcomes, root, time.perf_counter() - start)


def usage_summary(results: ScenarioResults) -> dict:
    """Per lever (and earmarked grant): its operator and the mean over replications of MSEK budgeted,
    delivered, used, returned and unplaced (beyond capacity, without a taker) over the run."""
    usage = results.stacked("lever_usage")
    if usage.empty:
        return {}
    money = ["budget_msek", "delivered_msek", "used_msek", "returned_msek", "unplaced_capacity_msek",
             "unplaced_no_taker_msek"]
    per_run = usage.groupby(["lever", "replication"])[money].sum().groupby("lever").mean()
    operators = usage.groupby("lever")["operator"].first()
    return {lever: {"operator": operators[lever], **{m: round(float(v), 3) for m, v in row.items()}}
            for lever, row in per_run.iterrows()}


def manifest(results: ScenarioResults, source: str | None, workers: int | None) -> dict:
    """Everything that reproduces the run: the scenario as given and resolved, every seed, versions."""
    seeds = replication_seeds(results.seed, len(results.outcomes))
    return {
        "tool": "spridning",
        "version": __version__,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "scenario_file": source,
        "scenario_given": results.scenario.model_dump(mode="json", exclude_unset=True),
        "scenario_resolved": results.scenario.resolved(),
        "replications": len(results.outcomes),
        "root_seed": results.seed,
        "replication_seeds": [{"entropy": s.entropy, "spawn_key": list(s.spawn_key)} for s in seeds],
        "seeds_note": "replication r ran model.run(scenario, model.runner.replication_seed(root_seed, r)), "
                      "i.e. numpy.random.SeedSequence(root_seed, spawn_key=(r,))",
        "notes": lever_notes(results.scenario),
        "lever_usage": usage_summary(results),
        "workers": workers,
        "wall_seconds": round(results.wall_seconds, 3),
        "versions": versions(),
    }


def write_folder(results: ScenarioResults, out: Path, source: str | None = None, workers: int | None = None,
                 charts: bool = True, report: str | None = "en") -> Path:
    """Write every output of a scenario's replications into ``out`` (each file atomically); with
    ``charts``, also ``report.html`` in the language ``report`` (None: no report)."""
    with atomic_folder(out) as tmp:
        _write_outputs(results, tmp, source, workers, charts, report)
    return out


def _write_outputs(results: ScenarioResults, out: Path, source: str | None, workers: int | None,
                   charts: bool, report: str | None = "en") -> None:
    timeseries = results.stacked("timeseries")
    municipalities = results.stacked("municipalities")
    write_parquet(timeseries, out / "timeseries.parquet")
    write_parquet(municipalities, out / "municipalities.parquet")
    write_csv(results.replications, out / "replications.csv")
    write_csv(results.summary, out / "summary.csv")
    write_csv(results.stacked("spend"), out / "spend.csv")
    write_csv(results.stacked("lever_usage"), out / "lever_usage.csv")
    write_csv(results.stacked("lever_takers"), out / "lever_takers.csv")
    if charts:
        from .charts.scenario import scenario_charts

        scenario_charts(timeseries, municipalities, out / "charts", title=results.scenario.name)
    write_json(manifest(results, source, workers), out / "manifest.json")
    if charts and report:  # the self-contained report of the folder, last (model.report)
        from .report.build import write_report

        write_report(out, lang=report, outcomes=results.outcomes)


def run_to_folder(scenario: Scenario, out: Path | None = None, replications: int | None = None,
                  seed: int | None = None, workers: int | None = None, source: str | None = None,
                  progress: bool = True, charts: bool = True, report: str | None = "en"
                  ) -> tuple[ScenarioResults, Path]:
    """Run the replications and write the folder ``out`` (default :func:`default_folder`) atomically:
    it appears only when complete. Returns the results and the folder."""
    results = run_scenario(scenario, replications, seed, workers, progress)
    folder = write_folder(results, out or default_folder(scenario.name), source, workers, charts, report)
    return results, folder
