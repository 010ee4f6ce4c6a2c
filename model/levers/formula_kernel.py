"""Grants by formula — small actors' grants and earmarked state grants — their quarter in compiled code, for
the compiled loop (:mod:`model.levers.compiled`; issue 21: levers decided in compiled code).

:func:`small_grants_lever_quarter` does what :meth:`model.levers.funding.SmallActorGrants.step` and
:meth:`model.levers.base.Lever.act` do in Python, with the same arithmetic in the same order. What a formula
hands out depends on nothing the run changes — the target's pool, the populations, what the operator
delivers — so each instalment's money and project staff are worked out before the run by NumPy
(:meth:`~model.levers.funding.SmallActorGrants.compiled`, with NumPy's pairwise sums); the kernel adds them
to the organisations' own money (settled before the quarter's dynamics:
:func:`model.levers.compiled.settle_money`), lends the staff and keeps the books. The runs are those of the
quarters in Python, bit for bit (``tests/levers/test_compiled_quarters.py``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from .. import stages
from ..environment import njit
from ..stages import ADOPTED, PILOTING, QUARTERS_PER_YEAR
from . import books_kernel, capacity_kernel, members_kernel, targeting_kernel
from .targeting_kernel import key_on_sources, row_sum

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with small actors' grants in this environment, about 1 s)"

#: a small actors' grant lever's whole quarter as the compiled loop runs it: ``books``
#: (:data:`model.levers.books_kernel.Books`), ``pool`` ((n,) bool: everyone the formula reaches, ``reached``
#: of them), ``admin`` ((years,) [MSEK a quarter] spent running the programme), ``paid`` ((quarters,) bool:
#: an instalment is paid), ``money`` and ``staff_added`` ((quarters, n): each instalment's money for the year
#: [MSEK] and project staff added for the rest of the year [capacity units]), ``awarded`` ((quarters,)
#: [MSEK] each instalment's sum), ``staff`` ((n,) the lever's project staff now; changed), ``added`` ((n,) the
#: run's own money added this quarter; changed), ``taken`` (:data:`model.levers.members_kernel.Taken`),
#: ``lent`` ((n,) scratch), ``awarded_msek`` ((1,) MSEK awarded so far) and ``grants`` ((1,) int64 grants so
#: far; both changed)
SmallGrantsLever = namedtuple("SmallGrantsLever", ["books", "pool", "reached", "admin", "paid", "money",
                                                   "staff_added", "awarded", "staff", "added", "taken", "lent",
                                                   "awarded_msek", "grants"])


@njit(announce=COMPILING, error_model="numpy")
def small_grants_lever_quarter(lever, t):
    """Quarter ``t`` of small actors' grants (the module docstring): last quarter's lent staff given back,
    money in (handed out by instalments, not from the pot), in an active year the programme's running cost
    and, in an instalment's quarter, the grants (own money added, project staff for the rest of the year),
    the staff lent this quarter, and the year's money lapsing; out of its years, no staff."""
    books, staff = lever.books, lever.staff
    members_kernel.give_back(lever.taken)
    active = books_kernel.receive(books, t)
    books.pot[0] = 0.0
    if not active:
        staff.fill(0.0)
        return
    if t % QUARTERS_PER_YEAR == 0:
        staff.fill(0.0)
    year = books_kernel.year_of(t)
    books.used[year] += lever.admin[year]
    books.placed[year] += 0.0
    if lever.paid[t]:
        pool, money, added = lever.pool, lever.money[t], lever.added
        for i in range(pool.shape[0]):
            added[i] += money[i] if pool[i] else 0.0
        staff_added = lever.staff_added[t]
        for i in range(staff.shape[0]):
            staff[i] += staff_added[i]
        lever.grants[0] += lever.reached
        lever.awarded_msek[0] += lever.awarded[t]
        books.used[year] += lever.awarded[t]
        books.placed[year] += lever.reached
        for i in range(pool.shape[0]):
            if pool[i]:
                books.takers[year, i] = True
    lending = False
    for i in range(staff.shape[0]):
        lending = lending or staff[i] != 0.0
    if lending:  # lent for this quarter: taken with the sign turned, as Lever.lend_capacity does
        lent = lever.lent
        for i in range(staff.shape[0]):
            lent[i] = -staff[i]
        members_kernel.take_capacity(lever.taken, lent)
    books_kernel.lapse(books, t, active)


#: an earmarked state grant's whole quarter as the compiled loop runs it (:func:`earmarked_lever_quarter`):
#: ``books`` (:data:`model.levers.books_kernel.Books`), ``k`` (the innovation), ``eligible`` ((n,) bool: the
#: kinds named, where the innovation applies), ``started_only`` (``condition: started``), ``by_population``
#: (``split: population``, else equal), ``population`` (n,), the run's ``stage`` (n, k) int8 and
#: ``state_grant`` ((n, k) [MSEK] the earmarked money left; changed), ``paid`` ((n,) [MSEK] paid this year;
#: changed), ``paid_year`` ((1,) int64: the books' year of the grant not yet closed, -1 none; changed),
#: ``returned`` ((years,) [MSEK] the ledger's; changed), and scratch ``who`` (n,) bool and ``weight`` (n,)
EarmarkedLever = namedtuple("EarmarkedLever", ["books", "k", "eligible", "started_only", "by_population",
                                               "population", "stage", "state_grant", "paid", "paid_year",
                                               "returned", "who", "weight"])


@njit(announce=COMPILING, error_model="numpy")
def earmarked_lever_quarter(lever, t):
    """Quarter ``t`` of an earmarked state grant, as :meth:`model.levers.earmarked.EarmarkedGrantLever.step`
    and :meth:`model.levers.base.Lever.act` do it: money in (paid by formula, not from the pot); in each first
    quarter last year's unspent money taken back (:func:`close_earmarked`) and, in an active year, the year's
    money split by population or equally among the eligible (those piloting or using the innovation, with
    ``condition: started``), with NumPy's pairwise sums (:func:`model.levers.targeting_kernel.row_sum`)."""
    books = lever.books
    active = books_kernel.receive(books, t)
    books.pot[0] = 0.0
    if t % QUARTERS_PER_YEAR != 0:
        return
    close_earmarked(lever)
    if not active:
        return
    year, k, who, weight = books_kernel.year_of(t), lever.k, lever.who, lever.weight
    stage, n, count = lever.stage, lever.who.shape[0], 0
    for i in range(n):
        who[i] = lever.eligible[i] and (not lever.started_only or stage[i, k] == PILOTING or stage[i, k] == ADOPTED)
        weight[i] = (lever.population[i] if lever.by_population else 1.0) if who[i] else 0.0
        count += who[i]
    total, money = row_sum(weight, 0, n), books.delivered[year]
    if total > 0 and money > 0:
        paid = lever.paid
        for i in range(n):
            paid[i] = money * weight[i] / total
            lever.state_grant[i, k] = paid[i]
        lever.paid_year[0] = year
        books_kernel.use(books, t, row_sum(paid, 0, n), np.flatnonzero(who), count)
        books.bought[year] += count


@njit(announce=COMPILING, error_model="numpy")
def close_earmarked(lever):
    """The end of a year of an earmarked grant: what was not spent (the least of what is left and what was
    paid, each organisation) taken back and booked as returned to the year of the grant."""
    year = lever.paid_year[0]
    if year < 0:
        return
    k, paid, state_grant = lever.k, lever.paid, lever.state_grant
    n = paid.shape[0]
    left = np.empty(n)
    for i in range(n):
        own = state_grant[i, k]
        left[i] = own if (own <= paid[i] or own != own) else paid[i]  # np.minimum's choice
        state_grant[i, k] = 0.0
        paid[i] = 0.0
    back = row_sum(left, 0, n)
    lever.returned[year] += back
    lever.books.used[year] -= back
    lever.paid_year[0] = -1


key_on_sources(globals(), books_kernel, capacity_kernel, members_kernel, targeting_kernel, stages)
