"""Policy levers: one module per lever, all registered here by their ``type`` name.

A scenario's ``levers:`` list names levers by ``type``; :func:`validate_levers` checks each entry
against that lever's own parameter schema, so a typo in a lever name or parameter is caught before a run,
and then checks the portfolio as a whole: timing inside the simulated years, unique names, and — when the
scenario sets ``budget_msek_per_year`` — that the levers never spend more than that in any year.

Modules: :mod:`.base` (parameters every lever has, the ``act`` template, spending), :mod:`.targeting`
(who a lever reaches), one module per lever, and :mod:`.listing` (``spridning levers``). See
``docs/levers.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from ..errors import InputError, describe_validation_error, suggest

if TYPE_CHECKING:
    from ..scenario import Scenario

#: lever type name -> lever class (filled in by the lever modules below)
REGISTRY: dict[str, type] = {}


def validate_levers(scenario: "Scenario", source: str) -> None:
    """Raise an InputError listing every bad lever entry of ``scenario`` (and an over-budget portfolio).

    Valid entries are replaced by their validated form with every default filled in, so the manifest of a
    run records exactly what each lever used.
    """
    problems = []
    validated: list = []
    for i, entry in enumerate(scenario.levers):
        kind = entry.get("type")
        if kind is None:
            problems.append(f"{source}: levers[{i}].type: required field is missing; allowed: {_allowed()}")
            continue
        lever = REGISTRY.get(kind)
        if lever is None:
            problems.append(
                f"{source}: levers[{i}].type: unknown lever '{kind}'{suggest(kind, REGISTRY)}; allowed: {_allowed()}"
            )
            continue
        try:
            params = lever.Params.model_validate(entry)
        except ValidationError as exc:
            problems.append(describe_validation_error(source, exc, lever.Params, prefix=("levers", i)))
            continue
        problems.extend(_check_timing(scenario, source, i, params))
        validated.append((i, params))
    problems.extend(_check_names(source, validated))
    if not problems:
        problems.extend(_check_budget(scenario, source, validated))
    if problems:
        raise InputError("\n".join(problems))
    for i, params in validated:
        scenario.levers[i] = params.model_dump(mode="json")


def _check_timing(scenario: "Scenario", source: str, i: int, params) -> list[str]:
    first, end = scenario.start_year, scenario.start_year + scenario.horizon_years
    start = params.start_year
    if start is None:
        return []
    if start < first:
        return [f"{source}: levers[{i}].start_year: {start} is before the scenario starts ({first}); "
                f"allowed: {first}-{end - 1}"]
    if start >= end:
        return [f"{source}: levers[{i}].start_year: {start} is after the horizon (the scenario simulates "
                f"{first}-{end - 1}); allowed: {first}-{end - 1}"]
    return []


def _check_names(source: str, validated: list) -> list[str]:
    problems, seen = [], {}
    for i, params in validated:
        name = params.name or params.type
        if name in seen:
            problems.append(f"{source}: levers[{i}].name: '{name}' is already used by levers[{seen[name]}]; "
                            "give each lever its own name (spend is reported by name)")
        else:
            seen[name] = i
    return problems


def active_years(scenario: "Scenario", params) -> range:
    """The simulated years in which a lever is active."""
    first, end = scenario.start_year, scenario.start_year + scenario.horizon_years
    start = params.start_year if params.start_year is not None else first
    stop = start + params.duration_years if params.duration_years is not None else end
    return range(max(start, first), min(stop, end))


def yearly_spend(scenario: "Scenario", params_list) -> dict[int, float]:
    """MSEK the levers spend in each simulated year."""
    years = {y: 0.0 for y in range(scenario.start_year, scenario.start_year + scenario.horizon_years)}
    for params in params_list:
        for y in active_years(scenario, params):
            years[y] += float(params.budget_msek_per_year)
    return years


def _check_budget(scenario: "Scenario", source: str, validated: list) -> list[str]:
    budget = scenario.budget_msek_per_year
    if budget is None or not validated:
        return []
    years = yearly_spend(scenario, [p for _, p in validated])
    over = {y: v for y, v in years.items() if v > budget * (1 + 1e-9) + 1e-9}
    if not over:
        return []
    worst = max(over.values())
    span = _year_span(sorted(over))
    return [f"{source}: levers: portfolio spends {worst:g} MSEK/year, over the budget of {budget:g} "
            f"(budget_msek_per_year) in {span}; lower the levers' budget_msek_per_year, shift their "
            "start_year/duration_years, or raise the budget"]


def _year_span(years: list[int]) -> str:
    parts, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            parts.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(parts)


def _allowed() -> str:
    return ", ".join(sorted(REGISTRY)) or "(no levers are available yet)"


def build_levers(model) -> list:
    """Instantiate the scenario's levers for one model run, in the order the scenario lists them."""
    return [REGISTRY[entry["type"]](REGISTRY[entry["type"]].Params.model_validate(entry), model)
            for entry in model.spec.levers]


# the lever modules register themselves in REGISTRY when imported
from . import (  # noqa: E402,F401  (imported for registration)
    change_teams, funding, infrastructure, job_shadowing, learning_networks, peer_review, procurement,
    training_networks,
)
