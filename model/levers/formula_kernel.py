"""Small actors' grants by formula, their quarter in compiled code, for the compiled loop
(:mod:`model.levers.compiled`; issue 21: levers decided in compiled code).

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

from .. import stages
from ..environment import njit
from ..stages import QUARTERS_PER_YEAR
from . import books_kernel, capacity_kernel, members_kernel
from .targeting_kernel import key_on_sources

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


key_on_sources(globals(), books_kernel, capacity_kernel, members_kernel, stages)
