"""Quarters of the dynamics as one compiled loop: people and budgets, tie signals, the life cycle.

The rules live where they belong — :mod:`model.dynamics.people`, :mod:`model.world.networks`,
:mod:`model.dynamics.lifecycle` — as numba kernels; this module strings them together (the life cycle
called by its address, :mod:`model.dynamics.native`, so the loop's compilation does not compile it again)
for a stretch of quarters in which no lever acts, so a run without levers (and every lever-free run of a
sweep) is a single call into compiled code, and a run with levers makes one call per quarter after the
levers have acted — or, when every acting lever's quarter is compiled, one call in which they act
(:mod:`model.levers.compiled`, which calls :func:`_run_quarters` by its address). The order within a
quarter is the model's schedule (docs/ODD.md §3): levers act (in Python between calls, or compiled),
every organisation moves from the state at the start of the quarter, then people and (in Q1) the budget
change for the next quarter — so levers always see the people and money of the quarter they act in.

numba caches each compiled function keyed on its own source file only, so the cache of the loop below
would not notice an edit to a kernel it calls in another file (numba issue #6845), and since numba 0.68 the
key is a hash of the file's content, so touching this file no longer helps. :func:`_key_on_all_kernels`
keys the loop's cache on the content of every file whose kernels or constants it compiles in, and the life
cycle's on its own file and those whose constants it reads.
"""

from __future__ import annotations

import hashlib
from collections import namedtuple
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from ..environment import njit

from ..kernelcall import BoundKernel
from ..stages import ADOPTED, QUARTERS_PER_YEAR
from ..world import networks
from . import compiling, events, hazards, lifecycle, moves, native, packed, payments, people, tally, working

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..context import RunContext


#: everything the quarter loop reads and changes: the run's arrays (not copies), most in the kernels' own
#: named tuples (:mod:`model.dynamics.lifecycle`, :mod:`model.dynamics.people`,
#: :class:`model.effects.LeverEffects`, :class:`model.context.Draws`), handed to it packed in one structure
#: (:mod:`model.dynamics.packed`)
QuarterArguments = namedtuple("QuarterArguments", packed.FIELDS)


def advance(ctx: "RunContext", t0: int, t1: int, kernel=None, *extra) -> None:
    """Run quarters ``t0`` to ``t1 - 1`` of the run ``ctx`` with the effects levers have set for them; or,
    with ``kernel``, a loop called as ``kernel(t0, t1, packed arguments, *extra)`` that calls
    :func:`_quarters` itself and returns as it does (:mod:`model.levers.compiled`, whose levers act in
    it; a :class:`model.kernelcall.KeyedKernel`)."""
    ctx.effects.settle_money(ctx.state.money_left)
    loop = ctx.kernels.get("quarters")
    if loop is None:  # bound once per run: a run with levers calls it every quarter
        loop = ctx.kernels["quarters"] = _Loop(ctx)  # packs the arguments first: see _Loop
    loop(ctx, t0, t1, kernel, *extra)


class _Loop:
    """:func:`_quarters` bound to one run, with its arguments packed (:mod:`model.dynamics.packed`: one
    reference for numba to unbox at each call, not some eighty arrays) once, and once more if levers tie
    organisations after that: the run's arrays are changed in place, the effects' two numbers are held in
    arrays (:meth:`model.effects.Effects.kernel_arguments`), and the lever ties' buffers are made when levers
    first tie organisations, with room for every tie (:meth:`model.world.networks.Ties.refresh`). A run with
    levers calls it every quarter.

    The packed arguments hold the compiled life cycle's address (:func:`life_cycle_call`), which the loop
    calls by it (:mod:`model.dynamics.native`), so in a first run the loop and
    :func:`model.dynamics.packed.pack` compile (:func:`compile_first`) while the life cycle compiles in
    another process; the address is got once that process is done (:func:`model.dynamics.compiling.wait`).
    A loop that finds the address got for other types than its call's does nothing and says so; the
    address is then got again for the run's types."""

    def __init__(self, ctx: "RunContext") -> None:
        self.arguments = arguments(ctx)
        compile_first(self.arguments)  # a first run only: the loop here while the life cycle compiles there
        self.arguments = self.arguments._replace(life_cycle=life_cycle_call(self.arguments))
        self.packed = packed.pack(*self.arguments)
        self.kernel = BoundKernel(_quarters)

    def __call__(self, ctx: "RunContext", t0: int, t1: int, loop=None, *extra) -> None:
        ties = ctx.ties.kernel_arguments()  # takes in the ties levers made this quarter
        if ties is not self.arguments.ties:  # the first ties: their buffers made (once a run)
            self.arguments = self.arguments._replace(ties=ties)
            self.packed = packed.pack(*self.arguments)
        kernel = self.kernel if loop is None else loop
        if not kernel(t0, t1, self.packed, *extra):  # the life cycle's types are not those it was got for
            self.arguments = self.arguments._replace(life_cycle=life_cycle_call(self.arguments, again=True))
            self.packed = packed.pack(*self.arguments)
            if not kernel(t0, t1, self.packed, *extra):
                raise RuntimeError("the quarter loop calls the life cycle (or a lever's kernel) with other "
                                   "types than its address was got for")


def compile_first(arguments: QuarterArguments, life_cycle_first: bool = False) -> None:
    """A first run's order of compiling, in one place. While another process compiles the life cycle
    (:func:`model.dynamics.compiling.waiting`), or when ``life_cycle_first``: compile the loop and
    :func:`model.dynamics.packed.pack` here (:func:`compile_loop`) — beside the life cycle's process, or
    after it when ``life_cycle_first`` (a first run with levers, whose kernels a third process compiles:
    three compiling processes on two cores made it slower, ``model.runner._compile_loop_first``) — and wait
    for that process. Otherwise nothing: the wait returns at once."""
    if life_cycle_first or compiling.waiting():
        if life_cycle_first:
            compiling.wait()
        compile_loop(arguments)
    compiling.wait()


def compile_loop(arguments: QuarterArguments) -> None:
    """Compile the quarter loop, and :func:`model.dynamics.packed.pack`, for the types of ``arguments`` (a
    run's; its life cycle's address not needed), unless they are in the cache: what a first run does while
    another process compiles the life cycle (:mod:`model.dynamics.compiling`)."""
    typeof = _quarters.typeof_pyval
    _quarters.compile((typeof(0), typeof(1), packed.type_of(arguments, typeof)))
    packed.pack(*arguments)


#: the life cycle's :data:`~model.dynamics.native.NativeCall` for the types of this process's runs
_life_cycle: native.NativeCall | None = None


def life_cycle_call(arguments: QuarterArguments, again: bool = False) -> native.NativeCall:
    """The compiled life cycle for the quarter loop's calls with ``arguments``: got once per process (typing
    the arguments takes about 0.5 ms), or ``again`` for new types; compiled or loaded from the cache the
    first time. The loop checks the types at every call (:func:`model.dynamics.native.matches`)."""
    global _life_cycle
    if _life_cycle is None or again:
        _life_cycle = native.address_of(lifecycle._advance, life_cycle_types(arguments))
    return _life_cycle


def life_cycle_types(arguments: QuarterArguments) -> tuple:
    """The numba types of the life cycle's arguments as the quarter loop calls it in a run whose loop takes
    ``arguments``: the packed arguments (:func:`model.dynamics.packed.type_of`), the quarter, whether any
    organisation holds a grant."""
    from numba import typeof

    return packed.type_of(arguments, typeof), typeof(0), typeof(True)


def arguments(ctx: "RunContext") -> QuarterArguments:
    """The arguments of :func:`_quarters` after ``t0`` and ``t1``: the run's arrays in the kernels' named
    tuples (the same arrays, not copies)."""
    s, inn, ties, record = ctx.state, ctx.innovations, ctx.ties, ctx.record
    return QuarterArguments(
        draws=ctx.draws, schedule=ctx.schedule, stage_history=record.stage_history, tally=record.tally,
        evidence_history=record.evidence, people=people.arrays(s),
        people_rates=people.rates(ctx.params, len(s.enthusiasts)),
        ties=ties.kernel_arguments(), signals=lifecycle.Signals(ties.log_no_hear, ties.proof, ties.local),
        inverse_denominator=ties.inverse_denominator,
        pilots=lifecycle.Pilots(s.stage, s.pilot_age, s.pilot_start, s.champion, s.failed),
        flags=lifecycle.Flags(ctx.one_step, ctx.complex_contagion, ties.fraction),
        orgs=lifecycle.OrgArrays(ctx.applicable, ctx.fit, s.capacity, s.maturity, ctx.scale),
        effects=ctx.effects.kernel_arguments(),
        inn=lifecycle.InnovationArrays(inn.pilot_need, inn.scale_need, inn.adoption_need, inn.pilot_cost,
                                       inn.scale_cost_fixed, inn.scale_cost_per_10k, inn.complexity,
                                       inn.needs_infrastructure, inn.pilot_quarters, ctx.evidence,
                                       ctx.evidence_weight, inn.available_from),
        rates=ctx.rates, national=lifecycle.National(ctx.promoters, ctx.failures_shared), events=ctx.events,
        counts=lifecycle.ScaleCounts(record.scale_count, record.scale_durations, record.covered), first_users=ctx.first_users,
        scratch=working.scratch(s.stage.shape[1]), life_cycle=native.NO_CALL,
    )


#: whether this process found the compiled dynamics in the cache (or compiled them): once true, it stays
_compiled = False


def is_compiled() -> bool:
    """Whether the compiled dynamics are in numba's on-disk cache, fresh for the current sources: numba's
    indexes of the caches of the loop and of the life cycle (which the loop calls by address, compiled on
    its own and maybe after the loop), read as numba reads them, are empty when missing or stale (a
    kernel's source changed). The kernels a run calls while it is built are compiled before the loop."""
    global _compiled
    if not _compiled:
        try:
            _compiled = all(bool(kernel._cache._cache_file._load_index())
                            for kernel in (_quarters, lifecycle._advance))
        except AttributeError:  # another numba's internals, or the JIT switched off: nothing to compile ahead
            return True
    return _compiled


def compile_ahead(build: Callable[[], RunContext]) -> None:
    """Before the first run in a fresh environment (empty compile cache), start compiling the life cycle
    in a second process for the types of the run ``build()`` makes (there; only its arrays' types matter):
    see :mod:`model.dynamics.compiling`. Cheap and without effect otherwise."""
    compiling.start(lifecycle._advance, lambda: life_cycle_types(arguments(build())), lambda: not is_compiled())


@njit(error_model="numpy", no_cfunc_wrapper=True)
def _quarters(t0, t1, a):
    """Quarters ``t0`` to ``t1 - 1`` of a run, in place: ``a`` is its :data:`QuarterArguments` packed
    (:func:`model.dynamics.packed.pack`). Returns True; False, having done nothing, if ``a.life_cycle`` was
    got for other types than the loop calls the life cycle with (:func:`model.dynamics.native.matches`)."""
    grants = lifecycle.grants_held(a.effects)  # none now: none in these quarters (levers act between calls)
    # the life cycle, called by address (compiled on its own: model.dynamics.native), if got for these types
    if t0 < t1 and not native.matches(a.life_cycle, (a, t0, grants)):
        return False  # nothing done: Python gets the life cycle for these types and calls again
    _run_quarters(t0, t1, a, grants)
    return True


@njit(error_model="numpy", no_cfunc_wrapper=True, inline="always")
def _run_quarters(t0, t1, a, grants):
    """:func:`_quarters` once its life cycle is known to match its call, ``grants`` whether any organisation
    holds a grant (:func:`model.dynamics.lifecycle.grants_held`): the loop's own body, which a caller may
    call by its address (:mod:`model.levers.compiled`). Inlined into :func:`_quarters` as numba's IR (a
    kernel of its own, linked in, would be optimised twice: half a second more of a first run)."""
    # read once: an array read from the structure inside the loops would cost numba a reference count at
    # every read (a quarter of the run's time)
    draws, schedule, stage_history, evidence_history = a.draws, a.schedule, a.stage_history, a.evidence_history
    people_arrays, people_rates, ties, signals, inverse_denominator = (a.people, a.people_rates, a.ties,
                                                                       a.signals, a.inverse_denominator)
    pilots, inn, first_users = a.pilots, a.inn, a.first_users
    stage = pilots.stage
    log_no_hear, share, local = signals
    available_from, evidence = inn.available_from, inn.evidence
    people_draws, slack_draws = draws.people, draws.slack
    new_budget, protector_change = schedule.new_budget, schedule.protector_change
    enthusiasts = people_arrays.enthusiasts
    n, k = stage.shape
    adopted = np.zeros((n, k))
    life_cycle = a.life_cycle
    for t in range(t0, t1):
        for i in range(n):
            for j in range(k):
                adopted[i, j] = 1.0 if stage[i, j] == ADOPTED else 0.0
        # normalise: t < t1 is always true here, but a runtime bool, so the kernel is the version the
        # Python callers compiled (a literal True would make numba compile a second one)
        networks.signals_kernel(adopted, ties, log_no_hear, share, local, t < t1,
                                inverse_denominator)
        native.call(life_cycle, (a, t, grants))
        for j in range(k):  # innovations introduced at the start of the next quarter: their first users
            if available_from[j] == t + 1:
                lifecycle.introduce(pilots, first_users, j, t + 1, enthusiasts)
        # copied element by element: an array assignment compiles numba's shape-mismatch error message,
        # string formatting that took about 3 s of the first compilation
        for i in range(n):
            for j in range(k):
                stage_history[t + 1, i, j] = stage[i, j]
        for j in range(k):
            evidence_history[t + 1, j] = evidence[j]
        if t + 1 < people_draws.shape[0]:  # people and budgets of the next quarter, before its levers act
            people._update(people_arrays, people_rates, people_draws[t + 1],
                           slack_draws[(t + 1) // QUARTERS_PER_YEAR], new_budget[t + 1], protector_change[t + 1])


#: the files whose kernels or constants the life cycle compiles in, and the quarter loop (modules or paths)
LIFE_CYCLE_SOURCES = (lifecycle, moves, hazards, payments, tally, working, events,
                      Path(__file__).resolve().parent.parent / "stages.py")
LOOP_SOURCES = (Path(__file__), *LIFE_CYCLE_SOURCES, people, networks, packed, native)


def _key_on_all_kernels() -> None:
    """Make the caches of :func:`_quarters` and :func:`_run_quarters` stale whenever this file or a file with a
    kernel or constant they compile in changes, and that of the life cycle (cached apart, and compiled ahead
    in another process: :mod:`model.dynamics.compiling`) whenever its file or a file with constants it reads
    does: their indexes are stamped with a hash of those files (numba compares the stamp for equality)."""
    try:
        for kernel, sources in ((_quarters, LOOP_SOURCES), (_run_quarters, LOOP_SOURCES),
                                (lifecycle._advance, LIFE_CYCLE_SOURCES)):
            digest = hashlib.sha256()
            for source in sources:
                digest.update(Path(getattr(source, "__file__", source)).read_bytes())
            kernel._cache._cache_file._source_stamp = digest.digest()
    except (OSError, AttributeError):  # no source to read, or another numba's internals: numba's own key
        pass


_key_on_all_kernels()
