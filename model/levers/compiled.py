"""Levers' quarters inside the compiled quarter loop (issue 21: levers decided in compiled code).

A run with levers lets them act in Python every quarter and then runs the quarter in one compiled call
(:meth:`model.model.InnovationModel.step`). A lever whose whole quarter is a compiled kernel says so with
:meth:`model.levers.base.Lever.compiled`: a named tuple of its arrays, parameters and books
(:data:`model.levers.books_kernel.Books`), which that kernel, listed in :data:`QUARTER_OF`, takes whole.
When every acting lever has one, :func:`run` runs the rest of the run in one compiled call
(:func:`_lever_quarters`), quarter by quarter in the model's order (docs/ODD.md §3):

1. the per-quarter effects back to neutral (:meth:`model.effects.Effects.reset_quarter`);
2. each lever's quarter, in the scenario's order (they draw from the one lever generator in that order);
3. the own money they added or charged settled (:func:`settle_money`);
4. the quarter's dynamics (:func:`model.dynamics.quarters._run_quarters`).

Then it writes the books back into the levers and the run's ledger (:func:`model.levers.books.take_books`)
and hands each lever its tuple (:meth:`~model.levers.base.Lever.take_compiled`). The results are those of
the quarters run one by one in Python, bit for bit (``tests/levers/test_compiled_quarters.py``).

Which levers: change teams (:func:`model.levers.decisions_kernel.teams_lever_quarter`), peer reviews
(:func:`model.levers.reviewers.review_lever_quarter`), procurement and shared infrastructure
(:func:`model.levers.cost_kernel.procurement_lever_quarter`, ``infrastructure_lever_quarter``), training
networks (:func:`model.levers.knowhow_kernel.training_lever_quarter`), learning networks
(:func:`model.levers.groups_kernel.learning_lever_quarter`), job shadowing
(:func:`model.levers.shadowing_kernel.shadowing_lever_quarter`), small actors' grants
(:func:`model.levers.formula_kernel.small_grants_lever_quarter`, the own money they add settled before each
quarter's dynamics: :func:`settle_money`), earmarked state grants (``events:``,
:func:`model.levers.formula_kernel.earmarked_lever_quarter`) and the grant calls (:func:`model.levers.calls_kernel.
call_lever_quarter`), run by a national operator or the regions, a target with or without a call (who is
reached is chosen as :meth:`model.levers.targeting.Targeting.choose` chooses:
:func:`model.levers.members_kernel.choose`).
The ties reviews, learning groups and placements make are taken into the sparse rows the tie signals read at
once (:func:`model.world.lever_ties.take_in_written`). A lever the regions run is one part per region, each
deciding what it delivers in the year's first quarter from its own money as the run has it then
(:func:`model.levers.books_kernel.receive`), the parts adding to the lever's ledger records in turn
(:data:`model.levers.books.SHARED_LEDGER`). Every lever kind has its compiled quarter; one without (a new
kind, or a test's stand-in) keeps its run quarter by quarter in Python. A lever joins by giving
:meth:`~model.levers.base.Lever.compiled` and its kernel here.

The loop calls each lever's kernel, and the quarter's dynamics, by its address
(:mod:`model.dynamics.native`): each kernel is compiled (and cached) once for its lever kind, and the loop
itself, compiled for each set of lever kinds a run has, is small. Linked into the loop instead, they made
numba optimise them all again for every set: a first run of ``portfolio_sustaingov`` took 47 s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from numba import literal_unroll

from ..dynamics import lifecycle, native, quarters
from ..environment import njit
from ..kernelcall import KeyedKernel
from . import (calls_kernel, cost_kernel, decisions_kernel, formula_kernel, groups_kernel, knowhow_kernel, reviewers,
               shadowing_kernel)
from .books import SHARED_LEDGER, take_books
from .held import Held, hold
from .targeting_kernel import key_on_sources

if TYPE_CHECKING:
    from ..context import RunContext
    from .base import Lever

#: the kernel that runs a lever's quarter (``kernel(lever, t)``), by the named tuple of its
#: :meth:`~model.levers.base.Lever.compiled`
QUARTER_OF = {decisions_kernel.TeamsLever: decisions_kernel.teams_lever_quarter,
              reviewers.ReviewLever: reviewers.review_lever_quarter,
              cost_kernel.ProcurementLever: cost_kernel.procurement_lever_quarter,
              cost_kernel.InfrastructureLever: cost_kernel.infrastructure_lever_quarter,
              knowhow_kernel.TrainingLever: knowhow_kernel.training_lever_quarter,
              groups_kernel.LearningLever: groups_kernel.learning_lever_quarter,
              shadowing_kernel.ShadowingLever: shadowing_kernel.shadowing_lever_quarter,
              formula_kernel.SmallGrantsLever: formula_kernel.small_grants_lever_quarter,
              formula_kernel.EarmarkedLever: formula_kernel.earmarked_lever_quarter,
              calls_kernel.CallLever: calls_kernel.call_lever_quarter}


@njit(error_model="numpy")
def reset_effects(effects):
    """The per-quarter effects of ``effects`` (a :data:`model.effects.LeverEffects`) back to neutral, as
    :meth:`model.effects.Effects.reset_quarter` sets them."""
    effects.p_external_boost.fill(0.0)
    effects.tie_strength.fill(1.0)
    effects.scale_logit_bonus.fill(0.0)
    effects.fixed_cost_factor.fill(1.0)
    effects.load_factor.fill(1.0)
    effects.failure_sharing_boost[0] = 0.0


@njit(error_model="numpy")
def settle_money(own, money_left):
    """This quarter's additions and charges of own money (``own``: (added, charged), (n,) MSEK each, set to
    0 here) into ``money_left`` ((n,) MSEK), as :meth:`model.effects.Effects.settle_money` does: nothing
    when there is none; else ``max(money_left + added - charged, 0)``, NumPy's ``maximum``."""
    added, charged = own
    n = money_left.shape[0]
    moved = False
    for i in range(n):
        if added[i] != 0.0 or charged[i] != 0.0:
            moved = True
            break
    if not moved:
        return
    for i in range(n):
        left = money_left[i] + added[i] - charged[i]
        money_left[i] = left if (left >= 0.0 or left != left) else 0.0
        added[i] = 0.0
        charged[i] = 0.0


@njit(error_model="numpy", no_cfunc_wrapper=True)
def _lever_quarters(t0, t1, a, levers, advance, own):
    """Quarters ``t0`` to ``t1 - 1`` of a run with ``levers`` acting in each (the module docstring), in
    place: ``a`` is the quarter loop's packed arguments, ``levers`` a tuple of pairs (the
    :data:`~model.dynamics.native.NativeCall` of a lever's quarter kernel, the lever's named tuple held in
    one structure: :mod:`.held`), ``advance`` the NativeCall of
    :func:`model.dynamics.quarters._run_quarters` and ``own`` the run's (added, charged) own money
    (:func:`settle_money`). Every kernel is called by its address, so this loop
    compiles in a moment for any set of levers. Returns True; False, having done nothing, if the life cycle
    or any of the calls was got for other types than this call's."""
    grants = lifecycle.grants_held(a.effects)
    ready = native.matches(a.life_cycle, (a, t0, grants)) and native.matches(advance, (t0, t1, a, grants))
    for pair in literal_unroll(levers):
        ready = ready and native.matches(pair[0], (pair[1], t0))
    if t0 < t1 and not ready:
        return False
    for t in range(t0, t1):
        reset_effects(a.effects)
        for pair in literal_unroll(levers):
            native.call(pair[0], (pair[1], t))
        settle_money(own, a.people.money_left)
        native.call(advance, (t, t + 1, a, lifecycle.grants_held(a.effects)))
    return True


def _kinds(arguments: tuple):
    """What decides the types of :func:`_lever_quarters`' arguments ``(t0, t1, packed, levers, advance)``:
    the packed arguments' type and the types of the structures holding the levers (:mod:`.held`)."""
    return arguments[2]._type, tuple(pair[1]._type for pair in arguments[3])


#: the loop, its compiled version found by :func:`_kinds`
_LOOP = KeyedKernel(_lever_quarters, _kinds)

#: the calls (:data:`~model.dynamics.native.NativeCall`) of each lever kind's quarter kernel, by the type of the
#: structure holding its named tuple, and of the quarter loop's body, by the packed arguments' type: got once
#: per process (compiled, or loaded from the cache, the first time)
_CALLS: dict = {}


def _call_of(kernel, key, argument_types, again: bool = False) -> native.NativeCall:
    """The :data:`~model.dynamics.native.NativeCall` of ``kernel`` kept under ``key``, got for
    ``argument_types()`` the first time (or ``again``)."""
    call = _CALLS.get(key)
    if call is None or again:
        call = _CALLS[key] = native.address_of(kernel, argument_types())
    return call


def _lever_call(held, again: bool = False) -> native.NativeCall:
    """The call of the quarter kernel of the lever ``held`` (a :class:`~.held.Held` named tuple of
    :data:`QUARTER_OF`)."""
    from numba import typeof

    return _call_of(QUARTER_OF[_KIND[held._type]], held._type, lambda: (held._type, typeof(0)), again)


#: the class of the named tuple a :class:`~.held.Held` holds, by its type
_KIND: dict = {}


def _held(lever) -> "Held":
    """``lever`` (a named tuple of :data:`QUARTER_OF`) held in one structure (:mod:`.held`)."""
    held = hold(lever)
    _KIND.setdefault(held._type, type(lever))
    return held


def _advance_call(packed, again: bool = False) -> native.NativeCall:
    """The call of the quarter loop's body (:func:`model.dynamics.quarters._run_quarters`) on ``packed``."""
    from numba import typeof

    return _call_of(quarters._run_quarters, packed._type,
                    lambda: (typeof(0), typeof(0), packed._type, typeof(True)), again)


def _loop(t0: int, t1: int, packed, levers: tuple, own: tuple) -> bool:
    """:func:`_lever_quarters` as :func:`model.dynamics.quarters.advance` calls a loop, with the calls of
    the levers' kernels and of the loop's body; got again once if one was got for other types."""
    helds = [_held(lever) for lever in levers]
    for again in (False, True):
        pairs = tuple((_lever_call(held, again), held) for held in helds)
        if _LOOP(t0, t1, packed, pairs, _advance_call(packed, again), own):
            return True
    return False


def _compiled(ctx: "RunContext", levers: "list[Lever]", t: int) -> list | None:
    """Every one of ``levers``' compiled quarters from quarter ``t`` (:meth:`~model.levers.base.Lever.compiled`),
    or None at the first lever that has none (the others' are then not made)."""
    compiled = []
    ctx.run_views[SHARED_LEDGER] = {}  # the parts of a lever the regions run share its ledger records
    try:
        for lever in levers:
            found = lever.compiled(ctx, t)
            if found is None:
                return None
            compiled.append(found)
    finally:
        del ctx.run_views[SHARED_LEDGER]
    return compiled


def compile_quarters(ctx: "RunContext", levers: "list[Lever]", t: int) -> bool:
    """Compile (or load from the cache) the quarter kernels of ``levers`` (from quarter ``t``) for their
    types, if every one of them has a compiled quarter; whether they have: what the process that compiles a
    first run's levers does (:func:`model.runner._compile_loop_first`)."""
    compiled = _compiled(ctx, levers, t)
    for found in compiled or ():
        _lever_call(_held(found))
    return compiled is not None


def run(ctx: "RunContext", levers: "list[Lever]", t0: int, t1: int) -> bool:
    """Quarters ``t0`` to ``t1 - 1`` of the run ``ctx`` with ``levers`` (the acting ones) in one compiled call,
    if every one of them has a compiled quarter (:meth:`~model.levers.base.Lever.compiled`); whether it
    did. Otherwise nothing is done: the levers act in Python."""
    compiled = _compiled(ctx, levers, t0)
    if compiled is None:
        return False
    effects = ctx.effects
    quarters.advance(ctx, t0, t1, _loop, tuple(compiled), (effects.added, effects.charged))
    effects.settle_money(ctx.state.money_left)  # all settled in the loop: only its flag is reset here
    ctx.ties.took_in()  # the ties the levers wrote, taken in: counted as Python's quarters count them
    take_books(levers, [found.books for found in compiled], ctx, t1)
    for lever, found in zip(levers, compiled):
        lever.take_compiled(found, ctx)
    return True


key_on_sources(globals(), lifecycle, native)  # the levers' kernels and the loop's body are called by address
