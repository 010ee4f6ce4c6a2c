"""The run context: what the dynamics and the levers of one run may read and write, declared in one place.

:class:`~model.model.InnovationModel` builds a :class:`RunContext` and hands it to everything below it:
the compiled quarters (:mod:`model.dynamics`), the levers (:mod:`model.levers`) and the Mesa agents (which
reach it through their model). None of them imports the model. What each part may do:

==================  =================================================================================
``state``            changed by the dynamics only (stages, people, money); levers read it
``draws``            pre-drawn random numbers, read-only (common random numbers across scenarios)
``ties``             the run's tie structure; levers add ties only through ``effects.add_ties``
``calendar``         quarter index -> year and quarter; the schedule of elections and budgets
``effects``          the only thing levers change in the dynamics (:class:`model.effects.Effects`)
``ledger``           where levers record what they were given, placed, used and left unplaced
``record``           what the dynamics count for the outcomes (stage history, tallies)
==================  =================================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np

from .effects import Effects
from .world.organisations import Organisations
from .stages import QUARTERS_PER_YEAR


@dataclass(frozen=True)
class Calendar:
    """The simulated quarters: quarter index ``t`` (0 = Q1 of ``start_year``) to year and quarter."""

    start_year: int
    n_steps: int  # quarters simulated

    @property
    def end_year(self) -> int:
        """The first year after the horizon."""
        return self.start_year + self.n_steps // QUARTERS_PER_YEAR

    def year_quarter(self, t):
        """Calendar year and quarter (1-4) of quarter index ``t`` (a number or an array): the model's one
        calendar, also for elections and budgets (:mod:`model.dynamics.people`)."""
        return self.start_year + t // QUARTERS_PER_YEAR, t % QUARTERS_PER_YEAR + 1


@dataclass
class State:
    """Everything that changes during a run, one row per organisation (``n``) and innovation (``k``)."""

    stage: np.ndarray  # (n, k) int8, see model.stages
    pilot_age: np.ndarray  # (n, k) quarters the running pilot has run (adopted: quarters of implementation)
    pilot_start: np.ndarray  # (n, k) quarter the running pilot started
    champion: np.ndarray  # (n, k) int8: the running pilot has a champion (one of the enthusiasts)
    failed: np.ndarray  # (n, k) int8: the organisation's own pilots of the innovation that disappointed
    capacity: np.ndarray  # (n,) development capacity after operations
    maturity: np.ndarray  # (n,) digital maturity, 0-1
    enthusiasts: np.ndarray = field(default=None)  # (n,) count
    protector: np.ndarray = field(default=None)  # (n,) bool
    protector_lost: np.ndarray = field(default=None)  # (n,) bool, lost this quarter
    slack: np.ndarray = field(default=None)  # (n,) MSEK this year
    money_left: np.ndarray = field(default=None)  # (n,) MSEK of this year's slack not yet spent (< 0: grants)
    slack_mean: np.ndarray = field(default=None)  # (n,) MSEK per year on average
    arrival_rate: np.ndarray = field(default=None)  # (n,) enthusiasts arriving per quarter
    no_arrival: np.ndarray = field(default=None)  # (n,) exp(-arrival_rate), chance of no arrival in a quarter
    leavers: np.ndarray = field(default=None)  # (n,) enthusiasts who left at the start of this quarter
    previous: np.ndarray = field(default=None)  # (n,) enthusiasts before they left
    reprioritise: np.ndarray = field(default=None)  # (n,) quarters a new leadership goes on reprioritising
    elected: np.ndarray = field(default=None)  # (n,) bool: leadership changes at general elections


class Draws(NamedTuple):
    """Random numbers drawn when the run is built, so the number of draws never depends on the state."""

    lifecycle: np.ndarray  # (steps, n, k) one uniform per organisation, innovation and quarter: the move
    champion: np.ndarray  # (steps, n, k) one uniform: a pilot's champion leaving, another taking over
    result: np.ndarray  # (steps, n, k) one uniform: whether a finished pilot worked in the organisation
    people: np.ndarray  # (steps, 3, n) arrivals, departures, leadership per organisation and quarter
    slack: np.ndarray  # (years + 1, n) one standard normal per organisation and budget year


class PeopleSchedule(NamedTuple):
    """Per quarter: the chance of new leadership (higher at elections) and whether a budget year starts."""

    protector_change: np.ndarray  # (steps,) float
    new_budget: np.ndarray  # (steps,) bool


@dataclass(frozen=True)
class InnovationTable:
    """The scenario's innovations as arrays over innovations (length ``k``)."""

    names: tuple[str, ...]
    complexity: np.ndarray
    needs_infrastructure: np.ndarray
    evidence: np.ndarray
    pilot_cost: np.ndarray  # MSEK per year of piloting
    scale_cost_fixed: np.ndarray  # MSEK to scale, whatever the size
    scale_cost_per_10k: np.ndarray  # MSEK per 10 000 inhabitants scaled
    pilot_quarters: np.ndarray
    applies_to: tuple[tuple[str, ...], ...]
    value: np.ndarray  # chance that a pilot works in an organisation of average need
    need_sparsity: np.ndarray  # how value grows with sparsity (exponent on inverse population density)
    pilot_need: np.ndarray  # capacity a pilot occupies
    scale_need: np.ndarray  # change capacity a scale-up holds while it is implemented
    adoption_need: np.ndarray  # capacity an adoption keeps occupying
    #: (k,) int64 quarter index of the introduction (0: available from the start; see Innovation.start_year)
    available_from: np.ndarray
    initial_adopters: np.ndarray  # (k,) int: organisations that have scaled it when it is introduced
    initial_pilots: np.ndarray  # (k,) int: organisations running a pilot of it when it is introduced

    @classmethod
    def from_innovations(cls, innovations, params, start_year: int | None = None) -> "InnovationTable":
        """From a scenario's validated ``innovations``, the model parameters (loads per complexity; the
        default ``initial_adopters``) and the scenario's first year (for the quarter each is introduced)."""
        complexity = np.array([i.complexity for i in innovations])
        introduced = [0 if i.start_year is None or start_year is None
                      else QUARTERS_PER_YEAR * (i.start_year - start_year) for i in innovations]
        pilot_need = params.pilot_load * complexity
        return cls(
            names=tuple(i.name for i in innovations),
            complexity=complexity,
            needs_infrastructure=np.array([float(i.needs_infrastructure) for i in innovations]),
            evidence=np.array([i.evidence for i in innovations]),
            pilot_cost=np.array([i.pilot_cost_msek for i in innovations]),
            scale_cost_fixed=np.array([i.scale_cost_fixed_msek for i in innovations]),
            scale_cost_per_10k=np.array([i.scale_cost_msek_per_10k for i in innovations]),
            pilot_quarters=np.array([i.pilot_quarters for i in innovations]),
            applies_to=tuple(tuple(i.applies_to) for i in innovations),
            value=np.array([i.value for i in innovations]),
            need_sparsity=np.array([i.need_sparsity for i in innovations]),
            pilot_need=pilot_need,
            scale_need=params.scale_load * complexity,
            adoption_need=params.adoption_load * complexity,
            available_from=np.array([max(q, 0) for q in introduced], dtype=np.int64),
            initial_adopters=np.array([int(params.initial_adopters) if i.initial_adopters is None
                                       else i.initial_adopters for i in innovations], dtype=np.int64),
            initial_pilots=np.array([i.initial_pilots for i in innovations], dtype=np.int64),
        )


@dataclass
class LeverYear:
    """What one lever (or earmarked grant) did in one year, in MSEK and in its own units.

    ``budget`` is what the scenario gave it; ``delivered`` what its operator could turn into activity (the
    rest is *unplaced for lack of capacity*); ``used`` what was placed with a taker (reviews held, teams
    sent, grants awarded net of money returned, members' places, infrastructure built, administration);
    ``returned`` what takers gave back (a funded pilot that ended without scaling; an earmarked grant not
    spent by the end of its year); the rest of ``delivered`` is *unplaced for lack of takers*. ``bought`` and ``placed`` count the units
    the delivered money could pay for and those placed (grants have no fixed unit cost: ``bought`` stays 0
    and ``applications`` counts the applications their calls received); ``takers`` marks the
    organisations reached.
    """

    lever: str
    year: int
    operator: str
    unit: str
    takers: np.ndarray  # (n,) bool
    budget: float = 0.0
    delivered: float = 0.0
    used: float = 0.0
    returned: float = 0.0
    bought: float = 0.0
    placed: float = 0.0
    applications: int = 0

    @property
    def unplaced_capacity(self) -> float:
        """MSEK the operator could not deliver (beyond its yearly capacity, or a region's own money)."""
        return max(0.0, self.budget - self.delivered)

    @property
    def unplaced_no_taker(self) -> float:
        """MSEK delivered that found no taker by the end of the year (money returned by takers aside)."""
        return max(0.0, self.delivered - self.used - self.returned)


class SpendLedger:
    """What levers were given and what they did with it: one :class:`LeverYear` per lever and year."""

    def __init__(self, n: int = 0) -> None:
        self.n = n
        self.usage: dict[tuple[str, int], LeverYear] = {}

    def year(self, lever: str, year: int, operator: str = "", unit: str = "") -> LeverYear:
        """The record of ``lever`` in ``year`` (made on first use)."""
        key = (lever, year)
        if key not in self.usage:
            self.usage[key] = LeverYear(lever, year, operator, unit, np.zeros(self.n, dtype=bool))
        return self.usage[key]

    @property
    def records(self) -> list[tuple[str, int, float]]:
        """(lever, year, MSEK used) for every lever and year."""
        return [(u.lever, u.year, u.used) for u in self.usage.values()]

    def total(self) -> float:
        """MSEK used over the run so far."""
        return _added_in_order(u.used for u in self.usage.values())

    def budget_total(self) -> float:
        """MSEK budgeted over the run so far."""
        return _added_in_order(u.budget for u in self.usage.values())

    def unplaced_totals(self) -> tuple[float, float]:
        """MSEK unplaced over the run so far: for lack of operator capacity, and for lack of takers."""
        return (_added_in_order(u.unplaced_capacity for u in self.usage.values()),
                _added_in_order(u.unplaced_no_taker for u in self.usage.values()))


def _added_in_order(values) -> float:
    """The plain left-to-right sum: Python 3.12's ``sum()`` compensates the rounding of Python floats (not of
    NumPy's), so it would give another last bit than 3.11 for the same records."""
    total = 0.0
    for value in values:
        total += value
    return float(total)


@dataclass
class RunRecord:
    """What the dynamics count for the outcomes (:mod:`model.outcomes.collect`)."""

    stage_history: np.ndarray  # (steps + 1, n, k) int8: the stage at every quarter boundary
    tally: np.ndarray  # (steps, len(TALLY)) what the life cycle counted each quarter
    scale_count: np.ndarray  # (k,) pilots scaled
    scale_durations: np.ndarray  # (k,) quarters from pilot start to scale-up, summed
    evidence: np.ndarray = field(default=None)  # (steps + 1, k) each innovation's evidence at the quarter boundaries
    covered: np.ndarray = field(default=None)  # (steps, k) MSEK of costs events paid (funded mandates, crises)


@dataclass
class RunContext:
    """Everything one run's dynamics and levers share (see the module docstring for who writes what)."""

    params: SimpleNamespace  # the scenario's model parameters by name
    orgs: Organisations
    scale: np.ndarray  # (n,) population-equivalent size
    applicable: np.ndarray  # (n, k) bool: the innovation applies to the organisation's kind
    innovations: InnovationTable
    evidence: np.ndarray  # (k,) current evidence per innovation, changed by the dynamics
    evidence_weight: np.ndarray  # (k,) observations the evidence rests on, changed by the dynamics
    scale_cost: np.ndarray  # (n, k) MSEK to scale each innovation in each organisation (nominal)
    fit: np.ndarray  # (n, k) chance a pilot of the innovation works in the organisation (its value there)
    state: State
    draws: Draws
    schedule: PeopleSchedule
    ties: Any  # model.world.networks.Ties
    calendar: Calendar
    effects: Effects
    ledger: SpendLedger
    record: RunRecord
    rates: Any  # model.dynamics.lifecycle.Rates
    rng_levers: np.random.Generator  # the only stream levers draw from
    one_step: bool  # the one-step life cycle (the Bass reduction)
    complex_contagion: bool
    events: Any = None  # model.dynamics.events.EventSchedule: mandates and crises per quarter
    delivery: Any = None  # (n,) MSEK a year each national actor can deliver as a lever's operator
    promoters: int = 0  # national actors in the world that promote innovations with enough evidence
    failures_shared: bool = True  # whether a network host shares failures (else nobody does)
    #: (n, k) int8: the stage each organisation takes when the innovation is introduced (ADOPTED, PILOTING;
    #: UNAWARE: none), drawn when the run is built (model.model.InnovationModel._first_users)
    first_users: Any = None
    #: compiled kernels bound to this run's argument types, by name (model.kernelcall.BoundKernel)
    kernels: dict = field(default_factory=dict)
    #: named tuples of this run's own arrays as kernels take them, by name (the arrays are changed in place,
    #: never replaced, so each tuple is made once per run): knowhow_kernel.development, targeting_kernel.loads
    run_views: dict = field(default_factory=dict)
    #: while levers act in a quarter: that quarter, and arrays derived from the state at its start that
    #: several levers read (the state does not change while they act); None and empty otherwise
    acting_quarter: int | None = None
    quarter_cache: dict = field(default_factory=dict)

    def derived(self, name: str, compute):
        """The array ``compute()`` returns, made once per quarter while levers act (see ``quarter_cache``;
        read-only then), else each time. Names in use: ``capacity_held``, ``adopted``, ``to_decision``."""
        if self.acting_quarter is None:
            return compute()
        if name not in self.quarter_cache:
            value = compute()
            value.flags.writeable = False  # shared by the levers of the quarter: none may change it
            self.quarter_cache[name] = value
        return self.quarter_cache[name]

    @property
    def n(self) -> int:
        """Number of organisations."""
        return self.orgs.n

    @property
    def k(self) -> int:
        """Number of innovations."""
        return len(self.innovations.names)

    @property
    def innovation_names(self) -> tuple[str, ...]:
        """The innovations' names, in the scenario's order."""
        return self.innovations.names

    def year_quarter(self, t):
        """Calendar year and quarter of quarter index ``t`` (see :meth:`Calendar.year_quarter`)."""
        return self.calendar.year_quarter(t)
