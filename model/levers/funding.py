"""Funding: pilot grants, scale-up grants, and grants targeted at small actors (SustainGov ID 27).

*Pilot and scale-up grants* fund a pilot (or a scale-up) of a *named* innovation in a named organisation,
through calls: ``calls_per_year`` rounds a year share the year's money (less ``admin_share`` for running
the programme). In each round every organisation the target admits that has something to apply for — for a
pilot grant an innovation it knows of and is not yet piloting, for a scale-up grant an innovation it is
piloting — and someone to write the application (an enthusiast) applies with probability
``free / (free + application_half_capacity)`` of its free development capacity, for one innovation, paying
the application overhead once per round (``target.application_overhead_*``; 001 L1271-1279: heavy
application and reporting costs) — by default people's time only (0.1 capacity units for the quarter):
charged also to the own development money that pays pilots, the same hours were paid twice, and in the
calibrated world, where that money binds, the losers' overhead stopped more pilots and scale-ups than the
grants bought (docs/levers.md, "Funding"; tests/levers/test_grants.py); losers wait for the next round.
Applications are ranked by ``selection``: ``quality`` (log capacity plus noise: the better-resourced write
better applications, 001 L2412-2418, L1295-1299; in the calibrated world they fund mostly what would have
happened anyway) or ``need`` (the least capacity first). Winners get, earmarked for that innovation:

- a pilot grant: the pilot's running costs for its planned length, and ``staff_msek_per_year`` of project
  staff while it runs (temporary development capacity at ``capacity_msek`` per capacity unit); the pilot
  starts at once (the grant is tied to it);
- a scale-up grant (for a pilot in its last two quarters or prolonged after it worked): the scale-up's cost
  (fixed and per-inhabitant part) and project staff while it is implemented; what is left pays the
  innovation's running costs until it is used up — after that the organisation pays them itself, or drops
  the innovation (000 L2638-2645: temporary money).

A grant is capped at ``max_grant_msek``; money a round could not award goes to the next round of the year,
and at the end of the year it lapses (unplaced). Earmarked money left when a funded pilot ends without
scaling (or a scale-up grant's pilot stalls) is returned to the funder and does not count as used.

*Small-actor grants* (ID 27, 000 L4518-4537) are handed out by formula, once a year by default, to
everyone the target reaches (equally or by population): flexible money for the year, of which
``staff_share`` buys temporary development capacity (project staff) for the year — what small
municipalities lack most is time and people (000 L4102-4108).

Run by Vinnova (the funder, 001 L1016-1082) by default, or by another national actor with a funder or
sector-agency role.

A call's rounds and its quarterly follow-up are decided in compiled code (:mod:`model.levers.funding_kernel`,
issue 21) that applies these rules pair by pair and draws a round's random numbers from the lever's stream
inside the kernel (the numbers NumPy drew, in the same order), so the results are those of the vectorised
rules, bit for bit (``tests/levers/test_grant_kernels.py``).
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from .. import economy
from ..stages import QUARTERS_PER_YEAR
from .base import Absorption, Lever, LeverParams
from .kernels import bound, kernels
from .registry import register
from .targeting import Target


def is_call_quarter(quarter: int, calls_per_year: int) -> bool:
    """Whether a round of a call with ``calls_per_year`` rounds (1, 2 or 4) opens in ``quarter`` (1-4): the
    first quarter of the year and every ``QUARTERS_PER_YEAR // calls_per_year`` quarters after it."""
    return (quarter - 1) % (QUARTERS_PER_YEAR // calls_per_year) == 0


class FundingParams(LeverParams):
    """The YAML parameters every grant lever shares; each field's description gives its unit, meaning and
    source."""

    admin_share: float = Field(
        0.05, ge=0.0, lt=1.0,
        description="[share of budget] spent running the programme (calls, assessment, follow-up); assumption")
    staff_msek_per_year: float = Field(
        0.4, ge=0.0, le=100.0,
        description="[MSEK per grant and year] project staff a grant pays for while its pilot or scale-up runs "
                    "(temporary capacity at capacity_msek per unit); assumption")
    max_grant_msek: float = Field(
        3.0, gt=0.0, le=1000.0, description="[MSEK per grant] the most one grant can be; assumption")
    calls_per_year: Literal[1, 2, 4] = Field(
        2, description="rounds a year, each handing out its share of the year's money; applicants pay the "
                       "overhead once per round and losers wait for the next")
    selection: Literal["quality", "need"] = Field(
        "quality", description="how applications are ranked: quality (the better-resourced win, with noise) or "
                               "need (the least development capacity first)")
    target: Target = Field(default_factory=lambda: Target(by="application", kinds=["municipality", "region"]),
                           description="who may apply (default: municipalities and regions)")

    @model_validator(mode="after")
    def _a_call(self):
        if self.target.by != "application":
            raise ValueError(f"grants for a pilot or scale-up are applied for: target.by must be application, "
                             f"not {self.target.by} (selection: need gives the neediest applicants first)")
        return self


class PilotGrantsParams(FundingParams):
    """The YAML parameters of the ``pilot_grants`` lever; each field's description gives its unit, meaning and
    source (``spridning levers pilot_grants``)."""

    type: Literal["pilot_grants"]
    start_at_once: bool = Field(
        True, description="the funded pilot starts as soon as its first quarter can be paid (the grant is tied "
                          "to it); false switches this off (tests/levers/test_paths.py): the grant's money then "
                          "waits, earmarked, until the organisation starts that pilot of its own accord")


class ScaleUpGrantsParams(FundingParams):
    """The YAML parameters of the ``scale_up_grants`` lever; each field's description gives its unit, meaning and
    source (``spridning levers scale_up_grants``)."""

    type: Literal["scale_up_grants"]
    max_grant_msek: float = Field(
        5.0, gt=0.0, le=1000.0, description="[MSEK per grant] the most one grant can be; assumption")
    calls_per_year: Literal[1, 2, 4] = Field(
        4, description="rounds a year (4 = a rolling call each quarter, as pilots come to their end); "
                       "applicants pay the overhead once per round and losers wait for the next")


class SmallActorGrantsParams(LeverParams):
    """The YAML parameters of the ``small_actor_grants`` lever; each field's description gives its unit, meaning and
    source (``spridning levers small_actor_grants``)."""

    type: Literal["small_actor_grants"]
    admin_share: float = Field(
        0.05, ge=0.0, lt=1.0,
        description="[share of budget] spent running the programme (allocation, follow-up); assumption")
    calls_per_year: Literal[1, 2, 4] = Field(
        1, description="instalments a year; 1 = a yearly allocation, like a state grant")
    formula_weight: Literal["equal", "population"] = Field(
        "equal", description="how each instalment is split among everyone the target reaches")
    staff_share: float | None = Field(
        None, ge=0.0, le=1.0,
        description="[share] of each grant that buys temporary development capacity (project staff) for the "
                    "year, at capacity_msek per unit; the rest is money for the year's pilots and scale-ups; "
                    "default: the model's flexible_staff_share, the split of any flexible money, own money "
                    "included (model/economy.py); assumption")
    target: Target = Field(default_factory=lambda: Target(by="size_band", size_bands=["<10k", "10-20k"]),
                           description="who is funded (default: municipalities under 20 000 inhabitants)")

    @model_validator(mode="after")
    def _formula(self):
        if self.target.by == "application":
            raise ValueError("small_actor_grants are paid by formula to everyone targeted; for a call use "
                             "pilot_grants or scale_up_grants with target.size_bands")
        return self


class _Call(Lever):
    """A grant programme with calls for named pilots or scale-ups (see the module docstring)."""

    #: what an application is for: "pilot" (an innovation known, not yet piloted) or "scale" (one piloted)
    purpose: ClassVar[str] = "pilot"
    unit_cost_fields = ("admin_share", "staff_msek_per_year", "max_grant_msek")
    default_operator = "vinnova"
    operator_roles = ("funder", "sector_agency")
    unit = "grants"

    @classmethod
    def absorbable_msek(cls, params: FundingParams, admitted: int, years: int) -> None:
        """Not estimated before the run: how much a call awards depends on how many admitted organisations
        have a pilot (or a scale-up) to apply for and the free capacity to write an application, which
        only the run knows (see lever_usage.csv's unplaced_no_taker_msek after a run)."""
        return None

    def setup(self, ctx) -> None:
        from . import funding_kernel  # numba: loaded by runs, not by `spridning validate`

        # the run's arrays as the kernels take them (funding_kernel.call_run): the same arrays all run (changed
        # in place), so made once, on first use, not every quarter
        self._call_run = funding_kernel.call_run
        self._run = None
        # bound once per run: numba's dispatcher would type the named tuples in Python at every call
        self._call_round = bound(funding_kernel.call_round)
        self._follow = bound(funding_kernel.follow_up)
        self.carry = 0.0  # money a round could not award, for the next round of the year
        self.grants = 0
        self.awarded_msek = 0.0
        self.returned_msek = 0.0
        self.recipients = np.zeros(ctx.n, dtype=bool)  # ever funded
        self.earmarked = np.zeros((ctx.n, ctx.k))  # MSEK this lever put into each pair's grant
        self.staff = np.zeros((ctx.n, ctx.k))  # capacity units of project staff per funded pair
        self.funded = np.zeros((ctx.n, ctx.k), dtype=bool)  # pairs this lever funds now
        self.award_year = np.zeros((ctx.n, ctx.k), dtype=int)  # the year each funded pair's grant was awarded
        self.any_funded = False  # whether self.funded has a pair (saves looking every quarter)
        self.applications = 0
        self.work = funding_kernel.work(ctx.n, ctx.k)
        self.book = funding_kernel.GrantBook(self.earmarked, self.staff, self.funded, self.award_year,
                                             self.recipients)
        p, limit = self.p, self.targeting.limit
        self.rule = funding_kernel.CallRule(
            scale_up=self.purpose == "scale", start_at_once=bool(getattr(p, "start_at_once", False)),
            by_need=p.selection == "need", noise=float(p.target.application_noise),
            half_capacity=float(p.target.application_half_capacity), limit=-1 if limit is None else int(limit),
            staff_msek_per_year=float(p.staff_msek_per_year), max_grant_msek=float(p.max_grant_msek),
            capacity_msek=float(ctx.params.capacity_msek), scaling_quarters=float(ctx.params.scaling_quarters))

    def compiled(self, ctx, t):
        """The call's quarters from quarter ``t`` as the compiled loop runs them (:mod:`model.levers.compiled`):
        a :data:`model.levers.calls_kernel.CallLever` over the lever's own arrays, books and the run's."""
        from .books import books_of, recorded_of, taken_of

        calls_kernel, p, books = kernels("calls_kernel"), self.p, books_of(self, ctx)
        years, first = len(books.active), ctx.calendar.start_year
        applications = recorded_of(self, ctx, years, "applications", np.int64)
        returned = recorded_of(self, ctx, years, "returned")
        target = p.target
        return calls_kernel.CallLever(
            books, self.stream(), self._arrays(ctx), self.book, self.rule, self.targeting.pool,
            np.array([is_call_quarter(q, p.calls_per_year) for q in range(1, QUARTERS_PER_YEAR + 1)]),
            books.delivered * (1.0 - p.admin_share) / p.calls_per_year,
            books.delivered * p.admin_share / QUARTERS_PER_YEAR, float(target.application_overhead_capacity),
            float(target.application_overhead_msek), ctx.effects.charged, taken_of(self, ctx), self.work, first,
            applications, returned, np.array([self.carry, self.awarded_msek, self.returned_msek]),
            np.array([self.grants, self.applications, int(self.any_funded)], dtype=np.int64))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the totals, the money carried, whether a pair is funded, and the ledger's applications and
        returned money by year (its records made by :func:`model.levers.books.take_books`)."""
        from .books import take_recorded, take_taken

        calls_kernel = kernels("calls_kernel")
        sums, counts = compiled.sums, compiled.counts
        self.carry, self.awarded_msek = float(sums[calls_kernel.CARRY]), float(sums[calls_kernel.AWARDED])
        self.returned_msek = float(sums[calls_kernel.RETURNED])
        self.grants, self.applications = int(counts[calls_kernel.GRANTS]), int(counts[calls_kernel.APPLIED])
        self.any_funded = bool(counts[calls_kernel.FUNDED])
        take_recorded(self, ctx, "applications", compiled.applications, compiled.books)
        take_recorded(self, ctx, "returned", compiled.returned, compiled.books)
        take_taken(self, compiled.taken)

    def _arrays(self, ctx):
        """The run's :data:`model.levers.funding_kernel.CallRun`, made on first use."""
        if self._run is None:
            self._run = self._call_run(ctx)
        return self._run

    def lingering(self, ctx, t) -> bool:
        """A funded pilot or scale-up keeps its project staff and may return money until it ends."""
        return self.any_funded

    def step(self, ctx, t, year, quarter, active) -> None:
        p = self.p
        self.pot = 0.0  # money is handed out by rounds from the year's delivery, not quarter by quarter
        if active:
            self.use(ctx, year, self.delivered[year] * p.admin_share / QUARTERS_PER_YEAR)
            if is_call_quarter(quarter, p.calls_per_year):
                if quarter == 1:
                    self.carry = 0.0  # last year's unawarded money lapsed
                self._round(ctx, t, year)
        if self.any_funded:
            self._follow_up(ctx, year)

    def _round(self, ctx, t: int, year: int) -> None:
        """One round of the call (the module docstring; compiled in one call:
        :func:`model.levers.funding_kernel.call_round`): who applies (paying the overhead), the ranking, one
        innovation each, the grants in rank order while the round's money lasts; what is not awarded is
        carried to the next round of the year."""
        p, tg = self.p, self.p.target
        money = self.delivered[year] * (1.0 - p.admin_share) / p.calls_per_year + self.carry
        overhead = float(tg.application_overhead_capacity)
        work = self.work
        if overhead > 0:  # taken for this quarter by the kernel, given back by the next (as Lever.use_capacity)
            self._temp_taken = True
        applying, won = self._call_round(self.stream(), self._arrays(ctx), self.book, self.rule, self.targeting.pool,
                                         overhead, money, year, self._temp_capacity, work)
        if tg.application_overhead_msek > 0:
            ctx.effects.charge_own_money(work.applicants, tg.application_overhead_msek)
        self.applications += applying
        self.usage(ctx, year).applications += applying
        awarded = self._record(ctx, work.rows[:won], work.amounts[:won], year) if won else 0.0
        self.carry = max(0.0, money - awarded)

    def _record(self, ctx, rows: np.ndarray, amounts: np.ndarray, year: int) -> float:
        """Count the grants of ``amounts`` (MSEK, (m,), in rank order) to organisations ``rows`` in the
        lever's totals and the year's usage; returns their sum."""
        self.any_funded = True
        self.grants += len(rows)
        use = self.usage(ctx, year)
        awarded = 0.0
        for amount in amounts.tolist():  # summed one by one, in rank order: the totals of a grant-by-grant loop
            awarded += amount
            self.awarded_msek += amount
            use.used += amount
            use.placed += 1
        use.takers[rows] = True
        return awarded

    def _follow_up(self, ctx, year: int) -> None:
        """Lend the project staff of running funded pairs; return what is left of grants whose pilot ended
        (compiled: :func:`model.levers.funding_kernel.follow_up`)."""
        work = self.work
        running, back, self.any_funded = self._follow(self._arrays(ctx), self.book, self.rule, self._temp_capacity,
                                                      work)
        if running:  # lent for this quarter by the kernel, taken back by the next (as Lever.lend_capacity)
            self._temp_taken = True
        for amount, award_year in zip(work.returned[:back].tolist(), work.returned_year[:back].tolist()):
            self.returned_msek += amount
            use = self.usage(ctx, award_year)  # returned from that year's grants
            use.returned += amount
            use.used -= amount


@register
class PilotGrants(_Call):
    """Grants for a pilot of a named innovation, through calls: the funded pilot starts, with its running
    costs and project staff paid.

    An organisation may apply for an innovation it knows of and is not piloting (nor already funded for);
    the grant pays the pilot's running costs (times the fixed-cost factor) and ``staff_msek_per_year`` for
    its planned length (at least a quarter); its staff is lent while the pilot runs. A grant not tied to a
    start (``start_at_once: false``) waits, earmarked, while the organisation has not started the pilot.
    The rules, compiled: :mod:`model.levers.funding_kernel`."""
    swedish = ("pilotbidrag", "pilotstöd", "pilotmedel", "projektmedel", "projektbidrag", "pilot grant")

    Params = PilotGrantsParams
    sustaingov_id = None
    evidence = ("funding stops at exploration: 001 L1703-1719, L2065-2069; projectification and heavy "
                "application costs: 001 L1271-1279")
    scores = "unscored (not one of SustainGov's proposals: today's typical innovation funding)"
    purpose = "pilot"


@register
class ScaleUpGrants(_Call):
    """Grants for the scale-up of a named innovation an organisation is piloting, through calls: the scale-up's
    cost, project staff while it is implemented, and running costs while money is left.

    An organisation may apply for an innovation whose pilot is in its last two quarters (or prolonged after
    it worked: close to results and to scaling) and not already funded; the grant pays the scale-up's cost
    (fixed part times the fixed-cost factor, plus the part per 10 000 inhabitants) and
    ``staff_msek_per_year`` for ``scaling_quarters`` (at least a quarter), its staff lent while the pilot
    runs or the scale-up is implemented. An implemented scale-up keeps what is left for its running costs
    (spent by the dynamics); the follow-up ends there. The rules, compiled:
    :mod:`model.levers.funding_kernel`."""
    swedish = ("uppskalningsbidrag", "uppskalningsstöd", "skalningsstöd", "spridningsstöd", "spridningsbidrag",
               "scale up grant")

    Params = ScaleUpGrantsParams
    sustaingov_id = None
    evidence = "funding to scale, not only to pilot: 001 L2140-2144; 001 L1703-1719"
    scores = "unscored (proposed by Ramboll for Vinnova, 001 L2140-2144, not scored by SustainGov)"
    purpose = "scale"


@register
class SmallActorGrants(Lever):
    """Targeted state grants to small municipalities, by formula: money for the year and temporary project
    staff."""
    swedish = ("stöd till små kommuner", "stöd till små aktörer", "bidrag till små kommuner", "småkommunsstöd",
               "stöd till små organisationer", "small actor grant")

    Params = SmallActorGrantsParams
    sustaingov_id = 27
    evidence = ("000 L4518-4537 (targeted grants for smaller actors); small actors fall behind: 000 L451-455, "
                "L2507-2509; what they lack is time and people: 000 L4102-4108; targeted grants contested: "
                "000 L2638-2645; work better than general: 000 L3334-3336")
    scores = "unscored (ID 27 is not among the ten prioritised; its scores are only in the report's figures)"
    unit_cost_fields = ("admin_share",)
    default_operator = "vinnova"
    operator_roles = ("funder", "sector_agency")
    unit = "grants"

    @classmethod
    def absorbable_msek(cls, params: SmallActorGrantsParams, admitted: int, years: int) -> Absorption:
        """Handed out by formula to everyone the target reaches: all of it is placed when anyone is."""
        return Absorption(float("inf") if admitted else 0.0, "handed out by formula to everyone reached")

    def setup(self, ctx) -> None:
        self.staff = np.zeros(ctx.n)  # capacity units of project staff this year
        self.grants = 0
        self.awarded_msek = 0.0

    def lingering(self, ctx, t) -> bool:
        """Project staff are lent for the rest of the year they were paid for."""
        return bool(self.staff.any())

    def step(self, ctx, t, year, quarter, active) -> None:
        p = self.p
        self.pot = 0.0
        if not active:
            self.staff[:] = 0.0
            return
        if quarter == 1:
            self.staff[:] = 0.0
        self.use(ctx, year, self.delivered[year] * p.admin_share / QUARTERS_PER_YEAR)
        if is_call_quarter(quarter, p.calls_per_year):
            net = self.delivered[year] * (1.0 - p.admin_share) / p.calls_per_year
            who = self.targeting.pool
            weight = np.where(who, ctx.orgs.population, 0.0) if p.formula_weight == "population" else who * 1.0
            if weight.sum() > 0 and net > 0:
                award = net * weight / weight.sum()
                money, staff = self._split(ctx, award)
                ctx.effects.add_own_money(who, money)
                # staff for the rest of the year: this instalment's share spread over the quarters left
                self.staff += staff * QUARTERS_PER_YEAR / (QUARTERS_PER_YEAR + 1 - quarter)
                self.grants += int(who.sum())
                self.awarded_msek += float(award.sum())
                self.use(ctx, year, float(award.sum()), who, int(who.sum()))
        if self.staff.any():
            self.lend_capacity(ctx, self.staff)

    def compiled(self, ctx, t):
        """The lever's quarters from quarter ``t`` as the compiled loop runs them
        (:mod:`model.levers.compiled`): a :data:`model.levers.formula_kernel.SmallGrantsLever` with every
        instalment's money and staff worked out here, as :meth:`step` works them out (nothing in the run
        changes them: the lever is never run by the regions)."""
        from .books import books_of, taken_of

        p, books, steps, n = self.p, books_of(self, ctx), ctx.calendar.n_steps, ctx.n
        paid, awarded = np.zeros(steps, dtype=np.bool_), np.zeros(steps)
        money, staff_added = np.zeros((steps, n)), np.zeros((steps, n))
        who = self.targeting.pool
        weight = np.where(who, ctx.orgs.population, 0.0) if p.formula_weight == "population" else who * 1.0
        for q in range(t, steps):
            year, quarter = divmod(q, QUARTERS_PER_YEAR)
            quarter += 1
            if not books.active[year] or not is_call_quarter(quarter, p.calls_per_year):
                continue
            net = books.delivered[year] * (1.0 - p.admin_share) / p.calls_per_year
            if weight.sum() > 0 and net > 0:
                award = net * weight / weight.sum()
                money[q], staff = self._split(ctx, award)
                staff_added[q] = staff * QUARTERS_PER_YEAR / (QUARTERS_PER_YEAR + 1 - quarter)
                paid[q], awarded[q] = True, float(award.sum())
        return kernels("formula_kernel").SmallGrantsLever(
            books, who, int(who.sum()), books.delivered * p.admin_share / QUARTERS_PER_YEAR, paid, money,
            staff_added, awarded, self.staff, ctx.effects.added, taken_of(self, ctx), np.zeros(n),
            np.array([self.awarded_msek]), np.array([self.grants], dtype=np.int64))

    def take_compiled(self, compiled, ctx) -> None:
        """Take back the grants and MSEK awarded, and the staff lent."""
        from .books import take_taken

        self.grants = int(compiled.grants[0])
        self.awarded_msek = float(compiled.awarded_msek[0])
        take_taken(self, compiled.taken)

    def _split(self, ctx, award: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(MSEK of money for the year, capacity units of staff for the year) of ``award`` (n,): flexible
        money, split as the organisation's own (:func:`model.economy.flexible_split`) unless the scenario
        gives the lever its own staff_share."""
        if self.p.staff_share is None:
            return economy.flexible_split(award, ctx.params)
        return award * (1.0 - self.p.staff_share), economy.staff_units(award * self.p.staff_share, ctx.params)
