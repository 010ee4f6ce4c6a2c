"""Policy levers: one module per lever, all registered here by their ``type`` name.

A scenario's ``levers:`` list names levers by ``type``; :func:`validate_levers` checks each entry
against that lever's own parameter schema, so a typo in a lever name or parameter is caught before a run.
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
    """Raise an InputError for the first bad lever entry of ``scenario``."""
    problems = []
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
            lever.Params.model_validate(entry)
        except ValidationError as exc:
            problems.append(describe_validation_error(source, exc, lever.Params, prefix=("levers", i)))
    if problems:
        raise InputError("\n".join(problems))


def _allowed() -> str:
    return ", ".join(sorted(REGISTRY)) or "(no levers are available yet)"


def build_levers(model) -> list:
    """Instantiate the scenario's levers for one model run, in the order the scenario lists them."""
    return [REGISTRY[entry["type"]](REGISTRY[entry["type"]].Params.model_validate(entry), model)
            for entry in model.spec.levers]
