"""pyabc's sampling step, made reproducible: candidates numbered, seeded by number, kept in number order.

pyabc's own parallel samplers keep the first parameter sets accepted *in time*, so a fit depends on how
fast each worker happened to be, and an interrupted fit cannot be repeated. :class:`NumberedSampler`
numbers the candidates of each generation: candidate *i* of generation *t* seeds NumPy's and Python's
global generators (which pyabc and the simulator draw from) with ``SeedSequence(seed, spawn_key=(t + 1,
i))``, and the generation keeps the accepted among candidates 0, 1, 2, ... until it has ``n``. The
population is therefore fixed by the seed — the same on one core, on many, on a Dask cluster, and when a
generation interrupted half-way is run again after a resume. (Keeping candidates in number order is also
unbiased, which keeping the fastest is not when run time depends on the parameters.)

Candidates are evaluated in chunks on a backend: in this process, on local worker processes from
:func:`model.processes.process_context` (started once, before any thread, so they fork with the compiled
model), or on a Dask cluster. A chunk carries pyabc's simulate function, pickled once per generation with
cloudpickle and loaded once per worker.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

import cloudpickle
import numpy as np
from pyabc import QuantileEpsilon
from pyabc.sampler import Sampler

from ..processes import process_pool, quiet_fork_warning

_LOADED: dict[str, Callable] = {}
IN_FLIGHT_PER_WORKER = 2


def candidate_seed(seed: int, t: int, index: int) -> int:
    """The 32-bit seed of candidate ``index`` of generation ``t`` (t = -1 for a prior sample)."""
    return int(np.random.SeedSequence(seed, spawn_key=(t + 1, index)).generate_state(1)[0])


def evaluate(key: str, payload: bytes, jobs: list[tuple[int, int]]) -> list[tuple[int, Any]]:
    """Run pyabc's simulate function (``payload``, pickled; loaded once per ``key``) for each ``(index,
    seed)`` of ``jobs``, seeding the global generators first; returns ``(index, particle)`` pairs."""
    simulate = _LOADED.get(key)
    if simulate is None:
        _LOADED.clear()
        simulate = _LOADED[key] = cloudpickle.loads(payload)
    out = []
    for index, seed in jobs:
        np.random.seed(seed)
        random.seed(seed)
        out.append((index, simulate()))
    return out


class InProcess:
    """Evaluates chunks in this process, one at a time."""

    where = "this process"
    workers = 1

    def submit(self, *args: Any) -> Future:
        """Evaluate at once; a finished future."""
        future: Future = Future()
        future.set_result(evaluate(*args))
        return future

    def wait(self, pending: set) -> set:
        """The finished futures (all of them)."""
        return set(pending)

    def cancel(self, pending: set) -> None:
        """Nothing runs in the background."""

    def close(self) -> None:
        """Nothing to release."""


class LocalProcesses:
    """Evaluates chunks on ``workers`` local processes, started now from the package's process context
    (they ignore Ctrl-C; this process gets it and stops them)."""

    where = "local processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        with quiet_fork_warning():
            self.pool = process_pool(workers)  # ignore Ctrl-C, end when this process ends
            # the pool forks its processes at the first task: start them now, under the same rule
            wait([self.pool.submit(int) for _ in range(workers)])

    def submit(self, *args: Any) -> Future:
        """Send one chunk."""
        return self.pool.submit(evaluate, *args)

    def wait(self, pending: set) -> set:
        """Block until at least one of ``pending`` is finished; return the finished ones."""
        return wait(pending, return_when=FIRST_COMPLETED)[0]

    def cancel(self, pending: set) -> None:
        """Cancel chunks not yet started (those running finish and are ignored)."""
        for future in pending:
            future.cancel()

    def close(self) -> None:
        """Stop the processes."""
        self.pool.shutdown(wait=True, cancel_futures=True)


class ClusterLost(Exception):
    """The connection to the Dask scheduler, or a worker, was lost; ``str`` says which and why."""


def _lost(where: str, exc: BaseException) -> ClusterLost | None:
    """A ClusterLost for ``exc`` if it says the cluster went away (the connection closed or timed out, the
    futures forgotten by a scheduler that restarted, a worker killed), else None (a failure of the run).
    What counts as lost has one home, :func:`model.sensitivity.cluster.cluster_lost`."""
    from ..sensitivity.cluster import cluster_lost

    lost = cluster_lost(exc, f"the Dask cluster at {where}", "a chunk of candidates")
    return ClusterLost(lost.problem) if lost is not None else None


class DaskWorkers:
    """Evaluates chunks on the workers of a Dask cluster through ``client`` (``close`` closes it only if
    ``own``). A lost connection or worker raises :class:`ClusterLost` from ``submit`` and ``wait`` and
    from the results of the futures they return."""

    def __init__(self, client: Any, where: str, own: bool) -> None:
        self.client, self.where, self.own = client, where, own
        self.workers = sum(client.nthreads().values()) or 1
        self._payload: tuple[str, Any] | None = None

    def submit(self, key: str, payload: bytes, jobs: list[tuple[int, int]]) -> Any:
        """Send one chunk (the payload is scattered to the cluster once per generation)."""
        try:
            if self._payload is None or self._payload[0] != key:
                self._payload = (key, self.client.scatter(payload, broadcast=True, hash=False))
            return _Result(self.client.submit(evaluate, key, self._payload[1], jobs, pure=False), self.where)
        except Exception as exc:
            raise _lost(self.where, exc) or exc

    def wait(self, pending: set) -> set:
        """Block until at least one of ``pending`` is finished; return the finished ones."""
        from distributed import wait as dask_wait

        by_future = {p.future: p for p in pending}
        try:
            done = dask_wait(list(by_future), return_when="FIRST_COMPLETED").done
        except Exception as exc:
            raise _lost(self.where, exc) or exc
        return {by_future[f] for f in done}

    def cancel(self, pending: set) -> None:
        """Cancel the chunks still pending (nothing to cancel on a lost connection)."""
        if pending:
            try:
                self.client.cancel([p.future for p in pending])
            except Exception:  # the connection is gone: so are the chunks
                pass

    def close(self) -> None:
        """Close the connection if this backend made it."""
        if self.own:
            try:
                self.client.close()
            except Exception:  # a lost connection has nothing left to close
                pass


class _Result:
    """A Dask future whose ``result()`` raises :class:`ClusterLost` when the cluster went away."""

    def __init__(self, future: Any, where: str) -> None:
        self.future, self.where = future, where

    def result(self) -> Any:
        """The chunk's result."""
        try:
            return self.future.result()
        except Exception as exc:
            raise _lost(self.where, exc) or exc


class NumberedSampler(Sampler):
    """A pyabc sampler whose populations are fixed by ``seed`` (see the module docstring).

    ``limit(t)`` gives the most candidates generation ``t`` may evaluate (the budget left); a generation
    that reaches it stops unfinished (pyabc then ends the fit with the previous generation).
    ``progress(t, accepted, evaluated)`` is called after every chunk.
    """

    def __init__(self, backend: Any, seed: int, limit: Callable[[int], float] | None = None,
                 progress: Callable[[int, int, int], None] | None = None, chunk: int = 8) -> None:
        super().__init__()
        self.backend, self.seed, self.chunk = backend, seed, chunk
        self.limit = limit or (lambda t: np.inf)
        self.progress = progress
        self.stopped_by_budget = False
        self.evaluated_total = 0  # candidates actually run (also those computed beyond the last kept)

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                ana_vars=None):
        """The first ``n`` accepted candidates of generation ``t`` in number order (all of the first ``n``
        with ``all_accepted``); ``sample.ok`` is False if the budget or ``max_eval`` ran out first."""
        limit = min(max_eval, self.limit(t))
        key = f"{t}-{uuid.uuid4().hex}"
        payload = cloudpickle.dumps(simulate_one)
        results: dict[int, Any] = {}
        pending: set = set()
        next_index = kept = accepted = 0
        cap = IN_FLIGHT_PER_WORKER * self.backend.workers
        try:
            while True:
                while len(pending) < cap and next_index < limit:
                    stop = int(min(next_index + self.chunk, limit))
                    jobs = [(i, candidate_seed(self.seed, t, i)) for i in range(next_index, stop)]
                    pending.add(self.backend.submit(key, payload, jobs))
                    next_index = stop
                if not pending:
                    break
                for future in self.backend.wait(pending):
                    pending.discard(future)
                    for index, particle in future.result():
                        results[index] = particle
                        self.evaluated_total += 1
                while kept in results and accepted < n:
                    accepted += bool(all_accepted or results[kept].accepted)
                    kept += 1
                if self.progress is not None:
                    self.progress(t, accepted, kept)
                if accepted >= n:
                    break
        finally:
            self.backend.cancel(pending)
        sample = self._create_empty_sample()
        for index in range(kept):
            sample.append(results[index])
        self.nr_evaluations_ = kept
        if accepted < n:
            sample.ok = False
            self.stopped_by_budget = True
        return sample


# pyabc's sampler metaclass wraps sample_until_n_accepted (checking its output) without keeping its docstring
NumberedSampler.sample_until_n_accepted.__doc__ = (
    "The first ``n`` accepted candidates of generation ``t`` in number order (all of the first ``n`` with "
    "``all_accepted``); ``sample.ok`` is False if the budget or ``max_eval`` ran out first.")


class ResumableMedian(QuantileEpsilon):
    """The tolerance of each generation: the weighted median distance of the previous one, and infinite for
    generation 0 (the prior sample, no calibration sample). When a fit resumes it is computed from the stored
    generation, as when the fit runs through — pyabc's numeric initial tolerance would start the resumed
    generation at infinity again."""

    def __init__(self) -> None:
        super().__init__(initial_epsilon="from_sample", alpha=0.5)

    def requires_calibration(self) -> bool:
        """No sample from the prior before generation 0: generation 0 is that sample."""
        return False

    def initialize(self, t, get_weighted_distances, get_all_records, max_nr_populations, acceptor_config):
        """Infinite for generation 0, else the weighted median of generation ``t - 1`` (from the database)."""
        if t == 0:
            self._look_up = {0: np.inf}
        else:
            self._update(t, get_weighted_distances())

