"""Levers' quarters inside the compiled quarter loop (issue 21: levers decided in compiled code).

A run with levers lets them act in Python every quarter and then runs the quarter in one compiled call
(:meth:`model.model.InnovationModel.step`). A lever whose whole quarter is a compiled kernel says so with
:meth:`model.levers.base.Lever.compiled`: a named tuple of its arrays, parameters and books
(:data:`model.levers.books_kernel.Books`), which that kernel, listed in :data:`QUARTER_OF`, takes whole.
When every acting lever has one, :func:`run` runs the rest of the run in one compiled call
(:func:`_lever_quarters`), quarter by quarter in the model's order (docs/ODD.md §3):

1. the per-quarter effects back to neutral (:meth:`model.effects.Effects.reset_quarter`);
2. each lever's quarter, in the scenario's order (they draw from the one lever generator in that order);
3. the quarter's dynamics (:func:`model.dynamics.quarters._quarters`).

Then it writes the books back into the levers and the run's ledger (:func:`model.levers.books.take_books`)
and hands each lever its tuple (:meth:`~model.levers.base.Lever.take_compiled`). The results are those of
the quarters run one by one in Python, bit for bit (``tests/levers/test_compiled_quarters.py``).

Which levers: change teams (:func:`model.levers.decisions_kernel.teams_lever_quarter`) and peer reviews
(:func:`model.levers.reviewers.review_lever_quarter`, whose ties are taken into the sparse rows the tie
signals read at once: :func:`model.world.lever_ties.take_in_written`), each with a target without a call
and run by a national operator. The others act in Python, quarter by quarter, as before; a lever joins by
giving :meth:`~model.levers.base.Lever.compiled` and its kernel here.

The loop is compiled for each set of lever kinds a run has (numba types the tuple of levers), and cached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from numba import literal_unroll
from numba.extending import overload

from ..dynamics import lifecycle, native, quarters
from ..environment import njit
from ..kernelcall import KeyedKernel
from ..world import lever_ties
from . import (books_kernel, capacity_kernel, cost_kernel, decisions_kernel, groups_kernel, knowhow_kernel,
               members_kernel, reviewers, streams, targeting_kernel)
from .books import take_books
from .targeting_kernel import key_on_sources

if TYPE_CHECKING:
    from ..context import RunContext
    from .base import Lever

#: the kernel that runs a lever's quarter (``kernel(lever, t)``), by the named tuple of its
#: :meth:`~model.levers.base.Lever.compiled`
QUARTER_OF = {decisions_kernel.TeamsLever: decisions_kernel.teams_lever_quarter,
              reviewers.ReviewLever: reviewers.review_lever_quarter,
              cost_kernel.ProcurementLever: cost_kernel.procurement_lever_quarter,
              knowhow_kernel.TrainingLever: knowhow_kernel.training_lever_quarter,
              groups_kernel.LearningLever: groups_kernel.learning_lever_quarter}


def lever_quarter(lever, t):
    """Quarter ``t`` of ``lever`` (a named tuple of :data:`QUARTER_OF`) by its kernel. Compiled code only."""
    raise NotImplementedError("model.levers.compiled.lever_quarter is for compiled code")


@overload(lever_quarter)
def _lever_quarter(lever, t):
    kernel = QUARTER_OF.get(getattr(lever, "instance_class", None))
    if kernel is None:
        return None

    def quarter(lever, t):
        kernel(lever, t)

    return quarter


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


@njit(error_model="numpy", no_cfunc_wrapper=True)
def _lever_quarters(t0, t1, a, levers):
    """Quarters ``t0`` to ``t1 - 1`` of a run with ``levers`` (a tuple of named tuples of
    :data:`QUARTER_OF`) acting in each (the module docstring), in place: ``a`` is the quarter loop's packed
    arguments. Returns True; False, having done nothing, if the life cycle was got for other types (as
    :func:`model.dynamics.quarters._quarters` does)."""
    if t0 < t1 and not native.matches(a.life_cycle, (a, t0, lifecycle.grants_held(a.effects))):
        return False
    for t in range(t0, t1):
        reset_effects(a.effects)
        for lever in literal_unroll(levers):
            lever_quarter(lever, t)
        quarters._quarters(t, t + 1, a)
    return True


def _kinds(arguments: tuple):
    """What decides the types of :func:`_lever_quarters`' arguments ``(t0, t1, packed, levers)``: the packed
    arguments' type and the named-tuple classes of the levers (each class's maker gives its arrays fixed
    dtypes, :meth:`~model.levers.base.Lever.compiled`; the tests check every call's types)."""
    return arguments[2]._type, tuple(type(lever) for lever in arguments[3])


#: the loop, its compiled version found by :func:`_kinds` (numba takes about 0.2 ms to type the levers'
#: named tuples, once a run)
_LOOP = KeyedKernel(_lever_quarters, _kinds)


def run(ctx: "RunContext", levers: "list[Lever]", t0: int, t1: int) -> bool:
    """Quarters ``t0`` to ``t1 - 1`` of the run ``ctx`` with ``levers`` (the acting ones) in one compiled call,
    if every one of them has a compiled quarter (:meth:`~model.levers.base.Lever.compiled`); whether it
    did. Otherwise nothing is done: the levers act in Python."""
    compiled = []
    for lever in levers:
        found = lever.compiled(ctx)
        if found is None:
            return False
        compiled.append(found)
    quarters.advance(ctx, t0, t1, _LOOP, tuple(compiled))
    ctx.ties.took_in()  # the ties the levers wrote, taken in: counted as Python's quarters count them
    take_books(levers, [found.books for found in compiled], ctx, t1)
    for lever, found in zip(levers, compiled):
        lever.take_compiled(found, ctx)
    return True


key_on_sources(globals(), books_kernel, capacity_kernel, cost_kernel, decisions_kernel, groups_kernel,
               knowhow_kernel, members_kernel, reviewers, lever_ties, streams, targeting_kernel, *quarters.LOOP_SOURCES)
