"""What a worker does: evaluate one chunk of runs of the diffusion model or of a Python function.

A :class:`Job` holds everything a worker needs and is small (the base scenario as a mapping, the factor
paths, the replication seeds), so it travels cheaply to a local process or a Dask worker. A worker builds
the evaluator once per job (:func:`evaluator`) and reuses it for every chunk of that job. This module is
what workers import: it imports the model only when a scenario job first runs, and never plotting.

Run ``j`` of a sweep is sample point ``j // R``, replication ``j % R`` (``R`` replications). Replication
``r`` uses the same seed at every sample point (common random numbers), so differences between points are
differences in the factors, not in the random draws.

The trial run (:func:`check_outcomes`) is an evaluation too: one run at the middle of every factor's range
tells which outcomes the model reports and how long a run takes.
"""

from __future__ import annotations

import math
import pickle
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol

import numpy as np

from ..errors import InputError, suggest
from .schema import ID_COLUMNS
from .userfunction import load_function

if TYPE_CHECKING:
    from .plan import Plan


class RunFailed(Exception):
    """A run raised an error (or a worker died); the message says which run, with which factor values."""


@dataclass(frozen=True)
class Job:
    """What every chunk of one sweep shares (pickled once per worker).

    ``key`` identifies the job in a worker's cache (the sweep's fingerprint); ``engine`` is ``"scenario"``
    (``target`` the base scenario as a mapping) or ``"function"`` (``target`` ``"module:function"``);
    ``paths`` say where each factor's value goes (a scenario path, or the key in the function's
    ``params``); ``seeds`` hold one seed per replication (a SeedSequence, or an int for a function).
    """

    key: str
    engine: str
    target: Any
    paths: tuple[str, ...]
    names: tuple[str, ...]
    integer: tuple[bool, ...]
    seeds: tuple
    constants: dict = field(default_factory=dict)
    sys_path: tuple[str, ...] = ()

    @property
    def replications(self) -> int:
        """Runs per sample point."""
        return len(self.seeds)


@dataclass(frozen=True)
class Task:
    """One chunk of a sweep: runs ``start`` to ``stop - 1``; ``rows`` are the model inputs of the sample
    points they cover (points x factors), from point ``first_point`` on."""

    chunk: int
    start: int
    stop: int
    rows: np.ndarray
    first_point: int


class Backend(Protocol):
    """Where the chunks of a sweep run (EMA Workbench's evaluators play this part): in this process, on
    local processes (:mod:`.pool`) or on a Dask cluster (:mod:`.cluster`). A backend is created before
    anything is written (so one that cannot start leaves no results folder behind), then :meth:`start`
    runs the tasks and :meth:`close` releases what it holds, also after an error or Ctrl-C."""

    where: str  # "in-process", "local processes", or the scheduler's address
    workers: int  # workers (threads of a cluster) the tasks are spread over; set by start()

    def start(self, job: Job, tasks: Iterator[Task], n_tasks: int) -> Iterator[tuple[int, dict]]:
        """Begin running ``tasks`` (``n_tasks`` of them) of ``job``; yields ``(chunk, columns of
        run_chunk)`` as they finish, in any order. Raises RunFailed if a run or a worker fails."""
        ...

    def close(self) -> None:
        """Stop what is still running and release processes or the connection."""
        ...


def function_seed(seq: np.random.SeedSequence) -> int:
    """The whole-number seed (0 to 2**32 - 1) a ``module:function`` model gets for a replication."""
    return int(seq.generate_state(1, dtype=np.uint32)[0])


def fresh(seed: np.random.SeedSequence) -> np.random.SeedSequence:
    """A new copy of a seed sequence. A run spawns child streams from its seed, which advances the
    sequence's spawn counter; every run must start from an untouched copy, or the draws of a replication
    would depend on how many runs used its seed before (and so on the chunking)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size)


def plan_seeds(plan: "Plan") -> list[np.random.SeedSequence]:
    """One seed per replication, spawned from the plan's root seed as ``spridning run`` does
    (:func:`model.runner.replication_seeds`)."""
    from ..runner import replication_seeds

    return replication_seeds(plan.seed, plan.replications)


def make_job(plan: "Plan", key: str) -> Job:
    """The job of a plan's sweep; ``key`` names it in the workers' caches (use the fingerprint)."""
    seqs = plan_seeds(plan)
    common = dict(paths=tuple(f.path for f in plan.factors), names=tuple(f.name for f in plan.factors),
                  integer=tuple(f.integer for f in plan.factors))
    if plan.engine == "scenario":
        return Job(key, "scenario", plan.scenario.model_dump(mode="python"), seeds=tuple(seqs), **common)
    return Job(key, "function", plan.function, seeds=tuple(function_seed(s) for s in seqs),
               constants=dict(plan.experiment.constants), sys_path=plan.sys_path, **common)


# --- evaluators (built once per job in each worker) ---------------------------------------------------
_CACHE: dict[str, Callable[[np.ndarray, Any], dict]] = {}


def evaluator(job: Job) -> Callable[[np.ndarray, Any], dict]:
    """``f(values, seed) -> dict of outputs`` for this job (``values``: one row of model inputs, one per
    factor), cached per worker process."""
    found = _CACHE.get(job.key)
    if found is None:
        found = _scenario_evaluator(job) if job.engine == "scenario" else _function_evaluator(job)
        _CACHE.clear()  # one job at a time: keep memory flat in long-lived (Dask) workers
        _CACHE[job.key] = found
    return found


def _scenario_evaluator(job: Job):
    from ..dynamics.uniforms import STUDY_LIMIT_BYTES, share
    from ..runner import run
    from ..scenario import parse_scenario, set_path

    # every sample point runs on the same R seeds: their life-cycle uniforms drawn once per worker
    share(STUDY_LIMIT_BYTES)
    # a fresh copy of the base mapping per sample point: unpickling plain data is ~7x faster than deepcopy
    base = pickle.dumps(job.target, protocol=pickle.HIGHEST_PROTOCOL)
    pairs = list(zip(job.paths, job.integer))
    last: dict[bytes, Any] = {}

    def scenario_at(values: np.ndarray) -> Any:
        # The replications of a point are consecutive runs, and a run never changes its scenario (replicate()
        # relies on that too), so validating once per point, not once per run, gives the same runs.
        key = np.asarray(values, dtype=float).tobytes()
        scenario = last.get(key)
        if scenario is None:
            data = pickle.loads(base)
            for (path, integer), value in zip(pairs, values):
                set_path(data, path, int(round(value)) if integer else float(value), "sweep")
            scenario = parse_scenario(data, "sweep")
            last.clear()
            last[key] = scenario
        return scenario

    def evaluate(values: np.ndarray, seed: Any) -> dict:
        return run(scenario_at(values), fresh(seed)).summary

    return evaluate


def _function_evaluator(job: Job):
    func = load_function(job.target, job.sys_path)
    paths, integer, constants = job.paths, job.integer, job.constants

    def evaluate(values: np.ndarray, seed: Any) -> dict:
        params = dict(constants)  # each factor by its path, whatever its label (docs/sensitivity.md)
        params.update({p: (int(round(v)) if i else float(v)) for p, v, i in zip(paths, values, integer)})
        return func(params, seed)

    return evaluate


# --- a chunk of runs ------------------------------------------------------------------------------------
def run_chunk(job: Job, start: int, stop: int, points: np.ndarray, first_point: int) -> dict[str, np.ndarray]:
    """Runs ``start`` to ``stop - 1`` of a sweep; ``points`` holds the model inputs of the sample points
    from ``first_point`` on (points x factors).

    Returns columns of ``stop - start`` values: ``run``, ``point``, ``replication`` (int64) and one float
    column per output (NaN where a run did not report it). Raises :class:`RunFailed` naming the run and its
    factor values if a run raises or returns something other than a dict of numbers.
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
            row = as_floats(evaluate(values, job.seeds[r]))
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


def as_floats(out: Any) -> dict[str, float]:
    """A run's outputs as ``{name: float}``. Raises TypeError if ``out`` is not a dict of numbers, and
    ValueError for an output named like a column of the run files (:data:`~.schema.ID_COLUMNS`) or two
    outputs whose names are the same as text."""
    if not isinstance(out, dict):
        raise TypeError(f"the model must return a dict of named outputs, got {type(out).__name__}")
    row = {}
    for key, value in out.items():
        name = str(key)
        if name in ID_COLUMNS:
            raise ValueError(f"the model returns an output named '{name}', a name the run files use for their "
                             f"own column ({', '.join(ID_COLUMNS)}); rename that output")
        if name in row:
            raise ValueError(f"the model returns two outputs named '{name}' (as text); rename one")
        try:
            row[name] = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"output '{key}' is not a number ({value!r})") from None
    return row


# --- the trial run ----------------------------------------------------------------------------------------
def probe(plan: "Plan") -> tuple[list[str], float]:
    """Quick runs at the middle of each factor's range: the outputs the model reports and the seconds a run
    takes (the fastest after the first, which fills caches). Raises InputError if the run fails."""
    from .factors import middle

    job = make_job(plan, key=f"probe-{id(plan)}")
    # the middle of every factor's range: a typical run of the sweep, so its time is a fair estimate
    values = np.array([round(middle(f)) if f.integer else middle(f) for f in plan.factors], dtype=float)
    evaluate = evaluator(job)
    times = []
    budget = time.perf_counter() + 0.1
    while len(times) < 2 or (len(times) < 50 and time.perf_counter() < budget):
        start = time.perf_counter()
        try:
            out = as_floats(evaluate(values, job.seeds[0]))
        except Exception as exc:
            where = plan.function or plan.scenario_file
            raise InputError(f"{plan.source}: a trial run of {where} failed: {type(exc).__name__}: {exc}") from None
        times.append(time.perf_counter() - start)
    seconds = min(times[1:])  # the first run fills caches
    _CACHE.clear()
    return list(out), seconds


def check_outcomes(plan: "Plan") -> None:
    """Make a trial run (:func:`probe`) and check the experiment's outcomes against what it reports; fills
    ``plan.outcome_keys`` and ``plan.seconds_per_run``. Raises InputError listing every unknown outcome."""
    keys, seconds = probe(plan)
    plan.outcome_keys, plan.seconds_per_run = keys, seconds
    unknown = [f"{plan.source}: outcomes[{i}]: unknown outcome '{o.name}'{suggest(o.name, keys)}; "
               f"allowed: {', '.join(keys)}" for i, o in enumerate(plan.outcomes) if o.name not in keys]
    if unknown:
        raise InputError("\n".join(unknown))
