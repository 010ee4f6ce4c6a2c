"""A lever's money and ledger kept in compiled code, for levers whose whole quarter runs inside the compiled
loop (:mod:`model.levers.compiled`; issue 21: levers decided in compiled code).

These kernels do what :class:`model.levers.base.Lever` does in Python — :meth:`~model.levers.base.Lever.act`'s
money arriving a quarter at a time and lapsing at the end of the year, :meth:`~model.levers.base.Lever.buy`,
:meth:`~model.levers.base.Lever.use`, :meth:`~model.levers.base.Lever.refund` — with the same arithmetic in
the same order, on :data:`Books`, a lever's books as arrays by year (index 0: the run's first year). So a
lever run here keeps the same books, bit for bit, as run quarter by quarter in Python
(``tests/levers/test_compiled_quarters.py``); :mod:`model.levers.books` makes them from the lever and
writes them back into the run's ledger.
"""

from __future__ import annotations

import math
from collections import namedtuple

from .. import stages
from ..environment import njit
from ..stages import QUARTERS_PER_YEAR
from .targeting_kernel import key_on_sources

#: a lever's books for a stretch of quarters. By year of the run, (years,) each: ``active`` bool (one of its
#: active years), ``delivered`` [MSEK] what its operator delivers that year and ``decided`` bool (whether
#: that is known yet: a region's is decided in the year's first quarter, from its own money then), and the
#: year's ledger record (:class:`model.context.LeverYear`): ``recorded`` bool (it exists), ``budget_in``,
#: ``delivered_in``, ``used`` [MSEK], ``bought``, ``placed`` [units], ``counted`` bool (the year's ``bought``
#: counted), ``takers`` (years, n) bool. ``pot`` (1,) [MSEK] delivered and not yet placed; ``budget``
#: [MSEK/year]; ``region`` (the region that runs this part of the lever, -1: a national operator) and
#: ``own`` (the run's own money: ``money_left``, and this quarter's ``added`` and ``charged``, (n,) [MSEK]
#: each; a region pays its part from it)
Books = namedtuple("Books", ["budget", "pot", "active", "delivered", "decided", "recorded", "budget_in",
                             "delivered_in", "used", "bought", "placed", "counted", "takers", "region", "own"])


@njit(error_model="numpy")
def year_of(t):
    """The year of quarter ``t``, counted from the run's first (the books' index)."""
    return t // QUARTERS_PER_YEAR


@njit(error_model="numpy")
def receive(books, t):
    """The start of quarter ``t`` of a lever (:meth:`model.levers.base.Lever.act`): in an active year, the
    quarter's budget and delivered money booked and the delivered money put in the pot. Returns whether
    the lever is active."""
    year = t // QUARTERS_PER_YEAR
    if not books.active[year]:
        return False
    if not books.decided[year]:
        _region_pays(books, year)
    books.recorded[year] = True
    books.budget_in[year] += books.budget / QUARTERS_PER_YEAR
    books.delivered_in[year] += books.delivered[year] / QUARTERS_PER_YEAR
    books.pot[0] += books.delivered[year] / QUARTERS_PER_YEAR
    return True


@njit(error_model="numpy")
def _region_pays(books, year):
    """What a region delivers of its part's budget in ``year``, decided when the year's first quarter is
    received (:meth:`model.levers.base.Lever._deliverable`): as much of it as its own money still free
    covers (``max(money_left + added - charged, 0)``), charged to that money for the year."""
    money_left, added, charged = books.own
    r = books.region
    free = money_left[r] + added[r] - charged[r]
    free = free if (free >= 0.0 or free != free) else 0.0  # np.maximum(..., 0.0)
    paid = free if free < books.budget else books.budget  # min(budget, free), as Python's min gives it
    charged[r] += paid
    books.delivered[year] = paid
    books.decided[year] = True


@njit(error_model="numpy")
def lapse(books, t, active):
    """The end of quarter ``t``: in the last quarter of an active year, what is left in the pot lapses."""
    if active and t % QUARTERS_PER_YEAR == QUARTERS_PER_YEAR - 1:
        books.pot[0] = 0.0


@njit(error_model="numpy")
def buy(books, t, unit_cost):
    """Whole units at ``unit_cost`` [MSEK] the pot pays for, taken from it
    (:meth:`model.levers.base.Lever.buy`); the first time in a year, the units the year's delivered money
    pays for are counted as bought."""
    units = math.floor(books.pot[0] / unit_cost + 1e-9)
    left = books.pot[0] - units * unit_cost
    books.pot[0] = left if left > 0.0 else 0.0  # max(0.0, left), as Python's max gives it
    year = t // QUARTERS_PER_YEAR
    if not books.counted[year]:
        books.counted[year] = True
        books.bought[year] += math.floor(books.delivered[year] / unit_cost + 1e-9)
    return units


@njit(error_model="numpy")
def use(books, t, msek, takers, units):
    """``msek`` [MSEK] placed with ``takers`` ((c,) int64 organisations) as ``units`` units in quarter
    ``t`` (:meth:`model.levers.base.Lever.use`)."""
    year = t // QUARTERS_PER_YEAR
    books.used[year] += msek
    books.placed[year] += units
    for taker in takers:
        books.takers[year, taker] = True


@njit(error_model="numpy")
def refund(books, units, unit_cost):
    """Units bought and not placed back in the pot (:meth:`model.levers.base.Lever.refund`)."""
    books.pot[0] += units * unit_cost


key_on_sources(globals(), stages)  # the kernels compile in QUARTERS_PER_YEAR
