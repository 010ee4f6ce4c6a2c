"""Shocks and coercion: the scenario's ``events:`` — legal mandates and national targets, crises, and
earmarked state grants.

Big change in the public sector seldom comes in the normal state; it comes through crisis, legislation or
strong external pressure (000 L2836-2843). Three kinds of event:

- ``type: mandate`` — a law or national target for one innovation, from ``year`` with a ``deadline``
  (the end of that year). From ``year`` every organisation it applies to knows of it; the *pressure*
  rises from the start to ``pressure`` (1 = a binding law, less = a national target) at the deadline and
  stays there. Pressure raises the odds but does not supply the means (issue 20; an assumption, of the
  order of the one observed national target, docs/ODD.md §7.14): under pressure *m* a pilot starts with
  ``p + (1 - p) m κ`` (κ the share of the capacity to implement it that the organisation has free, so those
  without capacity do not start however near the deadline, and money still gates the start); the
  discretionary stall and drop hazards (giving up, a new leadership's priorities, no protector,
  disappointment) are times ``1 - m``, those of means (no champion or enthusiast, overload, unpaid costs)
  are not; a disappointing pilot is acted on only with ``1 - m``, retrying is at least *m*, and scaling
  gets ``mandate_scale_weight x m`` log-odds. ``funded: true`` applies the financing principle: the state
  pays the mandated innovation's costs from ``year`` on, and what it paid is booked as the mandate's
  spending (:func:`book_costs`).
- ``type: crisis`` — from ``start_year`` (its ``start_quarter``, Q1 by default) for ``years`` (in quarters'
  steps), then fading linearly to
  nothing over ``fade_years``: named constraints are relaxed by a share (``relaxes``): ``capacity`` (the
  free capacity a pilot or scale-up needs), ``social_proof`` (waiting for peers), ``evidence`` (the
  evidence a scale-up needs) and ``money`` (the share of costs that need not be found). The pandemic of
  2020 is the example: digital night supervision spread fast in 2020 and almost stopped in 2021
  (``welfare_technology_adoption.csv``). The relaxed share of costs is paid by the state and booked as the
  crisis's spending. Its ``ends_trials`` (a share, 0 by default) is the share of the trials begun while it
  relaxed their constraints that relied on the relief (a trial the organisation would not have begun without
  it): they end when the relief is gone (in the first quarter after its fade, a running pilot of the crisis's
  innovations begun since its start stalls with that chance; one that ended before, or was scaled, is not
  touched). Socialstyrelsen reads the 2022-2023 fall of digital
  supervision in disability care as municipalities ending small-scale trials "because the technology did
  not give the desired effect or there are no resources to use it" (``model/data/observed/quotes.md``).
- ``type: earmarked_grant`` — a targeted state grant for one innovation (000 L2638-2645, L3334-3336;
  004 L1760-1764: state grants are often earmarked), handed out each year by formula to the kinds it names
  and usable only for that innovation's costs; with ``condition: started`` only those piloting or using
  the innovation get it. Unspent money is returned at the end of each year. It is run by its ``operator``
  like a lever (:mod:`model.levers.earmarked`), and reported with the levers' usage.

Mandates and crises do not depend on the state, so they are computed once, before the run, as arrays
over quarters and innovations (:class:`EventSchedule`) that the compiled quarters read: a run with events
but no levers is still one compiled call.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from ..errors import Checked, Problem, suggest, validation_problems
from ..names import check_label
from ..world.organisations import OrgKind
from ..stages import QUARTERS_PER_YEAR

#: the constraints a crisis can relax, in the order of :attr:`EventSchedule.relax`
RELAXABLE = ("capacity", "social_proof", "evidence", "money")
CAPACITY, SOCIAL_PROOF, EVIDENCE, MONEY = range(len(RELAXABLE))
#: two more rows of :attr:`EventSchedule.relax` (so that the compiled quarters read them without new
#: arguments): the hazard that this quarter ends a running trial begun under a crisis's relief
#: (``ends_trials``), and the quarter that relief began (a trial begun before it did not rely on it)
TRIALS_ENDING, RELIEF_SINCE = len(RELAXABLE), len(RELAXABLE) + 1
Relaxable = Literal[RELAXABLE]  # type: ignore[valid-type]


class _Event(Checked):
    """What every event has."""

    type: str = Field(description="mandate, crisis or earmarked_grant")
    name: str | None = Field(None, description="label in results; default: the type (and innovation)")

    @field_validator("name")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        return None if value is None else check_label(value, "an event name")


class Mandate(_Event):
    """A law or national target that requires one innovation by a deadline."""

    type: Literal["mandate"]
    innovation: str = Field(description="the innovation required (a name from innovations:)")
    year: int = Field(ge=2000, le=2100, description="[year] from when it applies and everyone knows of it")
    deadline: int = Field(ge=2000, le=2100, description="[year] by the end of which everyone must comply")
    pressure: float = Field(1.0, gt=0.0, le=1.0,
                            description="[0-1] 1 = a binding law with supervision; less = a national target")
    funded: bool = Field(True, description="the state pays the innovation's costs from year on (the financing "
                                           "principle); false: organisations find the money")

    @model_validator(mode="after")
    def _deadline_after_start(self):
        if self.deadline < self.year:
            raise ValueError(f"deadline {self.deadline} is before year {self.year}")
        return self


class Crisis(_Event):
    """A crisis that relaxes the usual constraints for a while, fading after."""

    type: Literal["crisis"]
    start_year: int = Field(ge=2000, le=2100, description="[year] when it starts")
    start_quarter: int = Field(1, ge=1, le=4, description="[quarter 1-4] of start_year when it starts (a crisis "
                                                          "of mid-March acts from Q2)")
    years: float = Field(1.0, ge=0.25, le=20.0, description="[years] how long it lasts (in quarters' steps)")
    fade_years: float = Field(1.0, ge=0.0, le=20.0, description="[years] how long its relaxation takes to fade")
    innovations: list[str] = Field(default_factory=list,
                                   description="innovations it makes urgent; empty = all")
    relaxes: dict[Relaxable, float] = Field(  # type: ignore[valid-type]
        min_length=1, description="[share 0-1] each constraint relaxed and by how much: capacity, social_proof, "
                                  "evidence, money")
    ends_trials: float = Field(0.0, ge=0.0, le=1.0,
                               description="[share 0-1] of the trials begun under its relief that relied on it: "
                                           "they end when the relief is gone")

    @field_validator("relaxes")
    @classmethod
    def _shares(cls, value: dict) -> dict:
        bad = [f"{k}: {v}" for k, v in value.items() if not 0.0 <= float(v) <= 1.0]
        if bad:
            raise ValueError(f"each relaxation is a share between 0 and 1; got {', '.join(bad)}")
        return value


class EarmarkedGrant(_Event):
    """A targeted state grant for one innovation, by formula, with conditions; unspent money is returned."""

    type: Literal["earmarked_grant"]
    innovation: str = Field(description="the innovation the money is earmarked for")
    start_year: int = Field(ge=2000, le=2100, description="[year] first year paid")
    years: int = Field(1, ge=1, le=50, description="[years] how many years it is paid")
    msek_per_year: float = Field(ge=0.0, le=100_000.0, description="[MSEK/year] paid out each year in all")
    operator: str = Field("socialstyrelsen", description="the national actor that hands it out")
    kinds: list[OrgKind] = Field(default_factory=lambda: ["municipality"], min_length=1,
                                 description="kinds of organisation it is paid to")
    split: Literal["population", "equal"] = Field("population", description="how the year's money is split")
    condition: Literal["none", "started"] = Field(
        "none", description="none: everyone gets its share; started: only those piloting or using the innovation")


EVENT_TYPES: dict[str, type[_Event]] = {"mandate": Mandate, "crisis": Crisis, "earmarked_grant": EarmarkedGrant}


def event_name(event: _Event) -> str:
    """The label an event is reported under: its name, or its type and innovation."""
    if event.name:
        return event.name
    innovation = getattr(event, "innovation", None)
    return f"{event.type}:{innovation}" if innovation else event.type


def check_events(entries: Any, innovations: list[str] | None, first_year: int | None,
                 end_year: int | None) -> tuple[list[_Event], list[Problem]]:
    """The ``events:`` entries as validated events and every problem found (located at ``events[i].field``):
    the schema of each type, innovations that exist, years inside the simulated ones."""
    if entries is None:
        return [], []
    if not isinstance(entries, list):
        return [], [Problem(("events",), f"expected a list of events, got {type(entries).__name__}")]
    problems: list[Problem] = []
    events: list[_Event] = []
    for i, entry in enumerate(entries):
        if isinstance(entry, _Event):
            entry = entry.model_dump(mode="python")
        if not isinstance(entry, dict):
            problems.append(Problem(("events", i), "expected a mapping with a type (mandate, crisis or "
                                                   f"earmarked_grant), got {type(entry).__name__}"))
            continue
        kind = entry.get("type")
        schema = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
        if schema is None:
            what = "required field is missing" if kind is None else f"unknown event '{kind}'"
            problems.append(Problem(("events", i, "type"), f"{what}{suggest(str(kind), EVENT_TYPES) if kind else ''}; "
                                                           f"allowed: {', '.join(EVENT_TYPES)}"))
            continue
        try:
            event = schema.model_validate(entry)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, schema, prefix=("events", i)))
            continue
        problems.extend(_check_references(i, event, innovations, first_year, end_year))
        events.append(event)
    return events, problems


def _check_references(i: int, event: _Event, innovations, first: int | None, end: int | None) -> list[Problem]:
    problems = []
    names = list(event.innovations) if isinstance(event, Crisis) else [event.innovation]  # type: ignore[attr-defined]
    field = "innovations" if isinstance(event, Crisis) else "innovation"
    if innovations is not None:
        for name in names:
            if name not in innovations:
                problems.append(Problem(("events", i, field), f"unknown innovation '{name}'"
                                        f"{suggest(name, innovations)}; innovations: {', '.join(innovations)}"))
    if first is not None and end is not None:
        year_field = "year" if isinstance(event, Mandate) else "start_year"
        year = getattr(event, year_field)
        if not first <= year < end:
            problems.append(Problem(("events", i, year_field), f"{year} is outside the simulated years; "
                                                               f"allowed: {first}-{end - 1}"))
    return problems


class EventSchedule(NamedTuple):
    """Mandates and crises as the compiled quarters read them."""

    pressure: np.ndarray  # (steps, k) a mandate's pressure on each innovation, 0-1
    relax: np.ndarray  # (steps, len(RELAXABLE) + 2, k) share of each constraint relaxed; then the hazard of
    #                    ending a trial begun under a crisis's relief and the quarter it began (TRIALS_ENDING,
    #                    RELIEF_SINCE: both 0 without one; the quarter matters only where the hazard is not 0)


def schedule(events: list, names: tuple[str, ...], start_year: int, steps: int) -> EventSchedule:
    """The pressure of mandates and the relaxation of crises, per quarter and innovation (several events:
    the strongest counts)."""
    k = len(names)
    pressure = np.zeros((steps, k))
    relax = np.zeros((steps, len(RELAXABLE) + 2, k))
    t = np.arange(steps)
    for event in events:
        if isinstance(event, Mandate):
            j = names.index(event.innovation)
            t0 = QUARTERS_PER_YEAR * (event.year - start_year)
            t1 = QUARTERS_PER_YEAR * (event.deadline + 1 - start_year)
            ramp = np.clip((t - t0 + 1) / max(t1 - t0, 1), 0.0, 1.0) * (t >= t0)
            pressure[:, j] = np.maximum(pressure[:, j], event.pressure * ramp)
            if event.funded:
                relax[:, MONEY, j] = np.maximum(relax[:, MONEY, j], (t >= t0).astype(float))
        elif isinstance(event, Crisis):
            js = [names.index(n) for n in event.innovations] if event.innovations else list(range(k))
            t0 = QUARTERS_PER_YEAR * (event.start_year - start_year) + event.start_quarter - 1
            t1 = t0 + max(1, int(round(QUARTERS_PER_YEAR * event.years)))
            fade = QUARTERS_PER_YEAR * event.fade_years
            level = np.where(t < t0, 0.0, np.where(t < t1, 1.0,
                             np.clip(1.0 - (t - t1 + 1) / fade, 0.0, 1.0) if fade > 0 else 0.0))
            for constraint, share in event.relaxes.items():
                c = RELAXABLE.index(constraint)
                for j in js:
                    relax[:, c, j] = np.maximum(relax[:, c, j], share * level)
            ending = trials_ending(level, event.ends_trials)
            for j in js:
                stronger = ending > relax[:, TRIALS_ENDING, j]
                relax[stronger, TRIALS_ENDING, j] = ending[stronger]
                relax[stronger, RELIEF_SINCE, j] = t0
    return EventSchedule(pressure, relax)


def trials_ending(level: np.ndarray, share: float) -> np.ndarray:
    """Per quarter, the hazard that ends a running trial begun under a crisis whose relief is at ``level``
    (steps,) in each quarter (1 during it, falling over its fade): ``share`` in the quarter the relief is gone
    (the first at 0 after a relieved one), else 0 — the trials that relied on it meet their constraints again
    then, and a ``share`` of those still running relied on it."""
    before = np.concatenate(([0.0], level[:-1]))
    return np.where((before > 0.0) & (level <= 0.0), share, 0.0)


#: the operator an event's costs are booked under: the state pays them (the financing principle; a crisis's
#: relaxed money is extra state money)
STATE = "state"


def book_costs(events: list, names: tuple[str, ...], start_year: int, covered: np.ndarray, ledger) -> None:
    """Book what events paid into the run's ledger, so that it counts in ``spend_msek`` and the budget.

    ``covered`` (steps, k): MSEK of costs the life cycle let an event cover each quarter (a funded mandate
    covers all of its innovation's costs, a crisis the share of money it relaxes). Each quarter's money is
    booked to the event that covers the most of that innovation then (the first of equals), as ``budget``,
    ``delivered`` and ``used`` of its year: the financing principle is an open appropriation, it pays what
    the mandated work costs."""
    if not covered.any():
        return
    steps, k = covered.shape
    share = np.zeros((len(events), steps, k))
    for e, event in enumerate(events):
        if isinstance(event, (Mandate, Crisis)):
            share[e] = schedule([event], names, start_year, steps).relax[:, MONEY, :]
    owner = share.argmax(0)  # (steps, k)
    for t, j in zip(*np.nonzero(covered)):
        event = events[owner[t, j]]
        use = ledger.year(event_name(event), start_year + t // QUARTERS_PER_YEAR, STATE, "MSEK of costs paid")
        msek = float(covered[t, j])
        use.budget += msek
        use.delivered += msek
        use.used += msek
