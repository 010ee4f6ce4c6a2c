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


def books_of(lever: "Lever", ctx: "RunContext") -> Books:
    """``lever``'s books now. What its operator delivers in each active year is decided here (a national
    operator's share of its capacity: nothing in the run changes it); a lever run by a region (which pays
    from its own money, as the run has it then) has no books here. Raises ``ValueError`` for one."""
    if lever.region is not None:
        raise ValueError(f"{lever.name}: a lever run by a region pays from its own money each year: its "
                         "quarters run in Python")
    years, first, n = years_of(ctx), ctx.calendar.start_year, ctx.n
    books = Books(budget=lever.budget, pot=np.array([lever.pot]), active=np.zeros(years, dtype=np.bool_),
                  delivered=np.zeros(years), recorded=np.zeros(years, dtype=np.bool_), budget_in=np.zeros(years),
                  delivered_in=np.zeros(years), used=np.zeros(years), bought=np.zeros(years),
                  placed=np.zeros(years), counted=np.zeros(years, dtype=np.bool_),
                  takers=np.zeros((years, n), dtype=np.bool_))
    for year in lever.years:
        books.active[year - first] = True
        delivered = lever.delivered.get(year)
        books.delivered[year - first] = lever._deliverable(ctx, year) if delivered is None else delivered
    for year in lever._bought_years:
        books.counted[year - first] = True
    if lever._use_ledger is ctx.ledger:  # the records of the quarters run so far
        for year, use in lever._uses.items():
            y = year - first
            books.recorded[y] = True
            books.budget_in[y], books.delivered_in[y], books.used[y] = use.budget, use.delivered, use.used
            books.bought[y], books.placed[y] = use.bought, use.placed
            books.takers[y] = use.takers
    return books


def take_books(levers: "list[Lever]", books: "list[Books]", ctx: "RunContext", t1: int) -> None:
    """Write ``books`` (one per lever of ``levers``, in their order) back into the levers and the run's
    ledger after their quarters up to ``t1`` (exclusive) ran compiled: each lever's pot, the money its
    operator delivered in the years reached, the years whose units were counted, and its ledger records —
    made year by year, lever after lever, in the order the quarters in Python make them."""
    first = ctx.calendar.start_year
    reached = (t1 - 1) // QUARTERS_PER_YEAR  # the last year whose quarters ran
    for lever, book in zip(levers, books):
        lever.pot = float(book.pot[0])
        for y in np.flatnonzero(book.active[:reached + 1]):
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
