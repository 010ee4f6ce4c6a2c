"""A lever's books handed to compiled code and taken back: :data:`model.levers.books_kernel.Books` made from
a :class:`~model.levers.base.Lever` as it stands (its pot, what its operator delivers each year, its ledger
records so far), and written back into the lever and the run's ledger once its quarters have run in the
compiled loop (:mod:`model.levers.compiled`), as if they had run one by one in Python."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..stages import QUARTERS_PER_YEAR
from .books_kernel import Books

if TYPE_CHECKING:
    from ..context import RunContext
    from .base import Lever


def years_of(ctx: "RunContext") -> int:
    """The run's years (those its quarters touch)."""
    return -(-ctx.calendar.n_steps // QUARTERS_PER_YEAR)


#: the key in ``ctx.run_views`` of the ledger arrays made while :func:`model.levers.compiled._compiled` makes
#: the levers' compiled quarters, by lever name: the parts of a lever the regions run share the run's ledger
#: records (one per name and year), so their books share these arrays and add to them in the order the
#: quarters in Python add to the records
SHARED_LEDGER = "books: ledger arrays by lever name"


def books_of(lever: "Lever", ctx: "RunContext") -> Books:
    """``lever``'s books now. What a national operator delivers in each active year is decided here (its
    share of its capacity: nothing in the run changes it); what a region delivers of its part, in the year's
    first quarter in the compiled loop (from its own money as the run has it then), unless decided already.
    The ledger's arrays are those of an earlier part of the same lever where there is one
    (:data:`SHARED_LEDGER`)."""
    years, first = years_of(ctx), ctx.calendar.start_year
    e = ctx.effects
    ledger = _ledger_of(lever, ctx, years)
    books = Books(budget=lever.budget, pot=np.array([lever.pot]), active=np.zeros(years, dtype=np.bool_),
                  delivered=np.zeros(years), decided=np.zeros(years, dtype=np.bool_),
                  counted=np.zeros(years, dtype=np.bool_), region=-1 if lever.region is None else lever.region,
                  own=(ctx.state.money_left, e.added, e.charged), **ledger)
    for year in lever.years:
        books.active[year - first] = True
        delivered = lever.delivered.get(year)
        if delivered is None and lever.region is None:
            delivered = lever._deliverable(ctx, year)
        if delivered is not None:
            books.delivered[year - first], books.decided[year - first] = delivered, True
    for year in lever._bought_years:
        books.counted[year - first] = True
    return books


def _ledger_of(lever: "Lever", ctx: "RunContext", years: int) -> dict:
    """The ledger's part of ``lever``'s :data:`Books` (``recorded``, ``budget_in``, ``delivered_in``,
    ``used``, ``bought``, ``placed``, ``takers``), holding its records so far: shared with the lever's earlier
    parts (:data:`SHARED_LEDGER`) where it has them."""
    shared = ctx.run_views.get(SHARED_LEDGER)
    if shared is not None and lever.name in shared:
        return shared[lever.name]
    ledger = dict(recorded=np.zeros(years, dtype=np.bool_), budget_in=np.zeros(years), delivered_in=np.zeros(years),
                  used=np.zeros(years), bought=np.zeros(years), placed=np.zeros(years),
                  takers=np.zeros((years, ctx.n), dtype=np.bool_))
    if lever._use_ledger is ctx.ledger:  # the records of the quarters run so far
        for year, use in lever._uses.items():
            y = year - ctx.calendar.start_year
            ledger["recorded"][y] = True
            ledger["budget_in"][y], ledger["delivered_in"][y], ledger["used"][y] = use.budget, use.delivered, use.used
            ledger["bought"][y], ledger["placed"][y] = use.bought, use.placed
            ledger["takers"][y] = use.takers
    if shared is not None:
        shared[lever.name] = ledger
    return ledger


def take_books(levers: "list[Lever]", books: "list[Books]", ctx: "RunContext", t1: int) -> None:
    """Write ``books`` (one per lever of ``levers``, in their order) back into the levers and the run's
    ledger after their quarters up to ``t1`` (exclusive) ran compiled: each lever's pot, the money its
    operator delivered in the years reached, the years whose units were counted, and its ledger records —
    made year by year, lever after lever, in the order the quarters in Python make them."""
    first = ctx.calendar.start_year
    reached = (t1 - 1) // QUARTERS_PER_YEAR  # the last year whose quarters ran
    for lever, book in zip(levers, books):
        lever.pot = float(book.pot[0])
        for y in np.flatnonzero(book.active[:reached + 1] & book.decided[:reached + 1]):
            lever.delivered.setdefault(first + int(y), float(book.delivered[y]))
        lever._bought_years.update(first + int(y) for y in np.flatnonzero(book.counted))
    for y in range(reached + 1):
        for lever, book in zip(levers, books):
            if book.recorded[y]:
                use = lever.usage(ctx, first + y)
                use.budget, use.delivered, use.used = (float(book.budget_in[y]), float(book.delivered_in[y]),
                                                       float(book.used[y]))
                use.bought, use.placed = float(book.bought[y]), float(book.placed[y])
                use.takers[:] = book.takers[y]


def taken_of(lever: "Lever", ctx: "RunContext"):
    """The capacity ``lever`` takes for a quarter, as compiled quarters keep it
    (:data:`model.levers.members_kernel.Taken`, over the lever's own array)."""
    from .kernels import kernels

    return kernels("members_kernel").Taken(ctx.effects.capacity_bonus, lever._temp_capacity,
                                           np.array([lever._temp_taken]))


def take_taken(lever: "Lever", taken) -> None:
    """Take back whether ``lever`` holds capacity to give back (:func:`taken_of`) after its quarters ran."""
    lever._temp_taken = bool(taken.held[0])


def recorded_of(lever: "Lever", ctx: "RunContext", years: int, field: str, dtype: type = float) -> np.ndarray:
    """(years,) ``lever``'s ledger records' ``field`` (``returned`` [MSEK], ``applications``) so far, by
    year, as compiled quarters keep it beside its :data:`Books`."""
    values = np.zeros(years, dtype=dtype)
    if lever._use_ledger is ctx.ledger:  # the records of the quarters run so far
        for year, use in lever._uses.items():
            values[year - ctx.calendar.start_year] = getattr(use, field)
    return values


def take_recorded(lever: "Lever", ctx: "RunContext", field: str, values: np.ndarray, books: Books) -> None:
    """Write ``values`` (:func:`recorded_of`'s, after the quarters ran compiled) into ``lever``'s ledger
    records' ``field`` (the records made by :func:`take_books` for every year its ``books`` recorded)."""
    first = ctx.calendar.start_year
    for y in np.flatnonzero(books.recorded):
        setattr(lever.usage(ctx, first + int(y)), field, values[y].item())
