"""A robustness experiment from file to tables: what ``spridning robust`` does.

:func:`load_experiment` reads, validates and resolves the experiment and makes a trial run of every
portfolio; :func:`run_experiment` runs (or resumes) the ensemble, computes the robustness metrics
(:mod:`.metrics`), scenario discovery (:mod:`.discovery`) and, when the file asks for one, the budget
search (:mod:`.search`), and writes everything into the results folder (:mod:`.outputs`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..compare.dependence import dependence_table
from ..results import RESULTS_ROOT
from ..sensitivity.evaluate import Backend
from ..sensitivity.sweep import SweepStats, read_runs
from .discovery import Discovery, discover
from .evaluate import probe
from .metrics import (distributions, missing_notes, pairwise_table, rank_tables, regret_table, satisficing_notes,
                      satisficing_table, world_means)
from .plan import RobustPlan, check_names, never_when_missing, resolve
from .schema import parse_schema, read_experiment
from .stream import execute
from .voi import voi_table


@dataclass
class Analysis:
    """The robustness metrics of an ensemble: ``values`` (outcome -> worlds x portfolios means), the tables
    (``distributions``, ``regret``, ``satisficing``, ``pairwise``, ``ranks``, ``stability``, ``voi``,
    ``dependence``: how each ranking depends on each factor, :mod:`model.compare.dependence`) and the
    scenario discovery, if asked for; ``notes``: warnings about what the tables could not use (worlds
    without a value, thresholds no portfolio or every portfolio meets)."""

    values: dict[str, np.ndarray]
    tables: dict[str, pd.DataFrame]
    discovery: Discovery | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class RobustResult:
    """What :func:`run_experiment` returns: the plan, the folder, the analysis (None for a search alone),
    the search's result, how the runs ran, the warnings and the manifest."""

    plan: RobustPlan
    out: Path
    analysis: Analysis | None
    search: Any = None
    stats: SweepStats | None = None
    warnings: list[str] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> pd.DataFrame:
        """One of the analysis tables (``regret``, ``satisficing``, ``pairwise``, ...)."""
        if self.analysis is None:
            raise KeyError(f"{name}: this experiment compared no portfolios")
        return self.analysis.tables[name]


def parse_experiment(data: Any, source: str = "<experiment>", base_dir: str | Path | None = None,
                     probe_runs: bool = True) -> RobustPlan:
    """The plan of an experiment given as a mapping (parsed YAML); with ``probe_runs`` checked by a trial
    run of every portfolio. Raises InputError (``FILE: field: problem; what is allowed``)."""
    plan = resolve(parse_schema(data, source), data, source, None, base_dir)
    return _checked(plan, probe_runs)


def load_experiment(path: str | Path, probe_runs: bool = True, point: bool = False) -> RobustPlan:
    """Read, validate and resolve an experiment YAML file (errors name the file and line); ``point``: an
    experiment without worlds runs in one world, not over the shipped posterior (``--point``)."""
    exp, data, where = read_experiment(path)
    plan = resolve(exp, data, str(path), where, Path(path).resolve().parent, point=point)
    return _checked(plan, probe_runs)


def _checked(plan: RobustPlan, probe_runs: bool) -> RobustPlan:
    """The plan after the checks that need runs: the trial run, the names it reports, the search's levers."""
    if probe_runs:
        probe(plan)
        check_names(plan)
    if plan.experiment.search is not None:
        from .search import check_levers

        check_levers(plan)
    return plan


def default_out(plan: RobustPlan) -> Path:
    """The default results folder: ``results/<experiment name>-robust``."""
    return RESULTS_ROOT / f"{plan.name}-robust"


def analyse(plan: RobustPlan, runs: pd.DataFrame) -> Analysis:
    """The robustness metrics of the runs (see :mod:`.metrics`), and PRIM for ``discovery``."""
    exp = plan.experiment
    criteria = {c.name: c.better for c in plan.criteria()}
    needed = list(dict.fromkeys(plan.outcomes() + list(criteria) + list(exp.thresholds) +
                                list((exp.discovery.fails or {}) if exp.discovery else [])))
    baseline = plan.names.index(plan.baseline) if plan.baseline is not None else None
    values = world_means(runs, plan.worlds.n, len(plan.portfolios), needed, baseline)
    weights, names, level = plan.worlds.weights, plan.names, exp.confidence_level
    never = {o for o in criteria if never_when_missing(o)}
    notes = missing_notes(values, criteria, names, never)
    tables = {"distributions": distributions({o: values[o] for o in plan.outcomes()}, weights, names)}
    tables["regret"], _ = regret_table(values, criteria, weights, names, level, exp.resamples, plan.seed, never)
    if exp.thresholds:
        tables["satisficing"] = satisficing_table(values, exp.thresholds, weights, names, level)
        notes += satisficing_notes(tables["satisficing"])
    if len(names) > 1:
        tables["pairwise"] = pairwise_table(values, criteria, weights, names, level, never)
        tables["ranks"], tables["stability"] = rank_tables(values, criteria, weights, names, never)
        tables["dependence"] = dependence_table(values, criteria, plan.worlds.values, plan.worlds.names, names,
                                                weights)
        tables["voi"] = voi_table(values, criteria, plan.worlds.values, plan.worlds.names, names, weights, level,
                                  exp.resamples, plan.seed)
    found = None
    if exp.discovery is not None:
        d = exp.discovery
        found = discover(d.portfolio, names.index(d.portfolio), values, d.fails or exp.thresholds,
                         plan.worlds.frame(), weights, plan.worlds.factors, d.peel_alpha, d.paste_alpha,
                         d.mass_min, d.density_min)
    return Analysis(values, tables, found, notes)


def run_experiment(experiment: str | Path | RobustPlan, out: str | Path | None = None, workers: int | None = None,
                   scheduler: str | None = None, client: Any = None, progress: bool = True, charts: bool = True,
                   backend: Backend | None = None) -> RobustResult:
    """Run (or resume) a robustness experiment and write its tables, charts, summary and manifest to
    ``out`` (default ``results/<name>-robust``).

    ``workers`` local processes (default: all cores; 1 runs in this process); ``scheduler`` a Dask
    scheduler's address (or a ``distributed.Client`` as ``client``, or any ``backend``). Everything is
    checked before ``out`` is created: InputError for a bad experiment or a cluster not reached; RunFailed
    if a run fails (finished chunks are kept, and the same call continues)."""
    from .outputs import write_analysis, write_manifest

    plan = experiment if isinstance(experiment, RobustPlan) else load_experiment(experiment)
    out = Path(out) if out is not None else default_out(plan)
    started = time.perf_counter()
    notes = list(plan.worlds.notes)
    result = RobustResult(plan, out, None)
    if plan.experiment.portfolios:
        layout, fp, stats, resume_notes = execute(plan, out, workers, scheduler, client, progress, backend)
        notes += resume_notes
        runs = read_runs(out, layout)
        result.analysis = analyse(plan, runs)
        result.stats = stats
        del runs
        notes += result.analysis.notes
        if result.analysis.discovery is not None:
            notes += [f"discovery: {n}" for n in result.analysis.discovery.notes]
        if plan.replications == 1 and plan.engine == "scenario":
            notes.append("replications: 1: a portfolio's result in a world is one noisy run; 'A beats B' then "
                         "counts luck too; use 4 or more")
    if plan.experiment.search is not None:
        from .search import run_search

        result.search = run_search(plan, out / "search", workers, scheduler, client, progress, charts)
        notes += result.search.notes
    result.warnings = notes
    files = write_analysis(result, charts) if result.analysis is not None else []
    if result.search is not None:
        files += [f"search/{f}" for f in result.search.files]
    result.manifest = write_manifest(result, files, time.perf_counter() - started)
    return result
