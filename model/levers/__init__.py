"""Policy levers: one module per lever, each registered by its ``type`` name.

Modules: :mod:`.registry` (type name -> lever class), :mod:`.base` (parameters every lever has, the
``act`` template, spending), :mod:`.targeting` (who a lever reaches), :mod:`.entries` (validating a
scenario's ``levers:`` list once, into parameter objects), one module per lever, and :mod:`.listing`
(the tables of ``spridning levers`` and ``docs/levers.md``). Levers read and change a run only through the
run context (:mod:`model.context`): its effects and its spend ledger. See ``docs/levers.md``.
"""

from __future__ import annotations

# the lever modules register themselves in REGISTRY when imported
from . import (  # noqa: F401  (imported for registration)
    change_teams, funding, infrastructure, job_shadowing, learning_networks, peer_review, procurement,
    training_networks,
)
from ..world.organisations import REGION
from .base import REGIONS
from .earmarked import EarmarkedGrantLever
from .entries import validate_entries, yearly_spend
from .placement import delivery_shares
from .registry import REGISTRY

__all__ = ["REGISTRY", "build_levers", "validate_entries", "yearly_spend"]


def build_levers(lever_params: list, context, events: list = ()) -> list:
    """The run's levers, in the scenario's order, for the run whose :class:`~model.context.RunContext` is
    ``context``: one lever object per validated parameter object (a scenario's ``levers``) run by a
    national actor, one per region for a lever the regions run, then one per earmarked state grant of
    ``events``.

    A national operator delivers at most its yearly capacity (``context.delivery``); when the levers it runs
    in a year ask for more, each gets the same share of its budget delivered."""
    first, end = context.calendar.start_year, context.calendar.end_year
    grants = [e for e in events if getattr(e, "type", None) == "earmarked_grant"]
    timing = [(params.operator or REGISTRY[params.type].default_operator, params.active_years(first, end))
              for params in lever_params]
    grant_years = [range(max(g.start_year, first), min(g.start_year + g.years, end)) for g in grants]
    shares = delivery_shares(lever_params, grants, first, end,
                             lambda operator: context.delivery[context.orgs.index_of(operator)])

    levers = []
    for params, (operator, years) in zip(lever_params, timing):
        cls = REGISTRY[params.type]
        if operator == REGIONS:
            levers.extend(_regional(cls, params, context))
        else:
            levers.append(cls(params, context, capacity_share=shares(operator, years)))
    for grant, years in zip(grants, grant_years):
        levers.append(EarmarkedGrantLever(grant, context, capacity_share=shares(grant.operator, years)))
    return levers


def _regional(cls, params, context) -> list:
    """One part of a lever per region, each for its own county's municipalities (within the lever's
    target), with a share of the budget in proportion to the county's population, paid from the region's
    own money."""
    orgs = context.orgs
    regions = [r for r in range(orgs.n) if orgs.kind[r] == REGION]
    wanted = set(params.target.regions)
    if wanted:
        from ..world.names import county_index

        counties = {county_index(label) for label in wanted}
        regions = [r for r in regions if orgs.county[r] in counties]
    total = sum(orgs.population[r] for r in regions)
    parts = []
    for r in regions:
        code = orgs.county_codes[orgs.county[r]]
        target = params.target.model_copy(update={"regions": [code]})
        part = params.model_copy(update={"target": target})
        parts.append(cls(part, context, share=orgs.population[r] / total, region=r))
    return parts
