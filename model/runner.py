"""Running the model: the one pure entry point every runner calls, and replications on all cores.

``run(scenario, seed)`` builds a model, steps it to the horizon and returns its outcomes; nothing else
has side effects. Replications get seeds spawned from one root (``numpy.random.SeedSequence``), so a
scenario's replication *r* uses the same seed in every scenario run with the same root: portfolios are
compared on common random numbers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from .model import InnovationModel
from .outcomes.collect import Outcomes, collect
from .scenario import Scenario


def run(scenario: Scenario, seed: int | np.random.SeedSequence | None = None) -> Outcomes:
    """One run of ``scenario`` with ``seed``; the same pair always gives identical outcomes."""
    model = InnovationModel(scenario, seed=seed)
    model.run_model()
    return collect(model)


def replication_seeds(root: int, replications: int) -> list[np.random.SeedSequence]:
    """Independent seeds for each replication, spawned from one root."""
    return np.random.SeedSequence(root).spawn(replications)


def _run_indexed(args: tuple[Scenario, np.random.SeedSequence, int]) -> tuple[int, Outcomes]:
    scenario, seed, index = args
    return index, run(scenario, seed)


def default_workers() -> int:
    return os.cpu_count() or 1


def replicate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Outcomes]:
    """All replications of a scenario, in replication order, on ``workers`` processes (default: all cores)."""
    reps = replications or scenario.replications
    root = scenario.seed if seed is None else seed
    seeds = replication_seeds(root, reps)
    workers = min(workers or default_workers(), reps)
    results: list[Outcomes | None] = [None] * reps
    for index, outcome in _iterate(scenario, seeds, workers):
        results[index] = outcome
        if progress:
            progress(1)
    return results  # type: ignore[return-value]


def _iterate(scenario: Scenario, seeds, workers: int) -> Iterator[tuple[int, Outcomes]]:
    jobs = [(scenario, s, i) for i, s in enumerate(seeds)]
    if workers <= 1:
        yield from map(_run_indexed, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_run_indexed, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
