"""Who a lever reaches, a membership lever's places and the capacity a lever takes for a quarter, kept in
compiled code, for levers whose whole quarter runs inside the compiled loop (:mod:`model.levers.compiled`;
issue 21).

:func:`choose` does what :meth:`model.levers.targeting.Targeting.choose` does — up to so many of the
candidates in the target's order (:func:`~model.levers.targeting_kernel.choose_in_order`) or by its call
(:func:`~model.levers.targeting_kernel.chosen_by_call`, the applicants charged the overhead as
:meth:`~model.levers.base.Lever.charge` charges it), drawing as it draws; :func:`update_members` what
:meth:`model.levers.base.MembershipLever.update_members` does — the year's places filled once, in the first
active quarter, the members' places used every quarter — and :func:`take_capacity` and :func:`give_back` what
:meth:`~model.levers.base.Lever.use_capacity` and the start of :meth:`~model.levers.base.Lever.act` do,
with the same arithmetic in the same order, so the runs are the same bit for bit
(``tests/levers/test_compiled_quarters.py``).
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from .. import stages
from ..environment import njit
from ..stages import QUARTERS_PER_YEAR
from ..world import lever_ties
from . import books_kernel, capacity_kernel, streams, targeting_kernel
from .streams import generator
from .targeting_kernel import choose_in_order, chosen_by_call, key_on_sources

#: how a lever's target chooses (:func:`choose`): ``pool`` (n,) bool (who it can reach), ``by_capacity`` (its
#: order: lowest development capacity first, else random), ``capacity`` and ``capacity_bonus`` (n,) [capacity
#: units]; for a target with a call (``by_call``): ``call`` (:data:`model.levers.targeting_kernel.CallChoice`),
#: what free capacity is computed from (``load_factor`` (n, k), ``held_by``:
#: :data:`~model.levers.targeting_kernel.Loads`), the overhead in own money ``overhead_msek`` [MSEK an
#: application], the run's own money ``charged`` this quarter ((n,), changed), the capacity the lever takes
#: (``taken``: :data:`Taken`), and scratch: ``applicants`` (n,) bool, ``amount`` (n,)
Choosing = namedtuple("Choosing", ["pool", "by_capacity", "capacity", "capacity_bonus", "by_call", "call",
                                   "load_factor", "held_by", "overhead_msek", "charged", "taken", "applicants",
                                   "amount"])

#: a membership lever's members: ``members`` (n,) bool (changed), ``cost`` [MSEK a member-year], ``tally``
#: ((2,) int64: members, and the year (index from the run's first) whose places were filled, -1 for none;
#: changed), ``choosing`` (:data:`Choosing`: who joins)
Membership = namedtuple("Membership", ["members", "cost", "tally", "choosing"])

#: the fields of :data:`Membership`'s ``tally``
COUNT, YEAR = 0, 1

#: capacity a lever takes for a quarter and gives back the next: ``capacity_bonus`` (n,) the run's (changed),
#: ``taken`` (n,) [capacity units] (changed), ``held`` ((1,) bool: whether ``taken`` may be nonzero)
Taken = namedtuple("Taken", ["capacity_bonus", "taken", "held"])


@njit(error_model="numpy")
def update_members(books, membership, rng, t):
    """The members of quarter ``t``'s year (in an active year): in its first quarter the places its
    delivered money pays for are filled — the last to join leave when there are fewer; open places go to
    non-members of the pool in the target's order (``rng``: the run's lever generator) — and counted in the
    year's record; then the members' places of this quarter are used."""
    year = t // QUARTERS_PER_YEAR
    tally, members = membership.tally, membership.members
    if tally[YEAR] != year:
        rng = generator(rng)  # a Stream (streams.stream_of) or the Generator itself
        tally[YEAR] = year
        places = math.floor(books.delivered[year] / membership.cost + 1e-9)
        if tally[COUNT] > places:  # less delivered this year: the last to join leave
            kept = 0
            for i in range(members.shape[0]):
                if members[i]:
                    if kept < places:
                        kept += 1
                    else:
                        members[i] = False
            tally[COUNT] = places
        open_places = places - tally[COUNT]
        if open_places > 0:
            new = choose(membership.choosing, ~members, open_places, rng)
            for i in new:
                members[i] = True
            tally[COUNT] = np.count_nonzero(members)
        books.bought[year] += places
        books.placed[year] += float(tally[COUNT])
        for i in range(members.shape[0]):
            if members[i]:
                books.takers[year, i] = True
    cost = tally[COUNT] * membership.cost / QUARTERS_PER_YEAR
    books.pot[0] -= cost
    books.used[year] += cost


@njit(error_model="numpy")
def choose(choosing, need, units, rng):
    """Up to ``units`` organisations of the pool with ``need`` ((n,) bool) in the target's order (``choosing``:
    :data:`Choosing`), as :meth:`model.levers.targeting.Targeting.choose` chooses them: by its call (the
    applicants charged the overhead: :func:`charge`) or in its order; nothing drawn when ``units`` is not
    positive or nobody is a candidate. ``rng``: the run's lever generator (or its
    :data:`~model.levers.streams.Stream`). Returns the chosen ((<= units,) int64, in the order chosen)."""
    rng = generator(rng)  # a Stream (streams.stream_of) or the Generator itself
    c = choosing
    candidates = c.pool & need
    if not c.by_call:
        return choose_in_order(np.flatnonzero(candidates), units, c.by_capacity, c.capacity, c.capacity_bonus, rng)
    if units <= 0 or not candidates.any():
        return np.zeros(0, dtype=np.int64)
    chosen = chosen_by_call(rng, candidates, units, c.call, c.capacity, c.capacity_bonus, c.load_factor, c.held_by,
                            c.applicants)
    charge(c.taken, c.charged, c.applicants, c.call.overhead_capacity, c.overhead_msek, c.amount)
    return chosen


@njit(error_model="numpy")
def charge(taken, charged, who, capacity, msek, amount):
    """An application's overhead, as :meth:`model.levers.base.Lever.charge`: ``capacity`` [capacity units]
    taken from ``who`` ((n,) bool) for this quarter (:func:`take_capacity`, through ``amount``, (n,)
    scratch), and ``msek`` [MSEK] of their own money charged this quarter (added to ``charged``, (n,))."""
    if capacity > 0:
        for i in range(who.shape[0]):
            amount[i] = capacity if who[i] else 0.0
        take_capacity(taken, amount)
    if msek > 0:
        charge_money(charged, who, msek)


@njit(error_model="numpy")
def charge_money(charged, who, msek):
    """``msek`` [MSEK] of the own money of ``who`` ((n,) bool) charged this quarter: added to ``charged``
    ((n,)), 0.0 elsewhere, as :meth:`model.effects.Effects.charge_own_money` adds ``np.where(who, msek, 0.0)``."""
    for i in range(who.shape[0]):
        charged[i] += msek if who[i] else 0.0


@njit(error_model="numpy")
def take_capacity(taken, amount):
    """Take ``amount`` ((n,) capacity units) from the organisations for this quarter only."""
    capacity_bonus, held = taken.capacity_bonus, taken.taken
    for i in range(amount.shape[0]):
        capacity_bonus[i] -= amount[i]
    for i in range(amount.shape[0]):
        held[i] += amount[i]
    taken.held[0] = True


@njit(error_model="numpy")
def give_back(taken):
    """Give back the capacity taken last quarter, first thing in a quarter."""
    if taken.held[0]:
        capacity_kernel.give_back(taken.capacity_bonus, taken.taken)
    taken.held[0] = False


# compiled in (the lever_ties' stable order through the call)
key_on_sources(globals(), books_kernel, capacity_kernel, streams, targeting_kernel, stages, lever_ties)
