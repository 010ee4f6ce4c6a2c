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
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .dynamics import quarters
from .environment import collector_paused, mark_said, say_compiling_ahead, say_once
from .model import InnovationModel
from .processes import imap_indexed
from .scenario import Scenario

if TYPE_CHECKING:  # pandas, imported by a run (after the compiling process started: run())
    from .outcomes.collect import Outcomes

#: replications per pool of workers and per worker: results are yielded in replication order, so those
#: that arrive early wait; one pool at a time bounds how many can wait (a results folder streams each
#: replication to disk as it comes, and its memory must not grow with the number of replications)
WINDOW_PER_WORKER = 64

#: below this many seconds of work left after the first replication, worker processes cost more than
#: they save, so the rest runs in this process
POOL_WORTH_SECONDS = 0.3


def run(scenario: Scenario, seed: int | np.random.SeedSequence | None = None) -> Outcomes:
    """One run of ``scenario`` with ``seed``; the same pair always gives identical outcomes."""
    compiling = compile_ahead(scenario, seed)  # first, so that pandas loads while the life cycle compiles
    with collector_paused(compiling):
        from .outcomes.collect import collect
    return collect(run_model(scenario, seed))


def run_model(scenario: Scenario, seed: int | np.random.SeedSequence | None = None,
              until: int | None = None) -> InnovationModel:
    """The model of :func:`run` run to its horizon, or to quarter ``until``
    (:meth:`InnovationModel.run_model`), its outcomes not collected (for callers that read only a part,
    such as the calibration's stage-history targets)."""
    compiling = compile_ahead(scenario, seed)
    with collector_paused(compiling):  # numba's compiler: many objects, no garbage
        model = InnovationModel(scenario, seed=seed)
        if compiling and scenario.levers:
            _compile_loop_first(model)
        model.run_model(until)
    return model


def _compile_loop_first(model: InnovationModel) -> None:
    """In a fresh environment, once ``model`` is built: fork a process that runs its levers (the quarters
    not advanced: :func:`_levers_only`), which compiles their kernels into the cache, while this one
    compiles the quarter loop for ``model``'s types once the life cycle is compiled (in another process
    since :func:`compile_ahead`: three compiling processes on two cores had made the first run slower),
    then let it finish: the levers load their kernels from the cache. Without it the levers compile theirs
    first, alone. Compiling changes no result; a type found here other than the run's only means the loop
    is compiled again."""
    from .dynamics import compiling

    compiling.start_run(lambda: _levers_only(model), lambda: say_compiling_ahead(COMPILING_LEVERS))
    # the life cycle first: the two processes have both cores until it is compiled
    quarters.compile_first(quarters.arguments(model.context), life_cycle_first=True)
    # then the levers' compiled quarters from the last: the other process compiles them from the first, and
    # each loads from the cache what the other has compiled (model.levers.compiled)
    from .levers.kernels import kernels

    kernels("compiled").compile_quarters(model.context, model.acting_levers[::-1], model.quarter)
    compiling.wait_run()


def _levers_only(model: InnovationModel) -> None:
    """Run ``model`` with its quarters not advanced (the levers act on its first quarter's state every
    quarter; the lever ties are rebuilt as the loop would), so that the levers' kernels are compiled into
    the cache: in the process :func:`_compile_loop_first` forks, whose results are not used."""
    from .levers.kernels import kernels

    if kernels("compiled").compile_quarters(model.context, model.acting_levers, model.quarter):
        return  # every lever's quarter is one kernel the run calls by its address (model.levers.compiled)
    quarters.advance = lambda ctx, t0, t1: ctx.ties.refresh()
    model._run_compiled = lambda end: False  # the levers' own kernels, in Python's quarters
    model.run_model()


def compile_ahead(scenario: Scenario, seed: Any = None) -> bool:
    """In a fresh environment (the compiled dynamics not in the cache; returns whether so), say once that
    the dynamics are compiled, and start compiling the life cycle in a second process for the types of the
    run of ``scenario`` while this one builds and compiles the rest (:mod:`model.dynamics.compiling`; once
    per process). Called by :func:`run`, and by ``model.run`` before it imports pandas."""
    compiling = not compiled_code_is_cached()
    if compiling:  # said once per command, whoever runs the model (a library call too)
        say_once(COMPILING_SAID, COMPILING)
        quarters.compile_ahead(lambda: InnovationModel(scenario, seed=seed).context)
    return compiling


#: a variant of a scenario run by :func:`numbered_runs` (a Scenario, or whatever a caller pairs with a seed)
T = TypeVar("T")


def replication_seeds(root: int, replications: int) -> list[np.random.SeedSequence]:
    """Independent seeds for replications ``0 .. replications - 1``, spawned from one root seed."""
    return np.random.SeedSequence(root).spawn(replications)


def replication_seed(root: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication`` (0-based) of root seed ``root``: ``run(scenario,
    replication_seed(S, r))`` is replication *r* of ``spridning run --seed S``."""
    return np.random.SeedSequence(root, spawn_key=(replication,))


def numbered_runs(variants: Sequence[T], replications: int,
                  root: int) -> list[tuple[int, T, np.random.SeedSequence]]:
    """Every run of ``replications`` R of each of ``variants`` (an ensemble's scenarios, one per draw, or a
    scenario alone) as ``(i, variant, seed)``: run *i* is replication ``i % R`` of variant ``i // R``, on
    :func:`replication_seed` ``(root, i)``. The one rule of :func:`replicated`, an ensemble's runs
    (:func:`model.calibrate.ensemble.run_ensemble`) and the posterior predictive
    (:func:`model.calibrate.predictive.predictive_runs`): each run its own stream (the runs' spread is then
    parameters and chance), and another scenario over the same draws gets the same seed for run *i* (common
    random numbers, paired). A fresh SeedSequence per run: a run spawns its streams from its seed, which
    counts the children it has spawned, so one object shared by two runs would give the second other
    streams."""
    runs = [v for v in variants for _ in range(replications)]
    return [(i, v, replication_seed(root, i)) for i, v in enumerate(runs)]


def default_workers() -> int:
    """All cores."""
    return os.cpu_count() or 1


def _run_indexed(args: tuple) -> tuple[int, Any]:
    scenario, seed, index, keep = args
    outcome = run(scenario, seed)
    return index, (outcome if keep is None else keep(outcome, index))


#: what a command says once before the first run in an environment whose compile cache is empty (on stderr,
#: or through the ``announce`` of :func:`replicated`), and its key in :func:`~model.environment.say_once`
COMPILING = "compiling the model's dynamics (first run in this environment, 5-10 s) ..."
COMPILING_SAID = "compiling"
#: what a first run with levers says once when another process compiles their kernels (:func:`_compile_loop_first`)
COMPILING_LEVERS = "the levers' code (first run with these levers in this environment, up to half a minute)"


def compiled_code_is_cached() -> bool:
    """Whether the compiled dynamics are already in numba's on-disk cache (else the first run compiles
    them, which takes 6-10 s)."""
    return quarters.is_compiled()


def replicate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    announce: Callable[[str], None] | None = None,
) -> list[Outcomes]:
    """All replications of a scenario, in replication order: :func:`replicated` as a list of
    :class:`~model.outcomes.collect.Outcomes` of length ``replications`` (default: the scenario's), on one
    pool of workers (the list holds every run anyway, so none need wait for room)."""
    reps = replications or scenario.replications
    return list(replicated(scenario, reps, seed, workers, progress, announce, window=reps))


def replicated(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    announce: Callable[[str], None] | None = None,
    keep: Callable[[Outcomes, int], Any] | None = None,
    window: int | None = None,
    draws: Sequence[Scenario] = (),
) -> Iterator[Any]:
    """The replications of a scenario one by one, in replication order, as they finish.

    ``replications`` (default: the scenario's) runs with seeds from root ``seed`` (default: the
    scenario's), see :func:`replication_seed`; on up to ``workers`` processes (default: all cores). The
    first replication runs in this process — it compiles or loads the compiled dynamics, so forked workers
    start warm — and the rest go to workers only when that pays, ``window`` replications at a time (default
    :data:`WINDOW_PER_WORKER` per worker), so at most that many finished replications wait for an earlier
    one. Yields each run's
    :class:`~model.outcomes.collect.Outcomes`, or ``keep(outcomes, replication)`` computed where the run
    ran (``keep`` must be a module-level function: workers may receive it pickled) so that only what
    ``keep`` returns travels and is held. ``progress(1)`` is called after each replication;
    ``announce(text)`` once if the dynamics must first be compiled.

    With ``draws`` (the scenario with each draw of an ensemble's values), every draw runs the
    replications, all on one pool of workers (a draw of one replication would otherwise run alone in this
    process): run *i* is replication ``i % replications`` of draw ``i // replications``, on seed ``i``
    (:func:`replication_seed`), and ``keep`` gets ``i``. Each run has its own random stream, so the runs'
    spread is the posterior predictive's (parameters and chance; on one shared stream it would hold one
    throw of chance, and 40 draws x 1 replication would judge the history on it); another scenario over
    the same draws gets the same seed for run *i* (common random numbers, paired).
    """
    reps = replications or scenario.replications
    root = scenario.seed if seed is None else seed
    runs = numbered_runs(draws or [scenario], reps, root)
    total = len(runs)
    if announce is not None and not compiled_code_is_cached() and mark_said(COMPILING_SAID):
        announce(COMPILING)  # once: not again by run(), nor here if said already (spridning run says it first)
    start = time.perf_counter()
    _, variant, first_seed = runs[0]
    first = _run_indexed((variant, first_seed, 0, keep))[1]
    if progress:
        progress(1)
    yield first
    del first
    left = total - 1
    workers = min(workers or default_workers(), left)
    pool = workers > 1 and (time.perf_counter() - start) * left > POOL_WORTH_SECONDS
    window = max(1, window or WINDOW_PER_WORKER * max(workers, 1))
    waiting: dict[int, Any] = {}
    following = 1
    for begin in range(1, total, window):
        jobs = [(variant, seed_i, i, keep) for i, variant, seed_i in runs[begin:begin + window]]
        done = imap_indexed(_run_indexed, jobs, workers, chunksize=1) if pool else map(_run_indexed, jobs)
        for index, value in done:
            waiting[index] = value
            if progress:
                progress(1)
            while following in waiting:
                yield waiting.pop(following)
                following += 1
