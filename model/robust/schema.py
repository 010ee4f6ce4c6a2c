"""The robustness experiment file (``experiments/robust_*.yaml``) as a pydantic schema, read with lines.

This is the lowest layer of :mod:`model.robust`: it knows the keys of an experiment, their types and
defaults, and the checks that need nothing but the file itself. Factors are written exactly as in a
sensitivity experiment (:class:`model.sensitivity.schema.Factor`: ``path``, ``bounds``, ``dist``,
``name``). Every error is an :class:`~model.errors.InputError` with one line per problem,
``FILE:LINE: field: problem; what is allowed`` (:func:`model.errors.render`), because the file is read
by the one strict YAML reader (:func:`model.yamlio.read_yaml`), which knows the line of every key.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from ..errors import InputError, Problem, fail, validate_mapping
from ..strict import Strict
from ..yamlio import SourceMap, read_yaml
from ..sensitivity.schema import NAME_PATTERN, Factor

#: columns of the run files and of ``worlds.parquet`` besides the model's outputs and the factors
ID_COLUMNS = ("run", "world", "portfolio", "replication", "weight")
#: the derived outcome: a portfolio's spend per extra adoption against the baseline, in each world
COST = "cost_per_extra_adoption_msek"
#: what the regret is computed for unless the experiment says otherwise (diffusion, equality, cost)
DEFAULT_REGRET = ("final_adoption", "gap_small_large", COST)
#: what the budget search optimises unless told otherwise
DEFAULT_OBJECTIVES = ({"name": "final_adoption", "better": "higher"},
                      {"name": "gap_small_large", "better": "lower"},
                      {"name": "spend_msek", "better": "lower"})
Better = Literal["higher", "lower"]
_FUNCTION = r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$"


class Finite(Strict):
    """:class:`~model.strict.Strict`, and a NaN or infinite number is refused in every numeric field
    (``.nan``, ``.inf`` in YAML), whatever its bounds."""

    model_config = ConfigDict(**Strict.model_config, allow_inf_nan=False)


class Portfolio(Finite):
    """One portfolio: a scenario file (a plain string is short for ``{scenario: FILE}``), or with
    ``model:`` a label and the function's arguments that make this portfolio (``constants``)."""

    scenario: str | None = Field(None, min_length=1, description="scenario file of the portfolio")
    name: str | None = Field(None, min_length=1, description="label (default: the scenario's name)")
    constants: dict[str, Any] | None = Field(None, description="with model: this portfolio's arguments")


class Worlds(Finite):
    """How the plausible worlds are drawn: ``n`` points of a Latin hypercube (``lhs``) or of a scrambled
    Sobol' sequence (``sobol``) over the factors, or parameter sets of a calibration ``posterior``."""

    sampler: Literal["lhs", "sobol", "posterior"] = "lhs"
    n: int | None = Field(None, ge=1, le=1_000_000, description="worlds (posterior: draws by weight)")
    posterior: str | None = Field(None, min_length=1, description="Parquet file: a column per path + weight")

    @model_validator(mode="after")
    def _consistent(self) -> "Worlds":
        if self.sampler == "posterior" and self.posterior is None:
            raise ValueError("sampler 'posterior' needs 'posterior': a Parquet file with one column per "
                             "parameter path and a 'weight' column")
        if self.sampler != "posterior" and self.posterior is not None:
            raise ValueError(f"'posterior' is read with sampler: posterior (this file says '{self.sampler}')")
        if self.sampler != "posterior" and self.n is None:
            raise ValueError(f"sampler '{self.sampler}' needs 'n', the number of worlds (e.g. 64)")
        return self


class Threshold(Finite):
    """What an outcome must meet (in its own units: shares as 0-1): at least ``min``, at most ``max``."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one(self) -> "Threshold":
        if self.min is None and self.max is None:
            raise ValueError("give 'min', 'max' or both")
        for value in (self.min, self.max):
            if value is not None and not math.isfinite(value):
                raise ValueError("thresholds must be finite numbers")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is above max ({self.max:g}): no value can meet both")
        return self

    def met(self, value: Any) -> Any:
        """Whether ``value`` (a number or an array) meets the threshold; NaN never does."""
        ok = value == value  # False for NaN
        if self.min is not None:
            ok = ok & (value >= self.min)
        if self.max is not None:
            ok = ok & (value <= self.max)
        return ok

    def text(self) -> str:
        """``>= 0.3``, ``<= 0.1`` or ``0.2 to 0.4``."""
        if self.min is not None and self.max is not None:
            return f"{self.min:g} to {self.max:g}"
        return f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"


class Criterion(Finite):
    """An outcome judged by its better direction (from the outcome catalogue unless given); a plain
    string is short for ``{name: ...}``."""

    name: str = Field(min_length=1)
    better: Better | None = None


class Discovery(Finite):
    """Scenario discovery for one portfolio: PRIM boxes of the worlds where it fails ``fails`` (default:
    the experiment's ``thresholds``)."""

    portfolio: str = Field(min_length=1)
    fails: dict[str, Threshold] | None = None
    peel_alpha: float = Field(0.05, gt=0.0, lt=0.5)
    paste_alpha: float = Field(0.05, gt=0.0, lt=0.5)
    mass_min: float = Field(0.05, gt=0.0, lt=1.0)
    density_min: float = Field(0.8, gt=0.0, le=1.0, description="the box shown: densest enough, widest")


class SearchLever(Finite):
    """A lever the budget search may fund (a plain string is short for ``{type: ...}``): its ``targets``
    (each a lever ``target:`` block, or for a ``model:`` function a word) are the targeting choices."""

    type: str = Field(min_length=1)
    targets: list[Any] = Field(default_factory=list)
    max_msek_per_year: float | None = Field(None, gt=0.0)


class Search(Finite):
    """The budget search: allocations of at most ``budget_msek_per_year`` over ``levers`` (and their
    targeting choices) searched with Optuna's NSGA-II for the Pareto front of the ``objectives``."""

    budget_msek_per_year: float = Field(gt=0.0, le=100_000.0)
    levers: list[SearchLever] = Field(min_length=1)
    step_msek: float = Field(1.0, gt=0.0)
    start_year: int | None = Field(None, ge=2000, le=2100)
    duration_years: int | None = Field(None, ge=1, le=50)
    trials: int = Field(200, ge=2, le=100_000)
    population: int = Field(20, ge=2, le=10_000)
    objectives: list[Criterion] = Field(default_factory=lambda: [Criterion(**o) for o in DEFAULT_OBJECTIVES],
                                        min_length=1)
    worlds: int | None = Field(None, ge=1, description="evaluate each allocation over the first N worlds")

    @field_validator("levers", mode="before")
    @classmethod
    def _lever_strings(cls, value: Any) -> Any:
        return [{"type": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @field_validator("objectives", mode="before")
    @classmethod
    def _objective_strings(cls, value: Any) -> Any:
        return [{"name": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _consistent(self) -> "Search":
        types = [lever.type for lever in self.levers]
        dupes = sorted({t for t in types if types.count(t) > 1})
        if dupes:
            raise ValueError(f"levers: listed twice: {', '.join(dupes)}")
        if self.step_msek > self.budget_msek_per_year:
            raise ValueError(f"step_msek ({self.step_msek:g}) is above the budget ({self.budget_msek_per_year:g})")
        return self


class RobustExperiment(Finite):
    """A robustness experiment; see ``docs/robustness.md`` for every key."""

    name: str | None = Field(None, pattern=NAME_PATTERN)
    description: str = ""
    model: str | None = Field(None, pattern=_FUNCTION, description="a Python function instead of the model")
    baseline: Portfolio | None = None
    portfolios: list[Portfolio] = Field(default_factory=list)
    overrides: dict[str, Any] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    allow_different: list[str] = Field(default_factory=list)
    factors: list[Factor] = Field(default_factory=list)
    worlds: Worlds | None = None
    lever_effects: bool | None = Field(None, description="vary the levers' effect parameters over their "
                                       "documented ranges (model/levers/anchors.py) in every world; default: "
                                       "yes with the shipped posterior, no when 'worlds' are given")
    replications: int = Field(4, ge=1, le=100_000)
    seed: int | None = Field(None, ge=0, lt=2**63)
    outcomes: list[str] | None = None
    regret: list[Criterion] | None = None
    thresholds: dict[str, Threshold] = Field(default_factory=dict)
    discovery: Discovery | None = None
    search: Search | None = None
    confidence_level: float = Field(0.95, gt=0.0, lt=1.0)
    resamples: int = Field(1000, ge=10, le=1_000_000)
    chunk_size: int | None = Field(None, ge=1, le=1_000_000)

    @field_validator("baseline", mode="before")
    @classmethod
    def _baseline_string(cls, value: Any) -> Any:
        return {"scenario": value} if isinstance(value, str) else value

    @field_validator("portfolios", mode="before")
    @classmethod
    def _portfolio_strings(cls, value: Any) -> Any:
        return [{"scenario": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @field_validator("factors", mode="before")
    @classmethod
    def _factor_strings(cls, value: Any) -> Any:
        return [{"path": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @field_validator("regret", mode="before")
    @classmethod
    def _criterion_strings(cls, value: Any) -> Any:
        return [{"name": v} if isinstance(v, str) else v for v in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _consistent(self) -> "RobustExperiment":
        if not self.portfolios and self.search is None:
            raise ValueError("give 'portfolios' (to compare across worlds), 'search' (a budget search), or both")
        if self.search is not None and self.baseline is None:
            raise ValueError("'search' adds its allocations to the 'baseline' (a scenario file, or with "
                             "'model' the function's arguments); give 'baseline'")
        if self.factors and self.worlds is None:
            raise ValueError("'factors' are sampled into worlds: give 'worlds' (e.g. {sampler: lhs, n: 64})")
        if self.worlds is not None and self.worlds.sampler != "posterior" and not self.factors:
            raise ValueError(f"sampler '{self.worlds.sampler}' samples the 'factors': list at least one")
        if self.model and self.lever_effects:
            raise ValueError("'lever_effects' vary the levers of scenario portfolios; a 'model' function has none")
        if self.model and self.overrides:
            raise ValueError("'overrides' change scenarios; with 'model' use 'constants' for fixed arguments")
        if not self.model and self.constants:
            raise ValueError("'constants' are fixed arguments of a 'model' function; with scenarios use "
                             "'overrides'")
        if self.discovery is not None and not (self.discovery.fails or self.thresholds):
            raise ValueError("'discovery' looks for the worlds where a portfolio fails a threshold: give "
                             "'thresholds' (or discovery.fails)")
        return self


def check_entries(exp: RobustExperiment, source: str, where: SourceMap | None) -> None:
    """Raise one InputError for every portfolio entry that does not fit the engine (a scenario file
    without ``model``; a name and ``constants`` with it), every repeated label, and every factor or
    outcome named like a column of the run files (:data:`ID_COLUMNS`)."""
    problems = []
    entries: list[tuple[tuple, Portfolio]] = [(("baseline",), exp.baseline)] if exp.baseline else []
    entries += [(("portfolios", i), p) for i, p in enumerate(exp.portfolios)]
    for loc, p in entries:
        if exp.model:
            if p.scenario is not None:
                problems.append(Problem(loc + ("scenario",), "with 'model' a portfolio is {name, constants}, "
                                        "not a scenario file"))
            elif p.name is None:
                problems.append(Problem(loc, "with 'model' a portfolio needs a 'name' (and its 'constants')"))
        else:
            if p.scenario is None:
                problems.append(Problem(loc, "a portfolio is a scenario file: give 'scenario' (or write the "
                                        "file name alone)"))
            if p.constants is not None:
                problems.append(Problem(loc + ("constants",), "'constants' are arguments of a 'model' "
                                        "function; a scenario portfolio's levers are in its file"))
        if p.name is not None and p.name in ID_COLUMNS:
            problems.append(Problem(loc + ("name",), f"'{p.name}' is reserved (a column of the run files: "
                                    f"{', '.join(ID_COLUMNS)}); choose another name"))
    for i, f in enumerate(exp.factors):
        if f.name in ID_COLUMNS:
            problems.append(Problem(("factors", i, "name"), f"'{f.name}' is reserved (a column of the run "
                                    f"files: {', '.join(ID_COLUMNS)}); choose another name"))
    for i, o in enumerate(exp.outcomes or []):
        if o in ID_COLUMNS:
            problems.append(Problem(("outcomes", i), f"'{o}' is reserved (a column of the run files: "
                                    f"{', '.join(ID_COLUMNS)})"))
    if problems:
        raise fail(source, problems, where)


def parse_schema(data: Any, source: str, where: SourceMap | None = None) -> RobustExperiment:
    """``data`` (parsed YAML) validated as a :class:`RobustExperiment`; one InputError naming ``source``
    and the line of every problem (with ``where``)."""
    if data is None:
        raise InputError(f"{source}: the file is empty")
    exp = validate_mapping(RobustExperiment, data, source, "a robustness experiment", where)
    check_entries(exp, source, where)
    return exp


def read_experiment(path: str | Path) -> tuple[RobustExperiment, Any, SourceMap]:
    """Read and validate an experiment YAML file: the schema object, the mapping as given and the lines.
    Raises InputError for a missing, unreadable, empty, invalid or repeated-key file."""
    data, where = read_yaml(path)
    return parse_schema(data, str(path), where), data, where


_LOC = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_loc(text: str) -> tuple:
    """``factors[0].bounds`` -> ``("factors", 0, "bounds")`` (the inverse of :func:`model.errors.format_loc`)."""
    return tuple(int(index) if index else key for key, index in _LOC.findall(text))


def with_lines(message: str, source: str, where: SourceMap | None) -> str:
    """``message`` (lines ``SOURCE: field: problem``, as the sensitivity package's factor checks write
    them) with the line of each field inserted: ``SOURCE:LINE: field: problem``."""
    if where is None:
        return message
    out = []
    head = f"{source}: "
    for line in message.splitlines():
        if line.startswith(head):
            field, sep, rest = line[len(head):].partition(": ")
            loc = parse_loc(field.split(" ")[0]) if sep else ()
            number = where.line(loc) if loc else None
            if number:
                line = f"{source}:{number}: {field}: {rest}"
        out.append(line)
    return "\n".join(out)


def problem_at(source: str, where: SourceMap | None, loc: tuple, text: str) -> InputError:
    """One InputError ``SOURCE:LINE: field: text`` for the field at ``loc``."""
    return fail(source, [Problem(loc, text)], where)

