"""Lower costs set every quarter, compiled: the per-quarter part of procurement's call-off and of shared
infrastructure (:class:`model.levers.procurement.Procurement`, :class:`model.levers.infrastructure.Infrastructure`).

Both multiply the quarter's ``fixed_cost_factor`` (pilot costs and the fixed part of scale-up costs) and
``load_factor`` (the capacity pilots and scale-ups take), (n, k), by the lever's factors in some cells:
call-off in the members' rows for the innovations a member has adopted, infrastructure where a targeted
organisation meets an innovation that needs it. The rules are written in the levers' ``step``; the kernels
do the same multiplications cell by cell (one per cell, as NumPy's ``multiply(..., where=cells)`` did), so
the results are the same bit for bit (checked against the NumPy rules in ``tests/levers/test_cost_kernel.py``),
and a call costs a microsecond where the two masked NumPy products cost ten. They draw no random numbers.
The stage that counts as adopted is passed in (not read from :mod:`model.stages` here), so numba's cache,
keyed on this file alone, can never hold a stale constant.
"""

from __future__ import annotations

from collections import namedtuple

from ..environment import njit
from . import books_kernel, members_kernel, streams, targeting_kernel
from .targeting_kernel import key_on_sources

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with procurement or infrastructure in this environment, about 1 s)"


@njit(announce=COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def call_off(stage, applicable, members, adopted_stage, cost_factor, load_factor, fixed_cost_factor,
             load):
    """Multiply ``fixed_cost_factor`` by ``cost_factor`` and ``load`` by ``load_factor`` ((n, k) float, in
    place) where the organisation is a member (``members`` (n,) bool) and the innovation is *covered*: some
    member to whom it applies (``applicable`` (n, k) bool) is at ``stage`` (n, k) int8 ``adopted_stage``.
    Returns the number of innovations covered."""
    n, k = stage.shape
    covered = 0
    for j in range(k):
        called = False
        for i in range(n):
            if members[i] and applicable[i, j] and stage[i, j] == adopted_stage:
                called = True
                break
        if not called:
            continue
        covered += 1
        for i in range(n):
            if members[i]:
                fixed_cost_factor[i, j] *= cost_factor
                load[i, j] *= load_factor
    return covered


@njit(announce=COMPILING, error_model="numpy", no_cfunc_wrapper=True)
def lower_costs(cells, cost_factor, load_factor, fixed_cost_factor, load):
    """Multiply ``fixed_cost_factor`` by ``cost_factor`` and ``load`` by ``load_factor`` ((n, k) float, in
    place) where ``cells`` ((n, k) bool) is true."""
    n, k = cells.shape
    for i in range(n):
        for j in range(k):
            if cells[i, j]:
                fixed_cost_factor[i, j] *= cost_factor
                load[i, j] *= load_factor


#: a procurement lever's whole quarter as the compiled loop runs it (:func:`procurement_lever_quarter`):
#: ``books`` (:data:`model.levers.books_kernel.Books`), ``rng`` (the run's lever
#: :data:`~model.levers.streams.Stream`), ``membership`` (:data:`model.levers.members_kernel.Membership`),
#: ``stage`` (n, k) int8, ``applicable`` (n, k) bool, ``adopted_stage``, ``cost_factor`` and
#: ``load_factor`` (1 - the call-off discount and load reduction), ``calls_off`` (either is not 0), the
#: run's ``fixed_cost_factor`` and ``load`` ((n, k) effects, changed)
ProcurementLever = namedtuple("ProcurementLever", ["books", "rng", "membership", "stage", "applicable",
                                                   "adopted_stage", "cost_factor", "load_factor", "calls_off",
                                                   "fixed_cost_factor", "load"])


@njit(announce=COMPILING, error_model="numpy")
def procurement_lever_quarter(lever, t):
    """Quarter ``t`` of a procurement lever, as :meth:`model.levers.procurement.Procurement.step` and
    :meth:`model.levers.base.Lever.act` do it in Python: in an active year, money in, the year's members
    (:func:`model.levers.members_kernel.update_members`) and, with members, the call-off (:func:`call_off`);
    the year's money lapsing."""
    books, membership = lever.books, lever.membership
    members_kernel.give_back(membership.choosing.taken)  # what a call's applicants gave last quarter
    active = books_kernel.receive(books, t)
    if active:
        members_kernel.update_members(books, membership, lever.rng, t)
        if membership.tally[members_kernel.COUNT] and lever.calls_off:
            call_off(lever.stage, lever.applicable, membership.members, lever.adopted_stage, lever.cost_factor,
                     lever.load_factor, lever.fixed_cost_factor, lever.load)
    books_kernel.lapse(books, t, active)


#: an infrastructure lever's whole quarter as the compiled loop runs it (:func:`infrastructure_lever_quarter`):
#: ``books`` (:data:`model.levers.books_kernel.Books`), ``pool`` ((n,) bool: everyone its target reaches),
#: ``spent`` ((quarters,) [MSEK] spent each quarter; changed), ``gains`` ((quarters,) the gain in use each
#: quarter, worked out before the run in Python: :meth:`model.levers.infrastructure.Infrastructure.compiled`),
#: ``lag`` [quarters], ``lowers`` (it lowers any cost), ``cost_reduction``, ``load_reduction``, ``cells``
#: ((n, k) bool: where it lowers costs), the run's ``infrastructure_gain`` ((1,) effect, changed),
#: ``fixed_cost_factor`` and ``load`` ((n, k) effects, changed), ``gain`` ((1,) the gain in use; changed) and
#: ``reached`` ((1,) int64: the year, from the run's first, whose takers are marked, -1 none; changed)
InfrastructureLever = namedtuple("InfrastructureLever", ["books", "pool", "spent", "gains", "lag", "lowers",
                                                         "cost_reduction", "load_reduction", "cells",
                                                         "infrastructure_gain", "fixed_cost_factor", "load", "gain",
                                                         "reached"])


@njit(announce=COMPILING, error_model="numpy")
def infrastructure_lever_quarter(lever, t):
    """Quarter ``t`` of an infrastructure lever, as :meth:`model.levers.infrastructure.Infrastructure.step`
    and :meth:`model.levers.base.Lever.act` do it in Python: in an active year the quarter's money is spent
    (built), booked as used, its units and those reached (once a year); then the gain in use changes the
    infrastructure level and lowers the targeted costs (:func:`lower_costs`); the year's money lapsing."""
    books = lever.books
    active = books_kernel.receive(books, t)
    if active:
        year = books_kernel.year_of(t)
        pot = books.pot[0]
        lever.spent[t] = pot
        books.used[year] += pot
        books.placed[year] += pot
        if lever.reached[0] != year:  # everyone targeted is reached: marked once a year
            lever.reached[0] = year
            for i in range(lever.pool.shape[0]):
                if lever.pool[i]:
                    books.takers[year, i] = True
        books.bought[year] += pot
        books.pot[0] = 0.0
    gain = lever.gain
    if t >= lever.lag and lever.gains[t] != gain[0]:
        lever.infrastructure_gain[0] += lever.gains[t] - gain[0]
        gain[0] = lever.gains[t]
    if gain[0] > 0 and lever.lowers:
        lower_costs(lever.cells, 1.0 - lever.cost_reduction * gain[0], 1.0 - lever.load_reduction * gain[0],
                    lever.fixed_cost_factor, lever.load)
    books_kernel.lapse(books, t, active)


# procurement_lever_quarter compiles in the books, the members' rule, the target's order and the stream
key_on_sources(globals(), books_kernel, members_kernel, streams, targeting_kernel)
