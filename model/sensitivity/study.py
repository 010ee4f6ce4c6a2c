"""A sensitivity experiment from file to indices: what ``spridning sensitivity`` does.

:func:`load_experiment` reads, validates and resolves the experiment and makes a trial run;
:func:`run_experiment` draws the sample, runs (or resumes) the sweep, computes the indices and writes
everything into the output folder:

``OUT/experiment.json``  what the runs are (fingerprint; used to resume)
``OUT/samples.parquet``  the sample: one row per point, the factor values the runs got
``OUT/runs/part-*.parquet``  one row per run: run, point, replication and every output of the run
``OUT/indices/<outcome>.csv``  indices with confidence intervals (``<outcome>_S2.csv``: second order)
``OUT/indices.csv``  all outcomes in one table
``OUT/plots/<outcome>.png``  S1/ST bars (Sobol') or mu*-sigma (Morris)
``OUT/manifest.json``  the experiment as given and resolved, seeds, versions, diagnostics, warnings, and
the files above that this analysis wrote

Analysing again (other outcomes, plots off) removes the index and plot files an earlier analysis wrote
(as its manifest lists them) that this one did not write, and nothing else.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from ..version import __version__
from ..results import RESULTS_ROOT
from ..results import versions, write_csv, write_json
from .analysis import OutcomeResult, analyse, long_table
from .evaluate import Backend, check_outcomes, function_seed, plan_seeds
from .plan import Plan, resolve
from .schema import file_stem, parse_experiment_schema, read_experiment
from .sweep import TOOL, SweepStats, execute, read_runs

MANIFEST = "manifest.json"
ANALYSIS_FOLDERS = ("indices", "plots")


@dataclass
class SensitivityResult:
    """What :func:`run_experiment` returns: the plan, the results folder, each outcome's analysis, how the
    sweep ran, every warning (one line each) and the manifest as written."""

    plan: Plan
    out: Path
    outcomes: list[OutcomeResult]
    stats: SweepStats
    warnings: list[str]
    manifest: dict[str, Any] = field(default_factory=dict)

    def indices(self, outcome: str | None = None) -> pd.DataFrame:
        """The indices of one outcome (default: the first), one row per factor or group. Raises KeyError
        for an outcome not analysed, or one without indices (the message gives the warnings)."""
        name = outcome or self.outcomes[0].outcome
        for r in self.outcomes:
            if r.outcome == name:
                if r.indices is None:
                    raise KeyError(f"no indices for {name}: {'; '.join(r.warnings)}")
                return r.indices
        raise KeyError(name)


def parse_experiment(data: Any, source: str = "<experiment>", base_dir: str | Path | None = None,
                     probe: bool = True) -> Plan:
    """The plan of an experiment given as a mapping (parsed YAML): validated, resolved against its scenario
    or function, and (with ``probe``) checked by one trial run that also times a run. Raises InputError
    (``FILE: field: problem; what is allowed``)."""
    plan = resolve(parse_experiment_schema(data, source), data, source, base_dir)
    if probe:
        check_outcomes(plan)
    return plan


def load_experiment(path: str | Path, probe: bool = True) -> Plan:
    """Read, validate and resolve an experiment YAML file (see :func:`parse_experiment`)."""
    exp, data = read_experiment(path)
    plan = resolve(exp, data, str(path), Path(path).resolve().parent)
    if probe:
        check_outcomes(plan)
    return plan


def default_out(plan: Plan) -> Path:
    """The default results folder: ``results/<experiment name>-sensitivity``."""
    return RESULTS_ROOT / f"{plan.name}-sensitivity"


def run_experiment(experiment: str | Path | Plan, out: str | Path | None = None, workers: int | None = None,
                   scheduler: str | None = None, client: Any = None, progress: bool = True,
                   plots: bool = True, backend: Backend | None = None) -> SensitivityResult:
    """Run (or resume) a sensitivity experiment and write its indices, plots and manifest to ``out``.

    ``workers`` local processes (default: all cores; 1 runs in this process); ``scheduler`` the address of a
    Dask scheduler (or pass a ``distributed.Client`` as ``client``, or any ``backend``) to run the chunks
    elsewhere. Everything is checked before ``out`` is created: InputError for a bad experiment, a sample
    the model cannot take, or a cluster not reached; RunFailed if a run fails (finished chunks are kept).
    """
    plan = experiment if isinstance(experiment, Plan) else load_experiment(experiment)
    out = Path(out) if out is not None else default_out(plan)
    started = time.perf_counter()
    X, notes = plan.sample()
    values = plan.model_inputs(X)
    plan.check_sampled(values)
    layout, fp, stats, resume_notes = execute(plan, X, values, out, workers, scheduler, client, progress, backend)
    notes += resume_notes

    runs = read_runs(out, layout, [o.name for o in plan.outcomes])
    results = analyse(plan, X, runs)
    del runs
    if plan.engine == "scenario" and plan.replications == 1:
        notes.append("replications: 1: the model's own randomness is neither averaged out nor measured; use "
                     "replications: 2 or more to see how much of each outcome's variance is noise")
    all_warnings = notes + [w for r in results for w in r.warnings]

    previous = files_written_before(out)
    files = write_outputs(plan, out, results, plots)
    removed = remove_stale(out, previous, files)
    manifest = make_manifest(plan, fp, layout, stats, results, all_warnings, files, time.perf_counter() - started)
    manifest["files_removed"] = removed
    write_json(json_safe(manifest), out / MANIFEST)
    return SensitivityResult(plan, out, results, stats, all_warnings, manifest)


def write_outputs(plan: Plan, out: Path, results: list[OutcomeResult], plots: bool = True) -> list[str]:
    """Write each outcome's index tables (and plots), and ``indices.csv``; return the files written,
    relative to ``out`` with ``/`` separators (as :func:`~.schema.outcome_files` names them)."""
    files = []
    for r in results:
        if r.indices is None:
            continue
        stem = file_stem(r.outcome)
        path = out / "indices" / f"{stem}.csv"
        write_csv(r.indices, path)
        files.append(path)
        if r.second_order is not None:
            path = out / "indices" / f"{stem}_S2.csv"
            write_csv(r.second_order, path)
            files.append(path)
        if plots:
            files.append(_plot(plan, r, out / "plots" / f"{stem}.png"))
    table = long_table(results)
    if len(table):
        write_csv(table, out / "indices.csv")
        files.append(out / "indices.csv")
    return [Path(f).relative_to(out).as_posix() for f in files]


def _plot(plan: Plan, r: OutcomeResult, path: Path) -> Path:
    from ..charts.sensitivity import morris_scatter, sobol_bars  # only when plotting: keeps workers light

    e = plan.experiment
    reps = f", {plan.replications} replications" if plan.replications > 1 else ""
    if plan.method == "sobol":
        sub = f"{plan.name}: Sobol', N={e.N}{reps}, {e.confidence_level:.0%} intervals"
        return sobol_bars(r.indices, r.outcome, path, sub)
    sub = f"{plan.name}: Morris, {e.optimal_trajectories or e.N} trajectories{reps}"
    return morris_scatter(r.indices, r.outcome, path, sub)


def files_written_before(out: Path) -> list[str]:
    """The analysis files the manifest in ``out`` lists (empty if there is none, it is unreadable, or
    another tool wrote it)."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = manifest.get("files", []) if manifest.get("tool") == TOOL else []
    except (OSError, ValueError, AttributeError):
        return []
    return [f for f in files if isinstance(f, str)] if isinstance(files, list) else []


def _analysis_file(rel: str) -> bool:
    """Whether ``rel`` names a file an analysis writes: ``indices.csv``, or a file directly in ``indices/``
    or ``plots/`` (never anything else, whatever a manifest says)."""
    parts = PurePosixPath(rel).parts
    if parts == ("indices.csv",):
        return True
    return len(parts) == 2 and parts[0] in ANALYSIS_FOLDERS and parts[1] not in ("", ".", "..")


def remove_stale(out: Path, previous: list[str], now: list[str]) -> list[str]:
    """Delete the files of ``previous`` (written by an earlier analysis) that this analysis (``now``) did
    not write, and the analysis folders left empty; return what was deleted (relative to ``out``)."""
    keep = set(now)
    removed = []
    for rel in previous:
        path = out / rel
        if rel not in keep and _analysis_file(rel) and path.is_file():
            path.unlink()
            removed.append(rel)
    for folder in ANALYSIS_FOLDERS:
        path = out / folder
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinity (nested in dicts and lists) replaced by None: JSON has no NaN."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    return value


def seeds_record(plan: Plan) -> dict[str, Any]:
    """The seeds of the sweep for the manifest: root, sampler, and each replication's seed (entropy and
    spawn key for the diffusion model; the whole number a function gets)."""
    seqs = plan_seeds(plan)
    record: dict[str, Any] = {
        "root_seed": plan.seed,
        "sampler_seed": plan.seed if not (plan.method == "sobol" and plan.experiment.sampler == "saltelli") else None,
        "note": "replication r uses the same seed at every sample point (common random numbers)",
    }
    if plan.engine == "scenario":
        record["replication_seeds"] = [{"entropy": s.entropy, "spawn_key": list(s.spawn_key)} for s in seqs]
    else:
        record["replication_seeds"] = [function_seed(s) for s in seqs]
    return record


def make_manifest(plan: Plan, fp: str, layout, stats: SweepStats, results: list[OutcomeResult],
                  warnings: list[str], files: list[str], seconds: float) -> dict[str, Any]:
    """The manifest of an analysis (``manifest.json``): the experiment as given and resolved, seeds, how
    the runs ran, each outcome's diagnostics, the warnings, the files written and package versions."""
    e = plan.experiment
    return {
        "tool": TOOL,
        "version": __version__,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "experiment_file": plan.source,
        "experiment_given": plan.given,
        "experiment_resolved": plan.resolved(),
        "base_scenario_file": plan.scenario_file,
        "base_scenario_resolved": plan.scenario.resolved() if plan.scenario is not None else None,
        "model_function": plan.function,
        "fingerprint": fp,
        "method": e.method,
        "N": e.N,
        "sample_points": layout.n_points,
        "replications": plan.replications,
        "runs": layout.n_runs,
        "chunk_size": layout.chunk_size,
        "chunks": layout.n_chunks,
        "seeds": seeds_record(plan),
        "noise_handling": (f"each sample point is run {plan.replications} time(s) with the replication seeds "
                           "above and the outcome averaged over them before the indices are computed"),
        "execution": {
            "where": stats.where,
            "workers": stats.workers,
            "runs_already_on_disk": stats.runs_resumed,
            "runs_this_invocation": stats.runs_done_now,
            "run_seconds_this_invocation": round(stats.seconds, 3),
            "runs_per_second": round(stats.rate, 2) if np.isfinite(stats.rate) else None,
            "seconds_per_run_single": plan.seconds_per_run,
            "total_seconds_this_invocation": round(seconds, 3),
        },
        "outcomes": {r.outcome: r.diagnostics for r in results},
        "warnings": warnings,
        "files": files,
        "versions": versions(),
    }
