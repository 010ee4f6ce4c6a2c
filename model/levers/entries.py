"""Validating a scenario's ``levers:`` entries once, into the levers' own parameter objects.

Each entry is checked against the parameter schema of the lever its ``type`` names — including its
``operator``, the actor that delivers it, which must be one that can run such a lever and be in the
scenario's world — then the portfolio as a whole: timing inside the simulated years, unique names and — when
the scenario sets ``budget_msek_per_year`` — that the levers never spend more than that in any year. The scenario keeps the
validated :class:`~model.levers.base.LeverParams` objects; the model builds its levers from them without
validating again.
"""

from __future__ import annotations

from functools import lru_cache

from typing import Any

from pydantic import ValidationError

from ..errors import Problem, fail, suggest, validation_problems
from ..names import normalise
from ..world.organisations import agency_ids, read_csv
from .base import REGIONS, LeverParams
from .registry import REGISTRY


def agency_roles() -> dict[str, tuple[str, ...]]:
    """Each national actor's roles, from ``model/data/agencies.csv`` (a new dict each call; the file is
    read once per process: a sweep validates a scenario for every run)."""
    return dict(_agency_roles())


@lru_cache(maxsize=1)
def _agency_roles() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((a["id"], tuple(a["roles"].split(";"))) for a in read_csv("agencies.csv"))


def check_entries(entries: list[Any], first_year: int | None, end_year: int | None,
                  budget_msek_per_year: float | None, world: Any = None) -> tuple[list[LeverParams], list[Problem]]:
    """The entries as validated lever parameters (every default filled in, the operator too) and every
    problem found.

    ``entries``: the parsed YAML list (mappings, or parameter objects already validated);
    ``first_year``..``end_year - 1`` are the simulated years (None when the scenario's own calendar is
    invalid: timing and budget are then not checked); ``world``: the scenario's
    :class:`~model.scenario.World` (None when invalid: operators are then checked only against the agencies
    that exist). Problems are located at ``levers[i].field``.
    """
    problems: list[Problem] = []
    validated: list[tuple[int, LeverParams]] = []
    for i, entry in enumerate(entries):
        if isinstance(entry, LeverParams):
            entry = entry.model_dump(mode="python")
        if not isinstance(entry, dict):
            problems.append(Problem(("levers", i), "expected a mapping with a type (e.g. type: peer_review), "
                                                   f"got {type(entry).__name__}"))
            continue
        kind = entry.get("type")
        if kind is None:
            problems.append(Problem(("levers", i, "type"), f"required field is missing; allowed: {_allowed()}"))
            continue
        lever = REGISTRY.get(kind) if isinstance(kind, str) else None
        if lever is None:
            problems.append(Problem(("levers", i, "type"), f"unknown lever '{kind}'{suggest(str(kind), REGISTRY)}; "
                                                           f"allowed: {_allowed()}"))
            continue
        try:
            params = lever.Params.model_validate(entry)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, lever.Params, prefix=("levers", i)))
            continue
        if params.operator is None:
            params.operator = lever.default_operator
        problem = _check_operator(lever, params.operator, world)
        if problem:
            problems.append(Problem(("levers", i, "operator"), problem))
        if first_year is not None and end_year is not None:
            problems.extend(_check_timing(i, params, first_year, end_year))
        validated.append((i, params))
    problems.extend(_check_names(validated))
    if not problems and first_year is not None and end_year is not None:
        problems.extend(_check_budget([p for _, p in validated], first_year, end_year, budget_msek_per_year))
    return [params for _, params in validated], problems


def validate_entries(entries: list[Any], source: str, first_year: int, end_year: int,
                     budget_msek_per_year: float | None) -> list[LeverParams]:
    """The entries as validated lever parameters (see :func:`check_entries`), or one
    :class:`~model.errors.InputError` listing every problem (``source: levers[i].field: problem; allowed``)."""
    params, problems = check_entries(entries, first_year, end_year, budget_msek_per_year)
    if problems:
        raise fail(source, problems)
    return params


def lever_notes(scenario: Any, lang: str = "en") -> list[str]:
    """One line per lever whose programme runs past the scenario's horizon (``start_year +
    duration_years`` after the last simulated year): what is simulated and what is not. For a run's
    warnings and manifest (English) and its Swedish report (``lang="sv"``); ``scenario`` is a validated
    :class:`~model.scenario.Scenario` (or anything with its ``start_year``, ``horizon_years``, ``levers``)."""
    first, end = scenario.start_year, scenario.start_year + scenario.horizon_years
    notes = []
    for i, params in enumerate(scenario.levers):
        if params.duration_years is None:
            continue
        start = params.start_year if params.start_year is not None else first
        stop = start + params.duration_years
        if stop <= end:
            continue
        active = len(params.active_years(first, end))
        if lang == "sv":
            msek = lambda v: f"{v:g}".replace(".", ",")  # noqa: E731  (decimal comma)
            notes.append(
                f"levers[{i}] ({params.name or params.type}): löper {start}–{stop - 1} (duration_years "
                f"{params.duration_years}) men scenariot slutar med {end - 1} (horizon_years "
                f"{scenario.horizon_years}); bara {active} av dess {params.duration_years} år simuleras, så det "
                f"använder {msek(active * params.budget_msek_per_year)} mnkr, inte "
                f"{msek(params.duration_years * params.budget_msek_per_year)}")
            continue
        notes.append(
            f"levers[{i}] ({params.name or params.type}): runs {start}-{stop - 1} (duration_years "
            f"{params.duration_years}) but the scenario ends with {end - 1} (horizon_years "
            f"{scenario.horizon_years}); only {active} of its {params.duration_years} years are simulated, "
            f"so it spends {active * params.budget_msek_per_year:g} MSEK, not "
            f"{params.duration_years * params.budget_msek_per_year:g}")
    return notes


def yearly_spend(params_list: list[LeverParams], first_year: int, end_year: int) -> dict[int, float]:
    """MSEK the levers spend in each simulated year (``first_year``..``end_year - 1``)."""
    years = {y: 0.0 for y in range(first_year, end_year)}
    for params in params_list:
        for y in params.active_years(first_year, end_year):
            years[y] += float(params.budget_msek_per_year)
    return years


def operator_problem(operator: str, world: Any = None) -> str:
    """Why ``operator`` cannot deliver in ``world`` (a :class:`~model.scenario.World`), or '' if it can:
    ``regions`` needs the regions, an agency must exist and be in the world."""
    if operator == REGIONS:
        if world is not None and not world.regions:
            return "'regions' operate levers for their own municipalities, but this world has no regions " \
                   "(world.regions: false); set world.regions: true or choose a national operator"
        return ""
    known = agency_ids()
    if operator not in known:
        return f"unknown operator '{operator}'{suggest(operator, known + (REGIONS,))}; operators: " \
               f"{', '.join(known)} or {REGIONS}"
    if world is not None and operator not in world.operators():
        why = "world.agencies: false" if not world.agencies else f"world.without lists '{operator}'"
        return f"the operator '{operator}' is not in this world ({why}), so nobody delivers this lever; " \
               "bring it back or choose another operator"
    return ""


def _check_operator(lever, operator: str, world: Any) -> str:
    if operator == REGIONS:
        if not lever.regional:
            return f"regions cannot operate {lever.type_name()}; operators: national actors with a role in " \
                   f"{', '.join(lever.operator_roles)}"
        return operator_problem(operator, world)
    problem = operator_problem(operator, world)
    if problem:
        return problem
    roles = agency_roles()[operator]
    if not set(roles) & set(lever.operator_roles):
        fit = [a for a, r in agency_roles().items() if set(r) & set(lever.operator_roles)]
        regional = f" or {REGIONS}" if lever.regional else ""
        return f"'{operator}' ({', '.join(roles)}) does not run {lever.type_name()}; operators with a role in " \
               f"{', '.join(lever.operator_roles)}: {', '.join(fit)}{regional}"
    return ""


def _check_timing(i: int, params: LeverParams, first: int, end: int) -> list[Problem]:
    start = params.start_year
    if start is None:
        return []
    loc = ("levers", i, "start_year")
    if start < first:
        return [Problem(loc, f"{start} is before the scenario starts ({first}); allowed: {first}-{end - 1}")]
    if start >= end:
        return [Problem(loc, f"{start} is after the horizon (the scenario simulates {first}-{end - 1}); "
                             f"allowed: {first}-{end - 1}")]
    return []


def _check_names(validated: list[tuple[int, LeverParams]]) -> list[Problem]:
    problems, seen = [], {}
    for i, params in validated:
        name = params.name or params.type
        key = normalise(name)
        if key in seen:
            problems.append(Problem(("levers", i, "name"), f"'{name}' is already used by levers[{seen[key]}]; "
                                    "give each lever its own name (spend is reported by name)"))
        else:
            seen[key] = i
    return problems


def _check_budget(params_list: list[LeverParams], first: int, end: int, budget: float | None) -> list[Problem]:
    if budget is None or not params_list:
        return []
    over = {y: v for y, v in yearly_spend(params_list, first, end).items() if v > budget * (1 + 1e-9) + 1e-9}
    if not over:
        return []
    worst = max(over.values())
    # named at the budget's own line: in a file that extends another, that is where the user changed it
    return [Problem(("budget_msek_per_year",), f"portfolio spends {worst:g} MSEK/year, over the budget of "
                    f"{budget:g} in {_year_span(sorted(over))}; lower the levers' budget_msek_per_year, shift "
                    "their start_year/duration_years, or raise the budget (a file that extends another restates "
                    "`levers:` whole to change them: lists replace the parent's)")]


def _year_span(years: list[int]) -> str:
    parts, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            parts.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(parts)


def _allowed() -> str:
    return ", ".join(sorted(REGISTRY)) or "(no levers are available yet)"
