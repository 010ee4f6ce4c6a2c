"""What a worker runs: a chunk of runs of the diffusion model or of a Python function.

A :class:`Job` holds everything a worker needs and is small (the base scenario as a mapping, the factor
paths, the replication seeds), so it travels cheaply to a local process or a Dask worker. A worker builds
the evaluator once per job (:func:`evaluator`) and reuses it for every chunk of that job.

Run ``j`` of a sweep is sample point ``j // R``, replication ``j % R`` (``R`` replications). Replication
``r`` uses the same seed at every sample point (common random numbers), so differences between points are
differences in the factors, not in the random draws.
"""

from __future__ import annotations

import copy
import importlib
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

if TYPE_CHECKING:
    from .experiment import Plan

ID_COLUMNS = ("run", "point", "replication")


class RunFailed(Exception):
    """A run raised an error; the message says which run, with which factor values."""


@dataclass(frozen=True)
class Job:
    key: str  # identifies the job in a worker's cache (the sweep's fingerprint)
    engine: str  # "scenario" or "function"
    target: Any  # the base scenario as a mapping, or "module:function"
    paths: tuple[str, ...]  # where each factor's value goes
    names: tuple[str, ...]
    integer: tuple[bool, ...]
    seeds: tuple  # per replication: a SeedSequence (scenario) or an int (function)
    constants: dict = field(default_factory=dict)
    sys_path: tuple[str, ...] = ()

    @property
    def replications(self) -> int:
        return len(self.seeds)


def replication_seeds(plan: "Plan") -> list[np.random.SeedSequence]:
    """One seed per replication, spawned from the experiment's root seed (as ``spridning run`` does)."""
    return np.random.SeedSequence(plan.seed).spawn(plan.replications)


def function_seed(seq: np.random.SeedSequence) -> int:
    """The whole-number seed a ``module:function`` model gets for a replication (fits any RNG)."""
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def fresh(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    """A new copy of a seed sequence. A run spawns child streams from its seed, which advances the
    sequence's spawn counter; every run must start from an untouched copy, or the draws of a replication
    would depend on how many runs used its seed before (and so on the chunking)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)


def make_job(plan: "Plan", key: str) -> Job:
    seqs = replication_seeds(plan)
    common = dict(paths=tuple(f.path for f in plan.factors), names=tuple(f.name for f in plan.factors),
                  integer=tuple(f.integer for f in plan.factors))
    if plan.engine == "scenario":
        return Job(key, "scenario", plan.scenario.model_dump(mode="python"), seeds=tuple(seqs), **common)
    return Job(key, "function", plan.function, seeds=tuple(function_seed(s) for s in seqs),
               constants=dict(plan.experiment.constants), sys_path=plan.sys_path, **common)


# --- evaluators (built once per job in each worker) ---------------------------------------------------
_CACHE: dict[str, Callable[[np.ndarray, Any], dict]] = {}


def evaluator(job: Job) -> Callable[[np.ndarray, Any], dict]:
    """``f(values, seed) -> dict of outputs`` for this job, cached per worker process."""
    found = _CACHE.get(job.key)
    if found is None:
        found = _scenario_evaluator(job) if job.engine == "scenario" else _function_evaluator(job)
        _CACHE.clear()  # one job at a time: keep memory flat in long-lived (Dask) workers
        _CACHE[job.key] = found
    return found


def _scenario_evaluator(job: Job):
    from ..runner import run
    from ..scenario import parse_scenario, set_path

    base = job.target
    pairs = list(zip(job.paths, job.integer))

    def evaluate(values: np.ndarray, seed: Any) -> dict:
        data = copy.deepcopy(base)
        for (path, integer), value in zip(pairs, values):
            set_path(data, path, int(round(value)) if integer else float(value), "sweep")
        return run(parse_scenario(data, "sweep"), fresh(seed)).summary

    return evaluate


def load_function(target: str, sys_path: tuple[str, ...] = ()) -> Callable:
    from .experiment import add_sys_path

    add_sys_path(sys_path)
    module_name, func_name = target.split(":")
    return getattr(importlib.import_module(module_name), func_name)


def _function_evaluator(job: Job):
    func = load_function(job.target, job.sys_path)
    names, integer, constants = job.names, job.integer, job.constants

    def evaluate(values: np.ndarray, seed: Any) -> dict:
        params = dict(constants)
        params.update({n: (int(round(v)) if i else float(v)) for n, v, i in zip(names, values, integer)})
        return func(params, seed)

    return evaluate


# --- a chunk of runs ------------------------------------------------------------------------------------
def run_chunk(job: Job, start: int, stop: int, points: np.ndarray, first_point: int) -> dict[str, np.ndarray]:
    """Runs ``start`` to ``stop - 1`` of a sweep; ``points`` holds the sample rows from ``first_point`` on.

    Returns columns: ``run``, ``point``, ``replication`` and one float column per output.
    """
    evaluate = evaluator(job)
    reps = job.replications
    runs = np.arange(start, stop, dtype=np.int64)
    point, replication = np.divmod(runs, reps)
    columns: dict[str, list[float]] = {}
    n = 0
    for j, p, r in zip(runs, point, replication):
        values = points[p - first_point]
        try:
            out = evaluate(values, job.seeds[r])
            row = _as_floats(out)
        except Exception as exc:  # say which run failed, with its inputs; keep the message picklable
            shown = ", ".join(f"{name}={v:g}" for name, v in zip(job.names, values))
            raise RunFailed(f"run {j} (sample point {p}, replication {r}) failed with {shown}: "
                            f"{type(exc).__name__}: {exc}") from None
        for key, value in row.items():
            col = columns.get(key)
            if col is None:
                col = columns[key] = [math.nan] * n
            col.append(value)
        n += 1
        for key, col in columns.items():
            if len(col) < n:
                col.append(math.nan)
    result = {"run": runs, "point": point.astype(np.int64), "replication": replication.astype(np.int64)}
    result.update({key: np.asarray(col, dtype=float) for key, col in columns.items()})
    return result


def _as_floats(out: Any) -> dict[str, float]:
    if not isinstance(out, dict):
        raise TypeError(f"the model must return a dict of named outputs, got {type(out).__name__}")
    row = {}
    for key, value in out.items():
        if key in ID_COLUMNS:
            raise ValueError(f"output name '{key}' is reserved ({', '.join(ID_COLUMNS)})")
        try:
            row[str(key)] = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"output '{key}' is not a number ({value!r})") from None
    return row


# --- the probe run ----------------------------------------------------------------------------------------
def probe(plan: "Plan") -> tuple[list[str], float]:
    """Quick runs at the middle of each factor's range: the outputs the model reports and the seconds a run
    takes (the fastest after the first, which fills caches)."""
    from ..errors import InputError
    from .experiment import middle

    job = make_job(plan, key=f"probe-{id(plan)}")
    # the middle of every factor's range: a typical run of the sweep, so its time is a fair estimate
    values = np.array([round(middle(f)) if f.integer else middle(f) for f in plan.factors], dtype=float)
    evaluate = evaluator(job)
    times = []
    budget = time.perf_counter() + 0.1
    while len(times) < 2 or (len(times) < 50 and time.perf_counter() < budget):
        start = time.perf_counter()
        try:
            out = _as_floats(evaluate(values, job.seeds[0]))
        except Exception as exc:
            where = plan.function or plan.scenario_file
            raise InputError(f"{plan.source}: a trial run of {where} failed: {type(exc).__name__}: {exc}") from None
        times.append(time.perf_counter() - start)
    seconds = min(times[1:])  # the first run fills caches
    _CACHE.clear()
    return list(out), seconds
