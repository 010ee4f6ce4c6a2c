"""Scenario files: what an analyst writes, validated before anything runs.

A scenario is a YAML file (see ``scenarios/baseline.yaml``), read strictly by :mod:`model.yamlio` (a key
given twice is an error). Its schema is the pydantic model :class:`Scenario`; model parameters come from
the single table in :mod:`model.parameters`; lever entries are validated by the lever each names
(:mod:`model.levers`). Loading never guesses: an unknown key, a misspelt name, a wrong type (a yes/no word
or text where a number belongs), a value out of range is an :class:`~model.errors.InputError` naming the
file, the line, the field and what is allowed — every mistake of the file at once, ordered by line.

A scenario file may extend another (``extends: baseline.yaml``, relative to the file; chains allowed,
cycles refused): it then states only what differs. Mappings merge key by key, recursively; lists
(``levers``, ``innovations``, ``events``...) and other values replace the parent's whole; ``levers+:``
(any list's name followed by ``+``) adds items to the parent's list; ``name`` and ``description`` are never
inherited (``name`` defaults to the file's name). Every error names the file and line that wrote the value:
the parent's for an inherited value, the child's for one it states (:func:`model.yamlio.load_extended`).

``--set PATH=VALUE`` values from the command line go through :func:`with_set_arguments`, by the same rules,
and errors name the ``--set`` argument.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, create_model, field_validator

from .errors import Checked, InputError, Problem, Where, fail, render, suggest, validation_problems
from .dynamics.events import check_events
from .levers.entries import check_entries, operator_problem
from .names import check_label, normalise
from .parameters import PARAMETERS
from .world.organisations import OrgKind, agency_ids
from .yamlio import Extended, SourceMap, load_extended, parse_value
from .yamlio import read_yaml as read_yaml_with_lines
from .stages import QUARTERS_PER_YEAR


def _parameter_field(p):
    kind = int if p.integer else float
    return (kind, Field(p.default, ge=p.low, le=p.high, description=f"{p.meaning} [{p.unit}]"))


Parameters: type[Checked] = create_model(  # type: ignore[call-overload]
    "Parameters",
    __base__=Checked,
    __doc__="Numeric model parameters; see model.parameters for meaning, range and source.",
    **{p.name: _parameter_field(p) for p in PARAMETERS},
)


class Innovation(Checked):
    """One innovation that spreads in the run. Defaults are illustrative assumptions."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")
    description: str = ""
    applies_to: list[OrgKind] = Field(default_factory=lambda: ["municipality"], min_length=1)
    complexity: float = Field(0.5, ge=0.0, le=1.0)
    needs_infrastructure: bool = False
    evidence: float = Field(0.2, ge=0.0, le=1.0)
    pilot_cost_msek: float = Field(0.5, ge=0.0, le=1000.0)  # per year of piloting
    scale_cost_fixed_msek: float = Field(0.3, ge=0.0, le=1000.0)
    scale_cost_msek_per_10k: float = Field(0.3, ge=0.0, le=1000.0)
    pilot_quarters: int = Field(4, ge=1, le=20)
    value: float = Field(0.8, ge=0.0, le=1.0)
    need_sparsity: float = Field(0.0, ge=0.0, le=1.0)
    #: the year the innovation becomes available (introduced on 1 January of it): before it nobody can
    #: become aware of, pilot or adopt it; None = available from the scenario's start. Must lie within the
    #: simulated years (checked by :func:`scenario_problems`)
    start_year: int | None = Field(None, ge=1900, le=2200)
    #: organisations that have already scaled it when it is introduced (None: the model parameter
    #: ``initial_adopters``), and organisations that are running a pilot of it then
    initial_adopters: int | None = Field(None, ge=0, le=1000)
    initial_pilots: int = Field(0, ge=0, le=1000)


class Networks(Checked):
    """Which kinds of tie carry awareness (see docs/parameters.md)."""

    neighbours: bool = True
    county: bool = True
    skr_group: bool = True
    national: bool = True
    complete: bool = False
    rewire: float = Field(0.0, ge=0.0, le=1.0)


class World(Checked):
    """Which organisations are simulated, and their ties."""

    regions: bool = True
    agencies: bool = True
    without: list[str] = Field(default_factory=list)
    delivery_msek_per_year: dict[str, float] = Field(default_factory=dict)
    homogeneous: bool = False
    networks: Networks = Field(default_factory=Networks)

    @field_validator("without")
    @classmethod
    def _known_agencies(cls, value: list[str]) -> list[str]:
        known = agency_ids()
        bad = [f"'{v}'{suggest(v, known)}" for v in value if v not in known]
        if bad:
            raise ValueError(f"unknown agency {', '.join(bad)}; agencies: {', '.join(known)}")
        return value

    @field_validator("delivery_msek_per_year")
    @classmethod
    def _operators(cls, value: dict[str, float]) -> dict[str, float]:
        known = agency_ids()
        bad = [f"'{v}'{suggest(v, known)}" for v in value if v not in known]
        if bad:
            raise ValueError(f"unknown agency {', '.join(bad)}; agencies: {', '.join(known)}")
        negative = [f"{k}: {v}" for k, v in value.items() if not 0.0 <= v <= 100_000.0]
        if negative:
            raise ValueError(f"a delivery capacity is MSEK per year between 0 and 100000; got {', '.join(negative)}")
        return value

    def operators(self) -> tuple[str, ...]:
        """The national actors in this world (agency ids), each of which can operate a lever."""
        return tuple(a for a in agency_ids() if a not in self.without) if self.agencies else ()


class Mechanisms(Checked):
    """Variants of the model's mechanisms: simple or complex contagion (with a threshold on a weighted count
    or on the fraction of local ties), staged or one-step life cycle."""

    contagion: Literal["simple", "complex"] = "simple"
    threshold: Literal["count", "fraction"] = "count"
    lifecycle: Literal["staged", "one_step"] = "staged"


class Scenario(Checked):
    """A scenario file: calendar, world, mechanisms, parameters, innovations and levers (docs/parameters.md)."""

    #: any readable label ("Kommuner i Norrland"); file names made from it go through
    #: :func:`model.names.safe_file_name`
    name: str = "scenario"
    description: str = ""
    start_year: int = Field(2026, ge=2000, le=2100)
    horizon_years: int = Field(10, ge=1, le=50)
    replications: int = Field(20, ge=1, le=100_000)
    seed: int = Field(20261123, ge=0)
    world: World = Field(default_factory=World)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    parameters: Parameters = Field(default_factory=Parameters)  # type: ignore[valid-type]
    innovations: list[Innovation] = Field(min_length=1)
    budget_msek_per_year: float | None = Field(None, ge=0.0, le=100_000.0)
    #: how run, compare and robust treat the parameters the shipped calibration fits: ``posterior`` runs over
    #: the shipped posterior ensemble (:func:`model.calibrate.ensemble.default_posterior`), ``point`` keeps
    #: their values (the command-line ``--point`` does the same)
    uncertainty: Literal["posterior", "point"] = "posterior"
    #: the levers, validated once by :func:`parse_scenario` into each lever's parameter object
    #: (:class:`model.levers.base.LeverParams`); the model builds its levers from these
    levers: list[Any] = Field(default_factory=list)
    #: mandates, crises and earmarked state grants, validated by :func:`model.dynamics.events.check_events`
    events: list[Any] = Field(default_factory=list)
    #: the files the scenario was read from: the file itself, then the file it extends, ... (empty when it
    #: was not read from a file); recorded in the manifest
    _files: list[str] = PrivateAttr(default_factory=list)

    @property
    def files(self) -> list[str]:
        """The chain of files this scenario was read from (the file first, then each file it extends)."""
        return list(self._files)

    @field_validator("name")
    @classmethod
    def _label(cls, value: str) -> str:
        return check_label(value, "a scenario name")

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
        """Quarterly steps of a run."""
        return QUARTERS_PER_YEAR * self.horizon_years

    def resolved(self) -> dict[str, Any]:
        """Everything the run uses, defaults filled in (recorded in every manifest)."""
        return self.model_dump(mode="json")


#: the two fields that fix the simulated years, validated on their own when the rest of the file is not
_Calendar = create_model("Calendar", __base__=Checked, start_year=(int, Scenario.model_fields["start_year"]),
                         horizon_years=(int, Scenario.model_fields["horizon_years"]))


def _calendar(scenario: Scenario | None, data: dict[str, Any]) -> tuple[int | None, int | None]:
    """The simulated years ``(first, end)``: the scenario's, or — when the top level is invalid — the
    file's own start_year and horizon_years if those two are valid (else ``(None, None)``)."""
    if scenario is not None:
        return scenario.start_year, scenario.start_year + scenario.horizon_years
    try:
        calendar = _Calendar.model_validate({k: data[k] for k in ("start_year", "horizon_years") if k in data})
    except ValidationError:
        return None, None
    return calendar.start_year, calendar.start_year + calendar.horizon_years


def scenario_problems(data: Any) -> tuple[Scenario | None, list[Problem]]:
    """Every problem of a scenario given as a mapping (parsed YAML) — the top level, each lever entry and
    its target, the portfolio's timing, names and budget — and the validated scenario if there is none."""
    if not isinstance(data, dict):
        return None, [Problem((), f"a scenario must be a mapping of keys to values, got {type(data).__name__}")]
    problems: list[Problem] = []
    try:
        scenario: Scenario | None = Scenario.model_validate(data)
    except ValidationError as exc:
        scenario = None
        problems.extend(validation_problems(exc, Scenario))
    first, end = _calendar(scenario, data)
    world = scenario.world if scenario is not None else _world(data)
    entries = scenario.levers if scenario is not None else data.get("levers")
    params = None
    if isinstance(entries, list):
        budget = scenario.budget_msek_per_year if scenario is not None else None
        params, lever_problems = check_entries(entries, first, end, budget, world)
        problems.extend(lever_problems)
    names = [i.name for i in scenario.innovations] if scenario is not None else _innovation_names(data)
    raw_events = scenario.events if scenario is not None else data.get("events")
    events, event_problems = check_events(raw_events, names, first, end)
    problems.extend(event_problems)
    problems.extend(_check_start_years(data, first, end))
    if world is not None:
        problems.extend(_check_event_operators(events, world))
    if scenario is not None and not problems:
        if params is not None:
            scenario.levers = params
        scenario.events = events
    return (scenario if not problems else None), problems


def _world(data: dict[str, Any]) -> World | None:
    """The file's world if it is valid on its own (operators are then checked), else None."""
    try:
        return World.model_validate(data.get("world") or {})
    except ValidationError:
        return None


def _innovation_names(data: dict[str, Any]) -> list[str] | None:
    entries = data.get("innovations")
    if not isinstance(entries, list):
        return None
    return [e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)]


def _check_start_years(data: dict[str, Any], first: int | None, end: int | None) -> list[Problem]:
    """An innovation's ``start_year`` must be one of the simulated years ``first`` .. ``end - 1`` (when
    those are known; the field's own type and range are the schema's)."""
    entries = data.get("innovations")
    if first is None or end is None or not isinstance(entries, list):
        return []
    problems = []
    for i, entry in enumerate(entries):
        year = entry.get("start_year") if isinstance(entry, dict) else None
        if isinstance(year, int) and not isinstance(year, bool) and not first <= year < end:
            problems.append(Problem(("innovations", i, "start_year"),
                                    f"{year} is outside the simulated years {first}-{end - 1}; give a year "
                                    f"between {first} and {end - 1}, or leave start_year out (available "
                                    "from the start)"))
    return problems


def _check_event_operators(events: list, world: World) -> list[Problem]:
    operators = world.operators()
    problems = []
    for i, event in enumerate(events):
        operator = getattr(event, "operator", None)
        if operator is not None and operator not in operators:
            problems.append(Problem(("events", i, "operator"), operator_problem(operator, world)))
    return problems


def parse_scenario(data: Any, source: str | Callable[[Problem], str] = "<scenario>", where: Where | None = None,
                   problems: list[Problem] | None = None) -> Scenario:
    """Validate a scenario given as a mapping (already parsed YAML): the schema, then every lever entry
    against its lever's parameters and the portfolio's timing, names and budget. Raises one InputError
    listing every problem (with the lines, when ``where`` maps them; ``problems`` found earlier, such as
    repeated keys, are reported with them)."""
    scenario, found = scenario_problems(data)
    found = list(problems or ()) + found
    if found or scenario is None:
        raise fail(source, found, where)
    return scenario


def read_yaml(path: str | Path) -> Any:
    """The parsed data of a YAML file (None if it is empty), read strictly by :func:`model.yamlio.read_yaml`
    (which also returns the lines); raises InputError for a missing, non-UTF-8 or invalid file and for a
    key given twice."""
    return read_yaml_with_lines(path)[0]


#: keys each scenario file states for itself: never inherited through ``extends``
OWN_KEYS = ("name", "description")


def _read(path: str | Path) -> Extended:
    """A scenario file read with the files it extends (see the module's docstring); a file that extends
    another and states no ``name`` is named after the file (``portfolio_x.yaml`` -> ``portfolio_x``)."""
    doc = load_extended(path, "extends", OWN_KEYS)
    if doc.data is None:
        raise InputError(f"{path}: the file is empty")
    if len(doc.chain) > 1 and "name" not in doc.data:
        try:
            doc.data["name"] = check_label(Path(path).stem, "a scenario name")
        except ValueError:
            pass  # the schema's default name
    return doc


def read_scenario_data(path: str | Path) -> dict[str, Any] | Any:
    """The mapping a scenario file stands for, with the files it extends merged in (no ``extends`` key
    left): what a tool that writes a changed copy of a scenario elsewhere should start from."""
    return _read(path).data


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (with the files it extends); an InputError lists every
    problem, ``FILE:LINE: field: problem``, naming for each value the file and line that wrote it."""
    doc = _read(path)
    scenario, found = scenario_problems(doc.data)
    found = list(doc.duplicates) + found
    if found or scenario is None:
        # the file's own problems first, then each file it extends in turn, each ordered by line
        by_file = {file: [p for p in found if doc.origins.source(p.loc) == file] for file in doc.chain}
        raise InputError("\n".join(render(file, problems, doc.origins) for file, problems in by_file.items()
                                   if problems), found)
    scenario._files = list(doc.chain)
    return scenario


_INDEX = re.compile(r"^\d+$")


def _item_index(node: list, part: str, where: str, source: str) -> int:
    """The index in the list ``node`` that ``part`` names: a number, or an item's name (lever: its type)."""
    if _INDEX.match(part):
        idx = int(part)
        if idx >= len(node):
            raise InputError(f"{source}: {where}: index {idx} out of range (list has {len(node)} items)")
        return idx
    labels = [item.get("name", item.get("type")) if isinstance(item, dict) else None for item in node]
    keys = [normalise(label) if isinstance(label, str) else None for label in labels]
    if normalise(part) not in keys:
        raise InputError(f"{source}: {where}: no item named '{part}'"
                         f"{suggest(part, [str(label) for label in labels if label])}; "
                         f"items: {', '.join(str(label) for label in labels)}")
    return keys.index(normalise(part))


def set_path(data: dict[str, Any], path: str, value: Any, source: str = "<override>") -> tuple[tuple, Any]:
    """Set ``value`` at a dotted ``path`` in a scenario mapping, in place; returns the location set (keys
    and list indices) and the value that was there before (None if none).

    List items are addressed by index (``innovations.0.complexity``) or by their ``name`` or lever
    ``type`` (``innovations.ai_casework.complexity``, ``levers.peer_review.reviews_per_year``; names are
    compared as :func:`model.names.normalise` does). Used by command-line overrides and by sensitivity
    experiments.
    """
    parts = path.split(".")
    node: Any = data
    loc: tuple = ()
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        where = ".".join(parts[: i + 1])
        if isinstance(node, list):
            key: Any = _item_index(node, part, where, source)
        elif isinstance(node, dict):
            key = part
            if not last:
                node.setdefault(part, {})
        else:
            raise InputError(f"{source}: {where}: cannot set a field inside a {type(node).__name__}")
        loc += (key,)
        if last:
            old = node[key] if isinstance(node, list) else node.get(key)
            node[key] = value
            return loc, old
        node = node[key]
    raise InputError(f"{source}: empty path")  # pragma: no cover - split always gives a part


def _dump(scenario: Scenario) -> dict[str, Any]:
    return copy.deepcopy(scenario.model_dump(mode="python", exclude_unset=False))


def with_overrides(scenario: Scenario, overrides: dict[str, Any], source: str = "<override>") -> Scenario:
    """A new, validated scenario with dotted-path values replaced (values as Python objects)."""
    data = _dump(scenario)
    for path, value in overrides.items():
        set_path(data, path, value, source)
    changed = parse_scenario(data, source)
    changed._files = scenario.files
    return changed


def with_set_arguments(scenario: Scenario, arguments: list[str], source: str) -> Scenario:
    """A new, validated scenario with ``--set PATH=VALUE`` arguments (as typed) applied; ``source`` is the
    scenario file.

    Each VALUE is read as YAML by the rules of scenario files (:func:`model.yamlio.parse_value`): a yes/no
    word is not a number, a date is not a year. In a text field (one whose current value is text:
    ``name``, ``description``, a lever's ``name``...) a value that YAML reads as something else — a mapping,
    because the text holds ``': '``, a number — is taken as the text typed. Every error is one line naming
    the ``--set`` argument (``--set parameters.p_external=[0.05: the value is not valid YAML (unclosed
    '['); quote text values``); an error the values cause elsewhere names the file.
    """
    data = _dump(scenario)
    where = SourceMap()
    applied: list[tuple[str, tuple]] = []
    for argument in arguments:
        path, sep, text = argument.partition("=")
        path = path.strip()
        if not sep or not path:
            raise InputError(f"--set {argument}: expected PATH=VALUE, e.g. --set parameters.p_external=0.05")
        try:
            value, value_where = parse_value(text)
        except ValueError as exc:
            raise InputError(f"--set {argument}: the value is not valid YAML ({exc}); quote text values") from None
        loc, old = set_path(data, path, value, source=f"--set {argument}")
        if isinstance(old, str) and not isinstance(value, str):
            set_path(data, path, text.strip(), source=f"--set {argument}")
        else:
            where.texts.update({loc + sub: raw for sub, raw in value_where.texts.items()})
        applied.append((argument, loc))
    scenario_, problems = scenario_problems(data)
    if not problems and scenario_ is not None:
        scenario_._files = scenario.files
        return scenario_

    def named(problem: Problem) -> str:
        for argument, loc in reversed(applied):
            n = min(len(loc), len(problem.loc))
            if loc[:n] == problem.loc[:n] and problem.loc:
                return f"--set {argument}"
        return f"{source} (with {' '.join('--set ' + a for a, _ in applied)})"

    raise InputError(render(named, problems, where), problems)
