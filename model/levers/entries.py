"""Validating a scenario's ``levers:`` entries once, into the levers' own parameter objects.

Each entry is checked against the parameter schema of the lever its ``type`` names, then the portfolio as a
whole: timing inside the simulated years, unique names and — when the scenario sets
``budget_msek_per_year`` — that the levers never spend more than that in any year. The scenario keeps the
validated :class:`~model.levers.base.LeverParams` objects; the model builds its levers from them without
validating again.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import InputError, describe_validation_error, suggest
from .base import LeverParams
from .registry import REGISTRY


def validate_entries(entries: list[Any], source: str, first_year: int, end_year: int,
                     budget_msek_per_year: float | None) -> list[LeverParams]:
    """The entries as validated lever parameters, every default filled in.

    ``entries``: the parsed YAML list (mappings, or parameter objects already validated);
    ``first_year``..``end_year - 1`` are the simulated years. Raises one :class:`InputError` listing every
    problem (``source: levers[i].field: problem; allowed``).
    """
    problems: list[str] = []
    validated: list[tuple[int, LeverParams]] = []
    for i, entry in enumerate(entries):
        if isinstance(entry, LeverParams):
            entry = entry.model_dump(mode="python")
        if not isinstance(entry, dict):
            problems.append(f"{source}: levers[{i}]: expected a mapping with a type (e.g. type: peer_review), "
                            f"got {type(entry).__name__}")
            continue
        kind = entry.get("type")
        if kind is None:
            problems.append(f"{source}: levers[{i}].type: required field is missing; allowed: {_allowed()}")
            continue
        lever = REGISTRY.get(kind)
        if lever is None:
            problems.append(f"{source}: levers[{i}].type: unknown lever '{kind}'{suggest(kind, REGISTRY)}; "
                            f"allowed: {_allowed()}")
            continue
        try:
            params = lever.Params.model_validate(entry)
        except ValidationError as exc:
            problems.append(describe_validation_error(source, exc, lever.Params, prefix=("levers", i)))
            continue
        problems.extend(_check_timing(source, i, params, first_year, end_year))
        validated.append((i, params))
    problems.extend(_check_names(source, validated))
    if not problems:
        problems.extend(_check_budget(source, [p for _, p in validated], first_year, end_year,
                                      budget_msek_per_year))
    if problems:
        raise InputError("\n".join(problems))
    return [params for _, params in validated]


def yearly_spend(params_list: list[LeverParams], first_year: int, end_year: int) -> dict[int, float]:
    """MSEK the levers spend in each simulated year (``first_year``..``end_year - 1``)."""
    years = {y: 0.0 for y in range(first_year, end_year)}
    for params in params_list:
        for y in params.active_years(first_year, end_year):
            years[y] += float(params.budget_msek_per_year)
    return years


def _check_timing(source: str, i: int, params: LeverParams, first: int, end: int) -> list[str]:
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


def _check_names(source: str, validated: list[tuple[int, LeverParams]]) -> list[str]:
    problems, seen = [], {}
    for i, params in validated:
        name = params.name or params.type
        if name in seen:
            problems.append(f"{source}: levers[{i}].name: '{name}' is already used by levers[{seen[name]}]; "
                            "give each lever its own name (spend is reported by name)")
        else:
            seen[name] = i
    return problems


def _check_budget(source: str, params_list: list[LeverParams], first: int, end: int,
                  budget: float | None) -> list[str]:
    if budget is None or not params_list:
        return []
    over = {y: v for y, v in yearly_spend(params_list, first, end).items() if v > budget * (1 + 1e-9) + 1e-9}
    if not over:
        return []
    worst = max(over.values())
    return [f"{source}: levers: portfolio spends {worst:g} MSEK/year, over the budget of {budget:g} "
            f"(budget_msek_per_year) in {_year_span(sorted(over))}; lower the levers' budget_msek_per_year, "
            "shift their start_year/duration_years, or raise the budget"]


def _year_span(years: list[int]) -> str:
    parts, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            parts.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(parts)


def _allowed() -> str:
    return ", ".join(sorted(REGISTRY)) or "(no levers are available yet)"
