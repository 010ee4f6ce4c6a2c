"""A sensitivity experiment from file to indices: what ``spridning sensitivity`` does.

:func:`run_experiment` loads and checks the experiment, draws the sample, runs (or resumes) the sweep,
computes the indices and writes everything into the output folder:

``OUT/experiment.json``  what the runs are (fingerprint; used to resume)
``OUT/samples.parquet``  the sample: one row per point, the factor values the runs got
``OUT/runs/part-*.parquet``  one row per run: run, point, replication and every output of the run
``OUT/indices/<outcome>.csv``  indices with confidence intervals (``<outcome>_S2.csv``: second order)
``OUT/indices.csv``  all outcomes in one table
``OUT/plots/<outcome>.png``  S1/ST bars (Sobol') or mu*-sigma (Morris)
``OUT/manifest.json``  the experiment as given and resolved, seeds, versions, diagnostics, warnings
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import __version__
from ..results import versions, write_csv, write_json
from .analysis import OutcomeResult, analyse, long_table, safe_name
from .engines import function_seed, replication_seeds
from .experiment import Plan, load_experiment
from .sweep import SweepStats, execute, read_runs

RESULTS_ROOT = Path("results")


@dataclass
class SensitivityResult:
    plan: Plan
    out: Path
    outcomes: list[OutcomeResult]
    stats: SweepStats
    warnings: list[str]
    manifest: dict[str, Any] = field(default_factory=dict)

    def indices(self, outcome: str | None = None) -> pd.DataFrame:
        """The indices of one outcome (default: the first), one row per factor."""
        name = outcome or self.outcomes[0].outcome
        for r in self.outcomes:
            if r.outcome == name:
                if r.indices is None:
                    raise KeyError(f"no indices for {name}: {'; '.join(r.warnings)}")
                return r.indices
        raise KeyError(name)


def default_out(plan: Plan) -> Path:
    return RESULTS_ROOT / f"{plan.name}-sensitivity"


def run_experiment(experiment: str | Path | Plan, out: str | Path | None = None, workers: int | None = None,
                   scheduler: str | None = None, client: Any = None, progress: bool = True,
                   plots: bool = True) -> SensitivityResult:
    """Run (or resume) a sensitivity experiment and write its indices, plots and manifest to ``out``.

    ``workers`` local processes (default: all cores; 1 runs in this process); ``scheduler`` the address of a
    Dask scheduler (or pass a ``distributed.Client`` as ``client``) to run the chunks on a cluster.
    """
    plan = experiment if isinstance(experiment, Plan) else load_experiment(experiment)
    out = Path(out) if out is not None else default_out(plan)
    started = time.perf_counter()
    X, notes = plan.sample()
    values = plan.model_inputs(X)
    plan.check_sampled(values)
    layout, fp, stats, resume_notes = execute(plan, X, values, out, workers, scheduler, client, progress)
    notes += resume_notes

    columns = [o.name for o in plan.outcomes]
    runs = read_runs(out, layout, columns)
    results = analyse(plan, X, runs)
    del runs
    if plan.engine == "scenario" and plan.replications == 1:
        notes.append("replications: 1: the model's own randomness is neither averaged out nor measured; use "
                     "replications: 2 or more to see how much of each outcome's variance is noise")
    all_warnings = notes + [w for r in results for w in r.warnings]

    files = write_outputs(plan, out, results, plots)
    manifest = make_manifest(plan, out, fp, layout, stats, results, all_warnings, files,
                             time.perf_counter() - started)
    write_json(_json_safe(manifest), out / "manifest.json")
    return SensitivityResult(plan, out, results, stats, all_warnings, manifest)


def write_outputs(plan: Plan, out: Path, results: list[OutcomeResult], plots: bool = True) -> list[str]:
    files = []
    for r in results:
        if r.indices is None:
            continue
        path = out / "indices" / f"{safe_name(r.outcome)}.csv"
        write_csv(r.indices, path)
        files.append(path)
        if r.second_order is not None:
            path = out / "indices" / f"{safe_name(r.outcome)}_S2.csv"
            write_csv(r.second_order, path)
            files.append(path)
        if plots:
            from .plots import morris_scatter, sobol_bars

            e = plan.experiment
            reps = f", {plan.replications} replications" if plan.replications > 1 else ""
            path = out / "plots" / f"{safe_name(r.outcome)}.png"
            if plan.method == "sobol":
                sub = f"{plan.name}: Sobol', N={e.N}{reps}, {e.confidence_level:.0%} intervals"
                files.append(sobol_bars(r.indices, r.outcome, path, sub))
            else:
                sub = f"{plan.name}: Morris, {e.optimal_trajectories or e.N} trajectories{reps}"
                files.append(morris_scatter(r.indices, r.outcome, path, sub))
    table = long_table(results)
    if len(table):
        write_csv(table, out / "indices.csv")
        files.append(out / "indices.csv")
    return [str(Path(f).relative_to(out)) for f in files]


def _json_safe(value: Any) -> Any:
    """NaN and infinity become null (JSON has no NaN)."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    return value


def seeds_record(plan: Plan) -> dict[str, Any]:
    seqs = replication_seeds(plan)
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


def make_manifest(plan: Plan, out: Path, fp: str, layout, stats: SweepStats, results: list[OutcomeResult],
                  warnings: list[str], files: list[str], seconds: float) -> dict[str, Any]:
    e = plan.experiment
    return {
        "tool": "spridning sensitivity",
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
