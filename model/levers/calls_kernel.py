"""A grant call's whole quarter in compiled code, for the compiled loop (:mod:`model.levers.compiled`; issue 21:
levers decided in compiled code).

:func:`call_lever_quarter` does what :meth:`model.levers.funding._Call.step` and
:meth:`model.levers.base.Lever.act` do in Python around the call's kernels (:mod:`model.levers.funding_kernel`):
last quarter's capacity given back, the quarter's money received, the programme's running cost, in a round's
quarter the round (:func:`~model.levers.funding_kernel.call_round`: who applies, the ranking, the grants) with
the money carried from the year's earlier rounds, the applications' own-money overhead charged, the grants
counted, then each quarter the follow-up (:func:`~model.levers.funding_kernel.follow_up`: project staff lent,
the earmarked rest of ended grants returned, booked to the year of the grant). The same arithmetic in the same
order, so the runs are those of the quarters in Python, bit for bit (``tests/levers/test_compiled_quarters.py``).
"""

from __future__ import annotations

from collections import namedtuple

from .. import stages
from ..environment import njit
from ..stages import QUARTERS_PER_YEAR
from ..world import lever_ties
from . import books_kernel, capacity_kernel, funding_kernel, members_kernel, streams, targeting_kernel
from .funding_kernel import call_round, follow_up
from .targeting_kernel import key_on_sources

#: said once per command before this module's kernels are first compiled (not when loaded from the cache)
COMPILING = "the levers' code (first run with grant calls in this environment, about 3 s)"

#: a grant call's whole quarter as the compiled loop runs it: ``books``
#: (:data:`model.levers.books_kernel.Books`), ``rng`` (the run's lever generator:
#: :data:`model.levers.streams.Stream`), ``run`` (:data:`model.levers.funding_kernel.CallRun`), ``book``
#: (:data:`~model.levers.funding_kernel.GrantBook`), ``rule`` (:data:`~model.levers.funding_kernel.CallRule`),
#: ``pool`` ((n,) bool: who may apply), ``opens`` ((QUARTERS_PER_YEAR,) bool: a round opens in the year's
#: quarter), ``net`` ((years,) [MSEK] a round's share of the year's money, before what earlier rounds carried),
#: ``admin`` ((years,) [MSEK a quarter] spent running the programme), ``overhead_capacity`` [capacity units]
#: and ``overhead_msek`` [MSEK] an application costs, ``charged`` ((n,) the run's own money charged this
#: quarter; changed), ``taken`` (:data:`model.levers.members_kernel.Taken`), ``work``
#: (:data:`~model.levers.funding_kernel.Work`), ``first_year`` (the calendar year of the books' index 0),
#: ``applications`` ((years,) int64) and ``returned`` ((years,) [MSEK]) the ledger's by year, ``sums`` ((3,)
#: MSEK: :data:`CARRY`, :data:`AWARDED`, :data:`RETURNED`) and ``counts`` ((3,) int64: :data:`GRANTS`,
#: :data:`APPLIED`, :data:`FUNDED`; all changed)
CallLever = namedtuple("CallLever", ["books", "rng", "run", "book", "rule", "pool", "opens", "net", "admin",
                                     "overhead_capacity", "overhead_msek", "charged", "taken", "work", "first_year",
                                     "applications", "returned", "sums", "counts"])

#: ``CallLever.sums``: the money a round could not award, for the next round of the year; MSEK awarded and
#: returned so far
CARRY, AWARDED, RETURNED = 0, 1, 2
#: ``CallLever.counts``: grants awarded and applications received so far; whether any pair is funded now (0/1)
GRANTS, APPLIED, FUNDED = 0, 1, 2


@njit(announce=COMPILING, error_model="numpy")
def call_lever_quarter(lever, t):
    """Quarter ``t`` of a grant call (the module docstring). Money is handed out by rounds from the year's
    delivery, not from the pot, which stays empty."""
    books, sums, counts = lever.books, lever.sums, lever.counts
    members_kernel.give_back(lever.taken)
    active = books_kernel.receive(books, t)
    books.pot[0] = 0.0
    if active:
        year = books_kernel.year_of(t)
        books.used[year] += lever.admin[year]
        books.placed[year] += 0.0
        quarter = t % QUARTERS_PER_YEAR
        if lever.opens[quarter]:
            if quarter == 0:
                sums[CARRY] = 0.0  # last year's unawarded money lapsed
            _round(lever, year)
    if counts[FUNDED]:
        _follow_up(lever)
    books_kernel.lapse(books, t, active)


@njit(announce=COMPILING, error_model="numpy")
def _round(lever, year):
    """A round of the call in ``year`` (the books' index), as :meth:`model.levers.funding._Call._round` and
    ``_record``: the grants counted one by one, in rank order."""
    books, sums, counts, work = lever.books, lever.sums, lever.counts, lever.work
    money = lever.net[year] + sums[CARRY]
    overhead = lever.overhead_capacity
    if overhead > 0:  # taken for this quarter by the kernel, given back by the next
        lever.taken.held[0] = True
    applying, won = call_round(lever.rng, lever.run, lever.book, lever.rule, lever.pool, overhead, money,
                               lever.first_year + year, lever.taken.taken, work)
    if lever.overhead_msek > 0:  # the capacity overhead was taken by call_round
        members_kernel.charge_money(lever.charged, work.applicants, lever.overhead_msek)
    counts[APPLIED] += applying
    lever.applications[year] += applying
    awarded = 0.0
    if won:
        counts[FUNDED] = 1
        counts[GRANTS] += won
        for r in range(won):
            amount = work.amounts[r]
            awarded += amount
            sums[AWARDED] += amount
            books.used[year] += amount
            books.placed[year] += 1.0
        for r in range(won):
            books.takers[year, work.rows[r]] = True
    left = money - awarded
    sums[CARRY] = left if left > 0.0 else 0.0  # max(0.0, left), as Python's max gives it


@njit(announce=COMPILING, error_model="numpy")
def _follow_up(lever):
    """The quarter's follow-up (:meth:`model.levers.funding._Call._follow_up`): what is returned booked to
    the year of its grant."""
    work, sums = lever.work, lever.sums
    running, back, funded = follow_up(lever.run, lever.book, lever.rule, lever.taken.taken, work)
    lever.counts[FUNDED] = 1 if funded else 0
    if running:  # lent for this quarter by the kernel, taken back by the next
        lever.taken.held[0] = True
    for r in range(back):
        amount, year = work.returned[r], work.returned_year[r] - lever.first_year
        sums[RETURNED] += amount
        lever.returned[year] += amount
        lever.books.used[year] -= amount


# compiled in: the books, capacity taken and given back, the call's kernels and all they compile in
key_on_sources(globals(), books_kernel, capacity_kernel, members_kernel, funding_kernel, targeting_kernel, streams,
               stages, lever_ties)
