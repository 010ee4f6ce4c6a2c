"""Running the model: the one pure entry point every runner calls, and replications on all cores.

``run(scenario, seed)`` builds a model, steps it to the horizon and returns its outcomes; nothing else
has side effects. Replications get seeds spawned from one root (``numpy.random.SeedSequence``):
replication *r* of root seed *S* is ``run(scenario, replication_seed(S, r))``, and
``spridning run --seed S --reps R`` runs replications 0 to R-1 of root S. A scenario's replication *r*
uses the same seed in every scenario run with the same root, so portfolios are compared on common random
numbers. Note that ``run(scenario, seed=S)`` with a plain integer is a different run from replication 0
of root S (``replication_seed(S, 0)``): the integer seeds the model's generator directly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from .model import InnovationModel
from .outcomes.collect import Outcomes, collect
from .processes import imap_indexed
from .scenario import Scenario

#: below this many seconds of work left after the first replication, worker processes cost more than
#: they save, so the rest runs in this process
POOL_WORTH_SECONDS = 0.3


def run(scenario: Scenario, seed: int | np.random.SeedSequence | None = None) -> Outcomes:
    """One run of ``scenario`` with ``seed``; the same pair always gives identical outcomes."""
    model = InnovationModel(scenario, seed=seed)
    model.run_model()
    return collect(model)


def replication_seeds(root: int, replications: int) -> list[np.random.SeedSequence]:
    """Independent seeds for replications ``0 .. replications - 1``, spawned from one root seed."""
    return np.random.SeedSequence(root).spawn(replications)


def replication_seed(root: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication`` (0-based) of root seed ``root``: ``run(scenario,
    replication_seed(S, r))`` is replication *r* of ``spridning run --seed S``."""
    return np.random.SeedSequence(root, spawn_key=(replication,))


def default_workers() -> int:
    """All cores."""
    return os.cpu_count() or 1


def _run_indexed(args: tuple[Scenario, np.random.SeedSequence, int]) -> tuple[int, Outcomes]:
    scenario, seed, index = args
    return index, run(scenario, seed)


def compiled_code_is_cached() -> bool:
    """Whether the compiled dynamics are already in numba's on-disk cache (else the first run compiles
    them, which takes 15-25 s)."""
    from .dynamics import quarters

    try:
        return os.path.exists(quarters._quarters._cache._cache_file._index_path)
    except AttributeError:  # another numba's internals: assume cached rather than announce wrongly
        return True


def replicate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> list[Outcomes]:
    """All replications of a scenario, in replication order.

    ``replications`` (default: the scenario's) runs with seeds from root ``seed`` (default: the
    scenario's), see :func:`replication_seed`; on up to ``workers`` processes (default: all cores). The
    first replication runs in this process — it compiles or loads the compiled dynamics, so forked workers
    start warm — and the rest go to workers only when that pays. ``progress(1)`` is called after each
    replication; ``announce(text)`` once if the dynamics must first be compiled. Returns a list of
    :class:`~model.outcomes.collect.Outcomes` of length ``replications``.
    """
    reps = replications or scenario.replications
    root = scenario.seed if seed is None else seed
    seeds = replication_seeds(root, reps)
    if announce is not None and not compiled_code_is_cached():
        announce("compiling the model's dynamics (first run in this environment, about 20 s) ...")
    results: list[Outcomes | None] = [None] * reps
    start = time.perf_counter()
    results[0] = run(scenario, seeds[0])
    if progress:
        progress(1)
    left = reps - 1
    workers = min(workers or default_workers(), left)
    if workers > 1 and (time.perf_counter() - start) * left > POOL_WORTH_SECONDS:
        jobs = [(scenario, seeds[i], i) for i in range(1, reps)]
        outcomes = imap_indexed(_run_indexed, jobs, workers, chunksize=max(1, len(jobs) // (8 * workers)))
    else:
        outcomes = (_run_indexed((scenario, seeds[i], i)) for i in range(1, reps))
    for index, outcome in outcomes:
        results[index] = outcome
        if progress:
            progress(1)
    return results  # type: ignore[return-value]
