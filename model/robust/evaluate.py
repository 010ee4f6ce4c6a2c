"""What a worker does: run one chunk of a robustness experiment, and the backends that send chunks.

Run ``j`` of an experiment with ``P`` portfolios and ``R`` replications is replication ``j % R`` of
portfolio ``(j // R) % P`` in world ``j // (R * P)``. Its seed depends on the world and the replication
only (:func:`~.plan.world_seed`), so every portfolio meets the same draws in a world (common random
numbers) and every run is fully determined by its number: chunks may run anywhere, in any order, and an
interrupted experiment resumes with identical results.

The backends are the sensitivity sweeps' own (:mod:`model.sensitivity.pool`, :mod:`model.sensitivity.cluster`:
this process, a process pool, a Dask cluster), told to run :func:`run_chunk` of this module.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from ..errors import InputError
from ..sensitivity.cluster import DaskCluster
from ..sensitivity.evaluate import RunFailed, Task, as_floats, fresh, function_seed
from ..sensitivity.pool import InProcess, ProcessPool
from ..sensitivity.userfunction import load_function
from .plan import world_seed

if TYPE_CHECKING:
    from .plan import RobustPlan


@dataclass(frozen=True)
class RobustJob:
    """What every chunk of one experiment shares (sent once to each worker): each portfolio's scenario
    mapping (or function arguments), where the factors' values go, the worlds' values and the root seed."""

    key: str
    engine: str
    targets: tuple
    paths: tuple[str, ...]
    names: tuple[str, ...]
    integer: tuple[bool, ...]
    values: np.ndarray
    seed: int
    replications: int
    labels: tuple[str, ...] = ()
    function: str | None = None
    constants: dict = field(default_factory=dict)
    sys_path: tuple[str, ...] = ()

    @property
    def n_portfolios(self) -> int:
        """Portfolios run in every world."""
        return len(self.targets)

    def where(self, run: int) -> tuple[int, int, int]:
        """``(world, portfolio, replication)`` of run number ``run``."""
        point, replication = divmod(run, self.replications)
        world, portfolio = divmod(point, self.n_portfolios)
        return world, portfolio, replication


def make_job(plan: "RobustPlan", key: str, targets: list | None = None, labels: list[str] | None = None) -> RobustJob:
    """The job of a plan (``key`` names it in the workers' caches: use the fingerprint); ``targets`` and
    ``labels`` replace the plan's portfolios (the budget search's candidates)."""
    factors = plan.worlds.factors
    return RobustJob(key, plan.engine, tuple(targets if targets is not None else [p.target() for p in plan.portfolios]),
                     tuple(f.path for f in factors), tuple(f.name for f in factors),
                     tuple(f.integer for f in factors), plan.worlds.values, plan.seed, plan.replications,
                     tuple(labels if labels is not None else plan.names), plan.function,
                     dict(plan.experiment.constants), plan.sys_path)


_CACHE: dict[str, Callable[[int, np.ndarray, np.random.SeedSequence], dict]] = {}


def evaluator(job: RobustJob) -> Callable[[int, np.ndarray, np.random.SeedSequence], dict]:
    """``f(portfolio, world values, seed) -> outputs`` for this job, built once per worker process."""
    found = _CACHE.get(job.key)
    if found is None:
        found = _scenario_evaluator(job) if job.engine == "scenario" else _function_evaluator(job)
        _CACHE.clear()  # one job at a time: memory stays flat in long-lived workers
        _CACHE[job.key] = found
    return found


def _scenario_evaluator(job: RobustJob):
    from ..dynamics.uniforms import STUDY_LIMIT_BYTES, share
    from ..levers.anchors import PREFIX, apply
    from ..runner import run
    from ..scenario import parse_scenario, set_path

    # each portfolio of a world runs on the world's R seeds: their life-cycle uniforms drawn once
    share(STUDY_LIMIT_BYTES)
    pairs = list(zip(job.paths, job.integer))

    def evaluate(portfolio: int, values: np.ndarray, seed: np.random.SeedSequence) -> dict:
        data = copy.deepcopy(job.targets[portfolio])
        for (path, integer), value in zip(pairs, values):
            if path.startswith(PREFIX):  # every lever of the type, in the portfolios that have one
                apply(data, path, value)
                continue
            set_path(data, path, int(round(value)) if integer else float(value), "robust")
        return run(parse_scenario(data, "robust"), fresh(seed)).summary

    return evaluate


def _function_evaluator(job: RobustJob):
    func = load_function(job.function, job.sys_path)

    def evaluate(portfolio: int, values: np.ndarray, seed: np.random.SeedSequence) -> dict:
        params = dict(job.constants)
        params.update(job.targets[portfolio])
        params.update({p: (int(round(v)) if i else float(v)) for p, v, i in zip(job.paths, values, job.integer)})
        return func(params, function_seed(seed))

    return evaluate


def run_chunk(job: RobustJob, start: int, stop: int, *_: Any) -> dict[str, np.ndarray]:
    """Runs ``start`` to ``stop - 1``: columns ``run``, ``world``, ``portfolio``, ``replication`` (int64)
    and one float column per output (NaN where a run did not report it). Raises RunFailed naming the run,
    its portfolio and world values if a run fails."""
    evaluate = evaluator(job)
    ids = {k: [] for k in ("run", "world", "portfolio", "replication")}
    columns: dict[str, list[float]] = {}
    for n, j in enumerate(range(start, stop)):
        w, k, r = job.where(j)
        values = job.values[w]
        try:
            row = as_floats(evaluate(k, values, world_seed(job.seed, w, r)))
        except Exception as exc:
            shown = ", ".join(f"{name}={v:g}" for name, v in zip(job.names, values)) or "as written"
            label = job.labels[k] if k < len(job.labels) else k
            raise RunFailed(f"run {j} (portfolio {label}, world {w}: {shown}, replication {r}) failed: "
                            f"{type(exc).__name__}: {exc}") from None
        for key, value in zip(ids, (j, w, k, r)):
            ids[key].append(value)
        for key, value in row.items():
            columns.setdefault(key, [math.nan] * n).append(value)
        for col in columns.values():
            if len(col) < n + 1:
                col.append(math.nan)
    result: dict[str, np.ndarray] = {k: np.asarray(v, dtype=np.int64) for k, v in ids.items()}
    result.update({k: np.asarray(v, dtype=float) for k, v in columns.items()})
    return result


# --- backends: the sensitivity sweeps' own, running this module's chunks -----------------------------------
class InProcessRuns(InProcess):
    """Every chunk in the calling process (``--workers 1``)."""

    def start(self, job: RobustJob, tasks: Iterator[Task], n_tasks: int) -> Iterator[tuple[int, dict]]:
        """Yields ``(chunk, columns)`` for each task, in order."""
        return ((t.chunk, run_chunk(job, t.start, t.stop)) for t in tasks)


class PoolRuns(ProcessPool):
    """Chunks on local worker processes (:class:`model.sensitivity.pool.ProcessPool`)."""

    def _send(self, task: Task) -> Any:
        return self.pool.submit(run_chunk, self.job, task.start, task.stop)


class ClusterRuns(DaskCluster):
    """Chunks on a Dask cluster (:class:`model.sensitivity.cluster.DaskCluster`)."""

    def _send(self, task: Task) -> Any:
        future = self.client.submit(run_chunk, self.job_future, task.start, task.stop, pure=False)
        self.done.add(future)
        return future


# --- the trial run ------------------------------------------------------------------------------------------
def probe(plan: "RobustPlan") -> None:
    """One run of every portfolio in the middle world (the factors' middle values): fills
    ``plan.outcome_keys`` (what every portfolio reports) and ``plan.seconds_per_run``. Raises InputError
    naming the portfolio if a run fails (a factor's path missing from that portfolio, say)."""
    from ..sensitivity.factors import middle

    job = make_job(plan, key=f"probe-{id(plan)}")
    values = np.array([round(middle(f)) if f.integer else middle(f) for f in plan.worlds.factors], dtype=float)
    evaluate = evaluator(job)
    keys: list[str] | None = None
    times = []
    for k, entry in enumerate(plan.portfolios):
        for _ in range(2):  # the first run fills caches; the second is timed
            started = time.perf_counter()
            try:
                out = as_floats(evaluate(k, values, world_seed(plan.seed, 0, 0)))
            except Exception as exc:
                what = entry.file or plan.function
                raise InputError(f"{plan.source}: a trial run of portfolio '{entry.name}' ({what}) failed: "
                                 f"{type(exc).__name__}: {' '.join(str(exc).split())}") from None
            times.append(time.perf_counter() - started)
        keys = [key for key in (keys or out) if key in out]
    _CACHE.clear()
    plan.outcome_keys = keys or []
    plan.seconds_per_run = float(np.median(times[1::2])) if times else math.nan
