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
``ledger``           where levers record what they spend
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


@dataclass(frozen=True)
class Calendar:
    """The simulated quarters: quarter index ``t`` (0 = Q1 of ``start_year``) to year and quarter."""

    start_year: int
    n_steps: int  # quarters simulated

    @property
    def end_year(self) -> int:
        """The first year after the horizon."""
        return self.start_year + self.n_steps // 4

    def year_quarter(self, t):
        """Calendar year and quarter (1-4) of quarter index ``t`` (a number or an array): the model's one
        calendar, also for elections and budgets (:mod:`model.dynamics.people`)."""
        return self.start_year + t // 4, t % 4 + 1


@dataclass
class State:
    """Everything that changes during a run, one row per organisation (``n``) and innovation (``k``)."""

    stage: np.ndarray  # (n, k) int8, see model.stages
    pilot_age: np.ndarray  # (n, k) quarters since the running pilot started
    pilot_start: np.ndarray  # (n, k) quarter the running pilot started
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


class Draws(NamedTuple):
    """Random numbers drawn when the run is built, so the number of draws never depends on the state."""

    lifecycle: np.ndarray  # (steps, n, k) one uniform per organisation, innovation and quarter
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
    pilot_cost: np.ndarray  # MSEK per pilot
    scale_cost_per_10k: np.ndarray  # MSEK per 10 000 inhabitants scaled
    pilot_quarters: np.ndarray
    applies_to: tuple[tuple[str, ...], ...]
    pilot_need: np.ndarray  # capacity a pilot occupies
    pilot_need_safe: np.ndarray
    adoption_need: np.ndarray  # capacity an adoption keeps occupying

    @classmethod
    def from_innovations(cls, innovations, params) -> "InnovationTable":
        """From a scenario's validated ``innovations`` and the model parameters (loads per complexity)."""
        complexity = np.array([i.complexity for i in innovations])
        pilot_need = params.pilot_load * complexity
        return cls(
            names=tuple(i.name for i in innovations),
            complexity=complexity,
            needs_infrastructure=np.array([float(i.needs_infrastructure) for i in innovations]),
            evidence=np.array([i.evidence for i in innovations]),
            pilot_cost=np.array([i.pilot_cost_msek for i in innovations]),
            scale_cost_per_10k=np.array([i.scale_cost_msek_per_10k for i in innovations]),
            pilot_quarters=np.array([i.pilot_quarters for i in innovations]),
            applies_to=tuple(tuple(i.applies_to) for i in innovations),
            pilot_need=pilot_need,
            pilot_need_safe=np.maximum(pilot_need, 1e-9),
            adoption_need=params.adoption_load * complexity,
        )


class SpendLedger:
    """What levers spend: one record (lever name, year, MSEK) per lever and active quarter."""

    def __init__(self) -> None:
        self.records: list[tuple[str, int, float]] = []

    def record(self, lever: str, year: int, msek: float) -> None:
        """Note that ``lever`` spent ``msek`` MSEK in ``year``."""
        self.records.append((lever, year, msek))

    def total(self) -> float:
        """MSEK spent over the run so far."""
        return float(sum(r[2] for r in self.records))


@dataclass
class RunRecord:
    """What the dynamics count for the outcomes (:mod:`model.outcomes.collect`)."""

    stage_history: np.ndarray  # (steps + 1, n, k) int8: the stage at every quarter boundary
    tally: np.ndarray  # (steps, len(TALLY)) what the life cycle counted each quarter
    scale_count: np.ndarray  # (k,) pilots scaled
    scale_durations: np.ndarray  # (k,) quarters from pilot start to scale-up, summed


@dataclass
class RunContext:
    """Everything one run's dynamics and levers share (see the module docstring for who writes what)."""

    params: SimpleNamespace  # the scenario's model parameters by name
    orgs: Organisations
    scale: np.ndarray  # (n,) population-equivalent size
    applicable: np.ndarray  # (n, k) bool: the innovation applies to the organisation's kind
    innovations: InnovationTable
    evidence: np.ndarray  # (k,) current evidence per innovation, changed by the dynamics
    scale_cost: np.ndarray  # (n, k) MSEK to scale each innovation in each organisation
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
