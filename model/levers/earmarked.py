"""Earmarked state grants (``events:`` entries of ``type: earmarked_grant``), run like a lever.

The state pays a targeted grant for one innovation (000 L2638-2645, L3334-3336; 004 L1760-1764: state
grants are often earmarked): each year of the grant its operator (by default Socialstyrelsen) hands the
year's money out by formula — by population or equally — to the kinds of organisation it names; with
``condition: started`` only to those piloting or using the innovation at the start of the year. The money
can pay only that innovation's costs (pilot running costs, scale-up instalments, running costs of the
adoption) and what is not spent by the end of the year is returned. When the grant ends, organisations
whose own money does not cover the running costs it paid may drop the innovation — the discontinuance the
reports fear from temporary money (000 L2638-2645).

It is reported with the levers' usage under the event's name: budget, delivered (its operator's capacity
is shared with the levers it runs), used (paid out, less what was returned) and the organisations paid.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..stages import ADOPTED, PILOTING
from ..world.organisations import KIND_NAMES
from .base import Lever


class EarmarkedGrantLever(Lever):
    """An earmarked state grant for one innovation, paid yearly by formula, unspent money returned."""

    unit = "organisations paid"

    def __init__(self, event, ctx, capacity_share: dict[int, float] | None = None) -> None:  # noqa: D107
        from ..dynamics.events import event_name

        self.event = event
        self.p = SimpleNamespace(budget_msek_per_year=event.msek_per_year)
        self.name = event_name(event)
        self.operator = event.operator
        first = max(event.start_year, ctx.calendar.start_year)
        self.years = range(first, min(event.start_year + event.years, ctx.calendar.end_year))
        self.n = ctx.n
        self.rng = ctx.rng_levers
        self.share, self.region = 1.0, None
        self.capacity_share = capacity_share or {}
        self.pot = 0.0
        self.delivered: dict[int, float] = {}
        self._bought_years: set[int] = set()
        self._temp_capacity = np.zeros(ctx.n)
        self._temp_taken = False
        self.k = ctx.innovation_names.index(event.innovation)
        self.eligible = np.isin(ctx.orgs.kind, [KIND_NAMES.index(kind) for kind in event.kinds])
        self.eligible &= ctx.applicable[:, self.k]
        self.paid = np.zeros(ctx.n)  # what was paid out this year, per organisation
        self._paid_year: int | None = None

    def lingering(self, ctx, t) -> bool:
        """A year's grant not yet closed: what is unspent is taken back in the next first quarter."""
        return self._paid_year is not None

    def step(self, ctx, t, year, quarter, active) -> None:
        """Each Q1: take back last year's unspent money, then pay out this year's."""
        self.pot = 0.0
        if quarter != 1:
            return
        self.close(ctx)
        if not active:
            return
        e, k = ctx.effects, self.k
        who = self.eligible.copy()
        if self.event.condition == "started":
            stage = ctx.state.stage[:, k]
            who &= (stage == PILOTING) | (stage == ADOPTED)
        weight = np.where(who, ctx.orgs.population, 0.0) if self.event.split == "population" else who * 1.0
        money = self.delivered[year]
        if weight.sum() > 0 and money > 0:
            self.paid = money * weight / weight.sum()
            e.state_grant_msek[:, k] = self.paid
            self._paid_year = year
            self.use(ctx, year, float(self.paid.sum()), who, int(who.sum()))
            self.usage(ctx, year).bought += int(who.sum())

    def compiled(self, ctx, t):
        """The grant's quarters from quarter ``t`` as the compiled loop runs them (:mod:`model.levers.compiled`):
        a :data:`model.levers.formula_kernel.EarmarkedLever` over its own arrays, books and the run's."""
        from .books import books_of, recorded_of
        from .kernels import kernels

        books, first = books_of(self, ctx), ctx.calendar.start_year
        return kernels("formula_kernel").EarmarkedLever(
            books, self.k, self.eligible, self.event.condition == "started", self.event.split == "population",
            ctx.orgs.population.astype(float), ctx.state.stage, ctx.effects.state_grant_msek, self.paid,
            np.array([-1 if self._paid_year is None else self._paid_year - first], dtype=np.int64),
            recorded_of(self, ctx, len(books.active), "returned"), np.zeros(ctx.n, dtype=np.bool_), np.zeros(ctx.n))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the year of the grant not yet closed and the money returned by year."""
        from .books import take_recorded

        year = int(compiled.paid_year[0])
        self._paid_year = None if year < 0 else ctx.calendar.start_year + year
        take_recorded(self, ctx, "returned", compiled.returned, compiled.books)

    def close(self, ctx) -> None:
        """The end of a year of the grant (or of the run): what was not spent is returned."""
        if self._paid_year is None:
            return
        k = self.k
        back = float(np.minimum(ctx.effects.state_grant_msek[:, k], self.paid).sum())
        ctx.effects.state_grant_msek[:, k] = 0.0
        use = self.usage(ctx, self._paid_year)
        use.returned += back
        use.used -= back
        self.paid = np.zeros(ctx.n)
        self._paid_year = None
