"""Scenario files: what an analyst writes, validated before anything runs.

A scenario is a YAML file (see ``scenarios/baseline.yaml``). Its schema is the pydantic model
:class:`Scenario`; model parameters come from the single table in :mod:`model.parameters`; lever entries
are validated by the lever each names (:mod:`model.levers`). Loading never guesses: an unknown key, a
misspelt name, a wrong type or a value out of range is an :class:`~model.errors.InputError` naming the
file, the field and what is allowed.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, create_model, field_validator

from .errors import InputError, suggest, validate_mapping
from .levers import validate_entries
from .parameters import PARAMETERS
from .strict import Strict
from .world.organisations import OrgKind


def _parameter_field(p):
    kind = int if p.integer else float
    return (kind, Field(p.default, ge=p.low, le=p.high, description=f"{p.meaning} [{p.unit}]"))


Parameters: type[Strict] = create_model(  # type: ignore[call-overload]
    "Parameters",
    __base__=Strict,
    __doc__="Numeric model parameters; see model.parameters for meaning, range and source.",
    **{p.name: _parameter_field(p) for p in PARAMETERS},
)


class Innovation(Strict):
    """One innovation that spreads in the run. Defaults are illustrative assumptions."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    description: str = ""
    applies_to: list[OrgKind] = Field(default_factory=lambda: ["municipality"], min_length=1)
    complexity: float = Field(0.5, ge=0.0, le=1.0)
    needs_infrastructure: bool = False
    evidence: float = Field(0.2, ge=0.0, le=1.0)
    pilot_cost_msek: float = Field(0.5, ge=0.0, le=1000.0)
    scale_cost_msek_per_10k: float = Field(0.5, ge=0.0, le=1000.0)
    pilot_quarters: int = Field(4, ge=1, le=20)


class Networks(Strict):
    neighbours: bool = True
    county: bool = True
    skr_group: bool = True
    national: bool = True
    complete: bool = False


class World(Strict):
    regions: bool = True
    agencies: bool = True
    homogeneous: bool = False
    networks: Networks = Field(default_factory=Networks)


class Mechanisms(Strict):
    contagion: Literal["simple", "complex"] = "simple"
    lifecycle: Literal["staged", "one_step"] = "staged"


class Scenario(Strict):
    name: str = Field("scenario", pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
    description: str = ""
    start_year: int = Field(2026, ge=2000, le=2100)
    horizon_years: int = Field(10, ge=1, le=50)
    replications: int = Field(20, ge=1, le=100_000)
    seed: int = Field(20261123, ge=0)
    world: World = Field(default_factory=World)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    parameters: Parameters = Field(default_factory=Parameters)  # type: ignore[valid-type]
    innovations: list[Innovation] = Field(min_length=1)
    budget_msek_per_year: float | None = Field(None, ge=0.0)
    #: the levers, validated once by :func:`parse_scenario` into each lever's parameter object
    #: (:class:`model.levers.base.LeverParams`); the model builds its levers from these
    levers: list[Any] = Field(default_factory=list)

    @field_validator("innovations")
    @classmethod
    def _unique_names(cls, value: list[Innovation]) -> list[Innovation]:
        names = [i.name for i in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"innovation names must be unique; repeated: {', '.join(dupes)}")
        return value

    @property
    def steps(self) -> int:
        return 4 * self.horizon_years

    def resolved(self) -> dict[str, Any]:
        """Everything the run uses, defaults filled in (recorded in every manifest)."""
        return self.model_dump(mode="json")


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a scenario given as a mapping (already parsed YAML): the schema, then every lever entry
    against its lever's parameters and the portfolio's timing, names and budget. Raises InputError."""
    scenario = validate_mapping(Scenario, data, source, "a scenario")
    scenario.levers = validate_entries(scenario.levers, source, scenario.start_year,
                                       scenario.start_year + scenario.horizon_years,
                                       scenario.budget_msek_per_year)
    return scenario


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, or raise an InputError that says where it is broken."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a YAML file")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"{path}: invalid YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    data = read_yaml(path)
    if data is None:
        raise InputError(f"{path}: the file is empty")
    return parse_scenario(data, str(path))


_INDEX = re.compile(r"^\d+$")


def set_path(data: dict[str, Any], path: str, value: Any, source: str = "<override>") -> None:
    """Set ``value`` at a dotted ``path`` in a scenario mapping, in place.

    List items are addressed by index (``innovations.0.complexity``) or by their ``name`` or lever
    ``type`` (``innovations.ai_casework.complexity``, ``levers.peer_review.reviews_per_year``).
    Used by command-line overrides and by sensitivity experiments.
    """
    parts = path.split(".")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            if _INDEX.match(part):
                idx = int(part)
                if idx >= len(node):
                    raise InputError(f"{source}: {where}: index {idx} out of range (list has {len(node)} items)")
            else:
                labels = [item.get("name", item.get("type")) if isinstance(item, dict) else None for item in node]
                if part not in labels:
                    raise InputError(
                        f"{source}: {where}: no item named '{part}'{suggest(part, [l for l in labels if l])}; "
                        f"items: {', '.join(str(l) for l in labels)}"
                    )
                idx = labels.index(part)
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise InputError(f"{source}: {where}: cannot set a field inside a {type(node).__name__}")


def with_overrides(scenario: Scenario, overrides: dict[str, Any], source: str = "<override>") -> Scenario:
    """A new, validated scenario with dotted-path values replaced."""
    data = copy.deepcopy(scenario.model_dump(mode="python", exclude_unset=False))
    for path, value in overrides.items():
        set_path(data, path, value, source)
    return parse_scenario(data, source)
