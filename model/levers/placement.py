"""Money that cannot be placed, found before a run: each lever's budget against what its operator can
deliver and what its target's organisations can take.

A target that admits nobody is refused when the scenario is validated (:class:`~model.levers.targeting.Target`).
What this module adds are *warnings* — the run is still allowed, since an analyst may mean it — for

- money **beyond the operator's capacity**: a national actor delivers at most its yearly capacity
  (``model/data/agencies.csv``'s ``delivery_msek_per_year`` or the scenario's ``world.delivery_msek_per_year``),
  shared in proportion among the levers it runs in a year, as :func:`model.levers.build_levers` does in the run;
- money **without a taker**: each lever's :meth:`~model.levers.base.Lever.absorbable_msek` says how much
  its admitted organisations can take at most (one visit each, one place each a year, ...); what is
  delivered beyond that cannot be placed. Levers whose absorption only the run knows (pilot and scale-up
  grant calls) are not estimated, and the warning does not guess.

Both are upper bounds on what is placed, so a warning is a floor on what will be unplaced: the run's
``lever_usage.csv`` (``unplaced_capacity_msek``, ``unplaced_no_taker_msek``) shows at least as much.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import format_loc
from .base import REGIONS, Absorption
from .registry import REGISTRY
from .targeting import eligible_mask

#: a lever whose money placed falls short of its budget by less than this share is not warned about
TOLERANCE = 0.05


@dataclass(frozen=True)
class Placement:
    """One lever's money over its active years, before the run: ``budget`` [MSEK] it is given,
    ``deliverable`` [MSEK] its operator can deliver of it, ``absorbable`` [MSEK] its takers can take at most
    (None: not estimated), ``admitted`` organisations its target can reach, ``why`` the absorption rule."""

    index: int
    name: str
    years: range
    budget: float
    deliverable: float
    absorbable: float | None
    admitted: int
    why: str

    @property
    def unplaceable(self) -> float:
        """[MSEK] at least this much will be unplaced: beyond capacity plus beyond what takers can take."""
        placed = self.deliverable if self.absorbable is None else min(self.deliverable, self.absorbable)
        return max(0.0, self.budget - placed)


@lru_cache(maxsize=8)
def _orgs(regions: bool, agencies: bool, without: tuple[str, ...]):
    from ..world.organisations import load_organisations

    return load_organisations(regions, agencies, without)


def placements(scenario: Any) -> list[Placement]:
    """Each lever of ``scenario`` (a validated :class:`~model.scenario.Scenario`) with a budget, as a
    :class:`Placement`, in the scenario's order."""
    world = scenario.world
    orgs = _orgs(world.regions, world.agencies, tuple(sorted(world.without)))
    first, end = scenario.start_year, scenario.start_year + scenario.horizon_years
    shares = _capacity_shares(scenario, orgs, first, end)
    out = []
    for i, params in enumerate(scenario.levers):
        years = params.active_years(first, end)
        budget = float(params.budget_msek_per_year)
        if budget == 0.0 or not years:
            continue
        operator = params.operator or REGISTRY[params.type].default_operator
        share = {y: 1.0 for y in years} if operator == REGIONS else shares(operator, years)
        admitted = _admitted(params.target, orgs)
        absorption = REGISTRY[params.type].absorbable_msek(params, admitted, len(years))
        if absorption is None and admitted == 0:  # whatever the lever's rule, nobody takes nothing
            absorption = Absorption(0.0, "its target admits no organisation of this scenario's world")
        out.append(Placement(i, params.name or params.type, years, budget * len(years),
                             sum(budget * share[y] for y in years),
                             None if absorption is None else absorption.msek, admitted,
                             "" if absorption is None else absorption.why))
    return out


def _admitted(target, orgs) -> int:
    """Organisations the target can ever reach: those its filters admit, narrowed by ``count``/``share``."""
    n = int(eligible_mask(target, orgs).sum())
    if target.count is not None:
        return min(target.count, n)
    if target.share is not None:
        return int(round(target.share * n))
    return n


def delivery_shares(lever_params: list, events: list, first: int, end: int, capacity) -> Any:
    """A function ``(operator, years) -> {year: share of its levers' budgets the operator delivers}``: a
    national operator delivers at most ``capacity(operator)`` MSEK a year; when the levers it runs (and the
    earmarked state grants of ``events`` it pays out) ask for more in a year, each gets the same share. The
    one home of this rule: the run (:func:`model.levers.build_levers`) and the check before it use it."""
    demand: dict[tuple[str, int], float] = defaultdict(float)
    for params in lever_params:
        operator = params.operator or REGISTRY[params.type].default_operator
        if operator != REGIONS:
            for year in params.active_years(first, end):
                demand[operator, year] += float(params.budget_msek_per_year)
    for grant in (e for e in events if getattr(e, "type", None) == "earmarked_grant"):
        for year in range(max(grant.start_year, first), min(grant.start_year + grant.years, end)):
            demand[grant.operator, year] += grant.msek_per_year

    def shares(operator: str, years: range) -> dict[int, float]:
        cap = float(capacity(operator))
        return {y: min(1.0, cap / demand[operator, y]) if demand[operator, y] > 0 else 1.0 for y in years}
    return shares


def _capacity_shares(scenario, orgs, first: int, end: int):
    """:func:`delivery_shares` for ``scenario`` in the world ``orgs`` (capacities from
    ``agencies.csv``, or the scenario's ``world.delivery_msek_per_year``, as the run takes them)."""
    overrides = dict(scenario.world.delivery_msek_per_year)

    def capacity(operator: str) -> float:
        return overrides.get(operator, float(orgs.delivery_msek[orgs.index_of(operator)]))
    return delivery_shares(scenario.levers, scenario.events, first, end, capacity)


def placement_warnings(scenario: Any) -> list[tuple[tuple, str]]:
    """``(loc, text)`` for each lever of which more than :data:`TOLERANCE` of the budget cannot be placed:
    the MSEK budgeted, what the operator can deliver and what the takers can absorb (per year and over the
    lever's years), and why. ``loc`` is the lever's ``budget_msek_per_year``."""
    warnings = []
    for p in placements(scenario):
        if p.unplaceable <= TOLERANCE * p.budget:
            continue
        n = len(p.years)
        span = f"{p.years[0]}-{p.years[-1]}" if n > 1 else str(p.years[0])
        parts = [f"lever '{p.name}': about {p.unplaceable:,.0f} of the {p.budget:,.0f} MSEK budgeted "
                 f"over {span} ({p.budget / n:,.1f} MSEK/year) cannot be placed"]
        if p.deliverable < p.budget * (1 - 1e-9):
            parts.append(f"its operator can deliver {p.deliverable:,.1f} MSEK ({p.deliverable / n:,.1f}/year; "
                         "the rest is beyond its capacity)")
        if p.absorbable is not None and p.absorbable < p.deliverable:
            parts.append(f"its target can absorb at most {p.absorbable:,.1f} MSEK ({p.absorbable / n:,.1f}/year): "
                         f"{p.why}")
        warnings.append((("levers", p.index, "budget_msek_per_year"),
                         "; ".join(parts) + ". Widen the target, lower budget_msek_per_year or shorten "
                         "duration_years if that is not what you mean"))
    return warnings


def placement_lines(scenario: Any, path: str) -> list[str]:
    """:func:`placement_warnings` as ``PATH:LINE: warning: levers[i].budget_msek_per_year: text`` lines
    (the line where the file sets it, when the file can be read again; else ``PATH: warning: ...``)."""
    found = placement_warnings(scenario)
    if not found:
        return []
    where = None
    try:
        from ..yamlio import load_document

        where = load_document(path).where
    except Exception:  # noqa: BLE001 - the line is a courtesy; the warning stands without it
        where = None
    lines = []
    for loc, text in found:
        line = where.line(loc) if where is not None else None
        head = f"{path}:{line}" if line else str(path)
        lines.append(f"{head}: warning: {format_loc(loc)}: {text}")
    return lines
