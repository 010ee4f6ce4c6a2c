"""What every lever shares: its YAML parameters, timing, spending, and the ways it may touch a run.

A lever is a class with

- ``Params``: a pydantic model (``extra="forbid"``) derived from :class:`LeverParams` — ``type``, ``name``,
  ``budget_msek_per_year``, ``start_year``, ``duration_years``, ``target`` plus the lever's own knobs,
  among them its *unit costs* (how many MSEK one review, one team-year, one grant costs), which turn the
  budget into an intensity;
- class attributes ``sustaingov_id`` (int or None), ``evidence`` (seed files and lines), ``scores``
  ("unscored" or SustainGov's qualitative statement — the report's numeric sub-scores are only in its
  figures, so none is invented here) and a one-line ``description``;
- its *operator*: the actor that delivers it — by default ``default_operator`` (Vinnova funds calls, SKR
  runs peer reviews and networks, RISE change teams, DIGG infrastructure, Adda procurement), any national
  actor with one of its ``operator_roles``, or ``regions`` (each region for its own municipalities, from
  its own money) where ``regional`` allows;
- a hook :meth:`Lever.step` that the template :meth:`Lever.act` calls every quarter, and a hook
  :meth:`Lever.lingering` that says whether anything of the lever still acts after its years (by default
  yes, so a lever that does not say is called to the end of the run; see :meth:`Lever.idle`).

:meth:`Lever.act` handles timing (a lever is *active* in the years ``start_year`` to
``start_year + duration_years - 1``, decided by :meth:`LeverParams.active_years` alone), money and the
bookkeeping of temporary costs (capacity an organisation gives up for a quarter, money it spends on
applications). Money: each active year the lever is given its budget; its operator can *deliver* only
what its yearly capacity allows (shared in proportion among the levers it runs that year; a region: what
its own money covers) — the rest is *unplaced for lack of capacity*. What is delivered arrives a quarter
at a time in the lever's ``pot``; what the lever places with a taker (a review held, a team sent, a grant
awarded, a member's place, infrastructure built) is *used*; what is still in the pot at the end of the year
is *unplaced for lack of takers* (the year's appropriation lapses). All of it is recorded per lever and year
in the run's ledger (:class:`model.context.LeverYear`). A lever with ``budget_msek_per_year: 0`` returns
at once: it draws nothing, records nothing and touches no effect, so the run is identical to one without
it.

Levers see a run only through its :class:`~model.context.RunContext` (called ``ctx`` here): they read its
state, change the dynamics only through ``ctx.effects`` (:class:`model.effects.Effects`), record spending
in ``ctx.ledger`` and draw only from ``ctx.rng_levers``. They never import the ctx.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field, field_validator, model_validator

from ..errors import Checked
from ..names import check_label
from .kernels import bound, kernels
from .targeting import Target, Targeting
from ..stages import QUARTERS_PER_YEAR

if TYPE_CHECKING:
    from ..context import LeverYear, RunContext

#: per-lever units and what they rest on are given in each field's description as "[unit] meaning; source"


#: the operator that means: each region runs the lever for its own county's municipalities, from its own money
REGIONS = "regions"


@dataclass(frozen=True)
class Absorption:
    """What a lever's takers can take at most: ``msek`` [MSEK over its active years] (``inf``: all it is
    given), and ``why``, the rule with its numbers, for a warning."""

    msek: float
    why: str


class LeverParams(Checked):
    """Parameters every lever has. Subclasses narrow ``type`` to a Literal of the lever's name."""

    type: str = Field(description="which lever (see `spridning levers`)")
    name: str | None = Field(None, description="label in results and spend tables; default: the type")
    operator: str | None = Field(None, description="who delivers it: a national actor's id (vinnova, skr, rise, "
                                                   "digg, inera, adda, ...; default: the lever's own) or "
                                                   "'regions' (each region for its own municipalities, from its "
                                                   "own money)")
    budget_msek_per_year: float = Field(ge=0.0, le=100_000.0,
                                        description="[MSEK/year] what the lever spends each active year")
    start_year: int | None = Field(None, ge=2000, le=2100,
                                   description="[year] first year active; default: the scenario's start_year")
    duration_years: int | None = Field(None, ge=1, le=50,
                                       description="[years] how long it is active; default: to the horizon")
    target: Target = Field(default_factory=Target, description="who the lever reaches (see Target)")

    @model_validator(mode="before")
    @classmethod
    def _default_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("name") is None and "type" in data:
            data = {**data, "name": data["type"]}
        return data

    @field_validator("name")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        """Any readable label ("stöd till små kommuner"), see :func:`model.names.check_label`."""
        return None if value is None else check_label(value, "a lever name")

    def active_years(self, first_year: int, end_year: int) -> range:
        """The simulated years (``first_year``..``end_year - 1``) in which the lever is active: from
        ``start_year`` (default ``first_year``) for ``duration_years`` (default: to the horizon). The one
        rule for a lever's timing, used by the run and by the portfolio's budget check."""
        start = self.start_year if self.start_year is not None else first_year
        stop = start + self.duration_years if self.duration_years is not None else end_year
        return range(max(start, first_year), min(stop, end_year))


class Lever:
    """Base class of every lever: timing, money, temporary costs; subclasses implement :meth:`step`."""

    Params: ClassVar[type[LeverParams]] = LeverParams
    sustaingov_id: ClassVar[int | None] = None
    #: every SustainGov proposal the lever models (default: just ``sustaingov_id``)
    sustaingov_ids: ClassVar[tuple[int, ...]] = ()
    evidence: ClassVar[str] = ""
    scores: ClassVar[str] = "unscored"
    description: ClassVar[str] = ""
    #: names of the Params fields that are unit costs (shown as such by `spridning levers` and docs)
    unit_cost_fields: ClassVar[tuple[str, ...]] = ()
    #: who delivers it unless the scenario says otherwise, which roles an operator needs, whether regions can
    default_operator: ClassVar[str] = "skr"
    operator_roles: ClassVar[tuple[str, ...]] = ("network_host",)
    regional: ClassVar[bool] = False
    #: what the lever's money buys, for the usage tables
    unit: ClassVar[str] = "units"
    #: the words people write for the lever in Swedish (or in everyday English): a ``type:`` written so
    #: gets "did you mean '<type>'?" (:data:`model.names.ALIASES`)
    swedish: ClassVar[tuple[str, ...]] = ()
    #: the ledger records :meth:`usage` gave, by year (asked for several times a quarter), and their ledger
    _uses: "dict[int, LeverYear]"
    _use_ledger: Any = None
    #: the lever generator as compiled kernels take it (:meth:`stream`), read on first use
    _stream: Any = None

    def __init__(self, params: LeverParams, ctx: "RunContext", share: float = 1.0, region: int | None = None,
                 capacity_share: dict[int, float] | None = None) -> None:
        self.p = params
        self.name = params.name or params.type
        self.operator = params.operator or self.default_operator
        self.years = params.active_years(ctx.calendar.start_year, ctx.calendar.end_year)
        self.n = ctx.n
        self.rng = ctx.rng_levers
        self.share = share  # of the budget this (regional) part of the lever has
        self.region = region  # the region that runs this part, or None for a national operator
        self.capacity_share = capacity_share or {}  # year -> share of its budget the operator can deliver
        self.targeting = Targeting(params.target, ctx)
        self.pot = 0.0  # MSEK delivered and not yet turned into reviews, visits, placements
        self.delivered: dict[int, float] = {}  # MSEK the operator delivers in each year
        self._bought_years: set[int] = set()
        self._temp_capacity = np.zeros(ctx.n)  # capacity given up this quarter, returned next quarter
        self._temp_taken = False  # whether _temp_capacity may be nonzero (saves looking at it every quarter)
        self._bound: dict[tuple[str, str], Any] = {}  # the kernels :meth:`kernel` bound for this run
        self.setup(ctx)

    # --- the template -------------------------------------------------------------------------------
    @property
    def budget(self) -> float:
        """MSEK per active year (of this part, for a lever run by the regions)."""
        return float(self.p.budget_msek_per_year) * self.share

    def is_active(self, year: int) -> bool:
        """Whether the lever is active in ``year`` (:meth:`LeverParams.active_years`)."""
        return year in self.years

    def act(self, ctx: "RunContext", t: int, year: int, quarter: int) -> None:
        """One quarter: receive what the operator delivers when active, let the lever act (``step``), and at
        the end of a year let what found no taker lapse."""
        budget = self.budget
        if budget == 0.0:
            return
        if self._temp_taken:
            self._return_capacity(ctx)
        active = year in self.years
        if active:
            delivered = self.delivered.get(year)
            if delivered is None:
                delivered = self.delivered[year] = self._deliverable(ctx, year)
            use = self.usage(ctx, year)
            use.budget += budget / QUARTERS_PER_YEAR
            use.delivered += delivered / QUARTERS_PER_YEAR
            self.pot += delivered / QUARTERS_PER_YEAR
        self.step(ctx, t, year, quarter, active)
        if active and quarter == QUARTERS_PER_YEAR:
            self.pot = 0.0  # the year's appropriation lapses: what is left was unplaced

    def _deliverable(self, ctx: "RunContext", year: int) -> float:
        """MSEK the operator delivers of this year's budget: a national actor its share of its capacity; a
        region what its own money covers (taken from it now, for the year)."""
        if self.region is None:
            return self.budget * self.capacity_share.get(year, 1.0)
        region = np.zeros(ctx.n, dtype=bool)
        region[self.region] = True
        paid = min(self.budget, float(ctx.effects.available_own_money(ctx.state.money_left)[self.region]))
        ctx.effects.charge_own_money(region, paid)
        return paid

    def usage(self, ctx: "RunContext", year: int):
        """This lever's record in the run's ledger for ``year`` (:class:`model.context.LeverYear`)."""
        if self._use_ledger is not ctx.ledger:  # records are never replaced: kept per year for this ledger
            self._uses, self._use_ledger = {}, ctx.ledger
        use = self._uses.get(year)
        if use is None:  # a grant lever asks for this year's and for earlier years' (money returned)
            use = self._uses[year] = ctx.ledger.year(self.name, year, self.operator, self.unit)
        return use

    def stream(self):
        """The lever generator ``rng`` as the compiled drawing kernels take it: a
        :data:`model.levers.streams.Stream` of its addresses, read once per run (the same draws, in the same
        order, without unboxing the ``Generator`` at every call)."""
        if self._stream is None:
            self._stream = kernels("streams").stream_of(self.rng)  # numba: loaded by runs, not validate
        return self._stream

    def kernel(self, module: str, name: str):
        """The compiled kernel ``model.levers.<module>.<name>`` bound to this run's argument types
        (:func:`.kernels.bound`: numba's typing of the arguments skipped after the first call), made on first
        use and kept by the lever, which belongs to one run. Numba is loaded by runs, not by validate."""
        found = self._bound.get((module, name))
        if found is None:
            found = self._bound[module, name] = bound(getattr(kernels(module), name))
        return found

    def use(self, ctx: "RunContext", year: int, msek: float, takers=None, units: float = 0.0) -> None:
        """Record ``msek`` placed with ``takers`` (indices or an (n,) bool mask) as ``units`` placed."""
        use = self.usage(ctx, year)
        use.used += msek
        use.placed += units
        if takers is not None:
            use.takers[takers] = True

    # --- hooks ------------------------------------------------------------------------------------------
    def setup(self, ctx: "RunContext") -> None:
        """Called once when the run is built (after targeting); draw nothing here that depends on budget."""

    def step(self, ctx: "RunContext", t: int, year: int, quarter: int, active: bool) -> None:
        """Called every quarter of a lever with a budget; ``active`` says whether it is in its years."""
        raise NotImplementedError

    def close(self, ctx: "RunContext") -> None:
        """Called once when the run ends (e.g. to take back money not spent by then)."""

    def lingering(self, ctx: "RunContext", t: int) -> bool:
        """Whether, after its active years, the lever still changes the run in quarter ``t`` or later (a
        bonus that lasts, staff still lent, money to return). The default, True, never lets a lever go;
        a lever says when it has nothing left to do."""
        return True

    def fading(self, ctx: "RunContext", t: int, year: int):
        """The lever's know-how or skills (a :class:`model.levers.fading.Fade`) when letting them act and
        fade is all it does from quarter ``t`` (in ``year``) to the end of the run — its active years are
        over and no capacity it took or lent is still to be returned (:meth:`only_lingering`) — so the
        model may run those quarters in one compiled call (:mod:`model.levers.fading`); None otherwise, the
        default: the lever is called quarter by quarter."""
        return None

    def compiled(self, ctx: "RunContext", t: int):
        """The lever's quarters from quarter ``t`` as the compiled quarter loop runs them
        (:mod:`model.levers.compiled`): a named tuple of its arrays, parameters and
        :data:`~model.levers.books_kernel.Books` that a kernel registered there takes whole, changing the
        lever's arrays in place; or None, the default: its quarters run here, in Python. When every acting
        lever has one the model runs the rest of the run in one compiled call, with the same results, bit for
        bit, then hands each lever back its tuple (:meth:`take_compiled`)."""
        return None

    def take_compiled(self, compiled, ctx: "RunContext") -> None:
        """Take back from ``compiled`` (what :meth:`compiled` made, its quarters run) what is not in the
        lever's own arrays or its books (counts kept as numbers here); the books are written back by
        :func:`model.levers.books.take_books`."""

    def only_lingering(self, year: int) -> bool:
        """Whether the lever's active years are over by ``year`` and no capacity it took or lent is still
        to be returned: what it does from now on is what :meth:`lingering` says."""
        return (not self.years or year > self.years[-1]) and not (self._temp_taken and self._temp_capacity.any())

    def idle(self, ctx: "RunContext", t: int, year: int) -> bool:
        """Whether the lever changes nothing from quarter ``t`` (in ``year``) to the end of the run: its
        active years are over, no capacity it took or lent is still to be returned and nothing of it is
        :meth:`lingering`. The model then stops calling it, and runs the quarters in which no lever acts in
        one compiled call (the same results: an idle lever's quarter would have touched nothing)."""
        return self.only_lingering(year) and not self.lingering(ctx, t)

    # --- helpers ------------------------------------------------------------------------------------------
    def buy(self, unit_cost: float, ctx: "RunContext" = None, year: int | None = None) -> int:
        """Whole units (reviews, visits, placements) the money in the pot pays for; takes it from the pot.
        With ``ctx`` and ``year``: in the first quarter of a year, the units the year's delivered money pays
        for are counted as bought."""
        units = math.floor(self.pot / unit_cost + 1e-9)
        self.pot = max(0.0, self.pot - units * unit_cost)
        if ctx is not None and year is not None and year not in self._bought_years:
            self._bought_years.add(year)
            self.usage(ctx, year).bought += math.floor(self.delivered.get(year, 0.0) / unit_cost + 1e-9)
        return units

    def refund(self, units: int, unit_cost: float) -> None:
        """Units bought but not placed (nobody asked) go back to the pot for a later quarter of the year."""
        self.pot += units * unit_cost

    def use_capacity(self, ctx: "RunContext", amount: np.ndarray) -> None:
        """Take development capacity from organisations for this quarter only (time spent on the lever)."""
        ctx.effects.capacity_bonus -= amount
        self._temp_capacity += amount
        self._temp_taken = True

    def lend_capacity(self, ctx: "RunContext", amount: np.ndarray) -> None:
        """Give organisations temporary capacity for this quarter only (project staff a grant pays for)."""
        self.use_capacity(ctx, -amount)

    def tie(self, ctx: "RunContext", a, b, weight: float) -> None:
        """Lasting ties between ``a`` and ``b`` (arrays or ints); an existing stronger tie is kept (compiled:
        :func:`model.world.lever_ties.stronger_ties`)."""
        if weight <= 0:
            return
        a, b = _indices(a), _indices(b)
        if len(a) == 0:
            return
        cells = _stronger_ties()(ctx.effects.lever_ties, a, b, float(weight))
        if len(cells):
            ctx.effects.ties_written(cells)

    def charge(self, ctx: "RunContext", who: np.ndarray, msek: float, capacity: float) -> None:
        """Application overhead: ``capacity`` for this quarter, and ``msek`` spent from this year's own
        money (what is not there is not spent: an application never eats into earmarked grants)."""
        if capacity > 0:
            self.use_capacity(ctx, np.where(who, capacity, 0.0))
        if msek > 0:
            ctx.effects.charge_own_money(who, msek)

    def _return_capacity(self, ctx: "RunContext") -> None:
        """Give back the capacity taken or lent last quarter (compiled:
        :func:`model.levers.capacity_kernel.give_back`)."""
        if self._temp_taken:
            self.kernel("capacity_kernel", "give_back")(ctx.effects.capacity_bonus, self._temp_capacity)
        self._temp_taken = False

    # --- money that cannot be placed ------------------------------------------------------------------
    @classmethod
    def absorbable_msek(cls, params: LeverParams, admitted: int, years: int) -> Absorption | None:
        """The most money the lever could place over its ``years`` active years with ``admitted``
        organisations its target can reach, estimated before the run from its unit prices and its rules
        (who may take a unit and how often) — an upper bound: the run also needs takers to ask. None when
        it cannot be estimated statically (it depends on what happens in the run); the default."""
        return None

    # --- description ------------------------------------------------------------------------------------
    @classmethod
    def ids(cls) -> tuple[int, ...]:
        """The SustainGov proposal IDs the lever models."""
        return cls.sustaingov_ids or ((cls.sustaingov_id,) if cls.sustaingov_id is not None else ())

    @classmethod
    def type_name(cls) -> str:
        """The lever's ``type`` in scenario files."""
        return cls.Params.model_fields["type"].annotation.__args__[0]  # type: ignore[union-attr]


def _indices(who) -> np.ndarray:
    """``who`` (an int, a sequence or an array of organisation indices) as a (m,) int64 array; one already
    so is used as it is (levers tie every quarter: the conversions cost more than the compiled tie rule)."""
    if type(who) is np.ndarray and who.dtype == np.int64 and who.ndim == 1:
        return who
    return np.atleast_1d(np.asarray(who, dtype=np.int64))


def _stronger_ties():
    """:func:`model.world.lever_ties.stronger_ties`, imported on first use (numba: loaded by runs, not by
    ``spridning validate``) and then kept."""
    global _STRONGER_TIES
    if _STRONGER_TIES is None:
        from ..world.lever_ties import stronger_ties
        _STRONGER_TIES = stronger_ties
    return _STRONGER_TIES


_STRONGER_TIES = None


class MembershipLever(Lever):
    """A lever whose budget pays for members (of a network, a framework): ``delivered / cost_per_member_msek``.

    In the first active quarter of every year open places are filled by the target's rule among
    non-members (with ``by: application`` a call each year, so those without time to apply this year may
    join later); members stay members while the lever is active. A member's place is used money each
    quarter; places the pool cannot fill stay empty and their money is unplaced.
    """

    unit = "members"

    @classmethod
    def absorbable_msek(cls, params: LeverParams, admitted: int, years: int) -> Absorption:
        """Every place is one member of the pool the target admits: ``admitted x cost_per_member_msek`` a
        year."""
        cost = params.cost_per_member_msek
        return Absorption(admitted * cost * years, f"{admitted} members at most, at {cost:g} MSEK a member-year")

    def lingering(self, ctx: "RunContext", t: int) -> bool:
        """Members act only in the lever's years (the ties they made last on their own)."""
        return False

    def setup(self, ctx: "RunContext") -> None:
        self.members = np.zeros(ctx.n, dtype=bool)  # changed only by update_members, once a year
        self.member_count = 0  # members.sum(), kept beside it: asked for every quarter
        self._member_year: int | None = None

    def membership(self, ctx: "RunContext", taken):
        """The members as the compiled loop keeps them (:data:`model.levers.members_kernel.Membership`, over
        the lever's own ``members``; :meth:`Lever.compiled`), chosen as its target chooses
        (:meth:`model.levers.targeting.Targeting.choosing`, with ``taken``: the lever's
        :data:`~model.levers.members_kernel.Taken`)."""
        year = -1 if self._member_year is None else self._member_year - ctx.calendar.start_year
        return kernels("members_kernel").Membership(  # numba: loaded by runs, not validate
            self.members, float(self.p.cost_per_member_msek), np.array([self.member_count, year], dtype=np.int64),
            self.targeting.choosing(ctx, taken))

    def take_membership(self, membership, ctx: "RunContext") -> None:
        """Take back the count and year of :meth:`membership` after its quarters ran compiled."""
        members_kernel = kernels("members_kernel")
        self.member_count = int(membership.tally[members_kernel.COUNT])
        year = int(membership.tally[members_kernel.YEAR])
        self._member_year = None if year < 0 else ctx.calendar.start_year + year

    def places(self, year: int) -> int:
        """Members the money the operator delivers in ``year`` pays for."""
        return math.floor(self.delivered.get(year, 0.0) / self.p.cost_per_member_msek + 1e-9)

    def update_members(self, ctx: "RunContext", year: int) -> None:
        """Fill open places once a year (the first active quarter), by the target's rule; then the members'
        places of this quarter are used."""
        if self._member_year != year:
            self._member_year = year
            places = self.places(year)
            if self.member_count > places:  # less delivered this year: the last to join leave
                keep = np.flatnonzero(self.members)[:places]
                self.members[:] = False
                self.members[keep] = True
                self.member_count = places
            open_places = places - self.member_count
            if open_places > 0:
                new = self.targeting.choose(ctx, open_places, lever=self, need=~self.members, year=year)
                self.members[new] = True
                self.member_count = int(np.count_nonzero(self.members))
            use = self.usage(ctx, year)
            use.bought += places
            use.placed += float(self.member_count)
            use.takers |= self.members  # the year's members: the same all year
        cost = self.member_count * self.p.cost_per_member_msek / QUARTERS_PER_YEAR
        self.pot -= cost
        self.usage(ctx, year).used += cost
