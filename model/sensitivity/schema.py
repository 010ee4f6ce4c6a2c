"""The experiment file a researcher writes (``experiments/*.yaml``), as a pydantic schema.

This is the lowest layer of :mod:`model.sensitivity`: it knows the keys of an experiment, their types and
defaults, and the checks that need nothing but the file itself. Resolving factors against a scenario or a
function is :mod:`.plan`'s job. Every error is an :class:`~model.errors.InputError` naming the file, the
field and what is allowed.

Names a user chooses become column and file names, so some are reserved here, once:
:data:`ID_COLUMNS` (the run files' own columns, also ``point`` in ``samples.parquet``) and the files each
analysed outcome writes (:func:`outcome_files`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..errors import InputError, validate_mapping
from ..strict import Strict

Dist = Literal["unif", "triang", "norm", "lognorm", "truncnorm", "logunif"]

#: the numbers each distribution's ``bounds`` holds (SALib's conventions)
DIST_BOUNDS = {
    "unif": ("low", "high"),
    "logunif": ("low", "high"),
    "triang": ("low", "high", "peak (0-1, as a share of the width)"),
    "norm": ("mean", "standard deviation"),
    "lognorm": ("mean of ln(x)", "standard deviation of ln(x)"),
    "truncnorm": ("low", "high", "mean", "standard deviation"),
}
#: the columns every run file has besides the model's outputs (``samples.parquet`` has ``point``)
ID_COLUMNS = ("run", "point", "replication")
WILDCARD = "parameters.*"
DEFAULT_MAX_CONF = {"sobol": 0.1, "morris": 0.25}
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"


def reserved_message(name: str) -> str | None:
    """Why ``name`` cannot label a factor or an outcome (it is a column of the run files), or None."""
    if name in ID_COLUMNS:
        return (f"'{name}' is reserved: the run files use it for their own column ({', '.join(ID_COLUMNS)}); "
                "choose another name")
    return None


def not_reserved(name: str) -> str:
    """``name`` unchanged if it may label a factor or an outcome; ValueError (for pydantic) if reserved."""
    problem = reserved_message(name)
    if problem:
        raise ValueError(problem)
    return name


#: a name a user gives a factor or an outcome
Label = Annotated[str, AfterValidator(not_reserved)]


def file_stem(outcome: str) -> str:
    """The file name (without extension) of an outcome's results: characters other than letters, digits,
    ``_ . -`` become ``_`` (``final_adoption.ai_casework`` stays as it is)."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", outcome)


def outcome_files(outcome: str, second_order: bool = False) -> list[str]:
    """The files (relative to the results folder) that analysing ``outcome`` may write:
    ``indices/<stem>.csv``, ``indices/<stem>_S2.csv`` (with ``second_order``) and ``plots/<stem>.png``."""
    stem = file_stem(outcome)
    files = [f"indices/{stem}.csv", f"plots/{stem}.png"]
    if second_order:
        files.append(f"indices/{stem}_S2.csv")
    return files


class Factor(Strict):
    """One input to vary. A plain string in the YAML is short for ``{path: ...}``."""

    path: str = Field(min_length=1, description="dotted path in the scenario, or the function's argument name")
    name: Label | None = Field(None, min_length=1, description="label in tables and plots (default: from path)")
    bounds: list[float] | None = Field(None, min_length=2, max_length=4)
    dist: Dist = "unif"
    group: str | None = Field(None, min_length=1)



class Outcome(Strict):
    """One outcome to analyse. A plain string in the YAML is short for ``{name: ...}``."""

    name: Label = Field(min_length=1)
    fill_nan: float | None = Field(None, description="value used where a run reports NaN (e.g. never reached)")
    fill_inf: float | None = Field(None, description="value used where a run reports +/-infinity")


    @field_validator("fill_nan", "fill_inf")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


class Experiment(Strict):
    """A sensitivity experiment (``experiments/*.yaml``); see ``docs/sensitivity.md`` for every key."""

    name: str | None = Field(None, pattern=NAME_PATTERN)
    description: str = ""
    scenario: str | None = None
    model: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$")
    overrides: dict[str, Any] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)
    factors: list[Factor] = Field(min_length=1)
    method: Literal["sobol", "morris"]
    sampler: Literal["sobol", "saltelli"] = "sobol"
    N: int = Field(ge=2, le=10_000_000)
    second_order: bool = False
    levels: int = Field(4, ge=2, le=100)
    optimal_trajectories: int | None = Field(None, ge=2, le=10_000)
    replications: int = Field(1, ge=1, le=100_000)
    seed: int | None = Field(None, ge=0, lt=2**63)
    outcomes: list[Outcome] = Field(min_length=1)
    confidence_level: float = Field(0.95, gt=0.0, lt=1.0)
    resamples: int = Field(100, ge=10, le=100_000)
    max_conf: float | None = Field(None, gt=0.0, le=10.0)
    chunk_size: int | None = Field(None, ge=1, le=1_000_000)

    @field_validator("factors", mode="before")
    @classmethod
    def _factor_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"path": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("outcomes", mode="before")
    @classmethod
    def _outcome_strings(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Experiment":
        if (self.scenario is None) == (self.model is None):
            raise ValueError(
                "give either 'scenario' (a base scenario YAML of the diffusion model) or 'model' "
                "(a Python function 'module:function' taking (params, seed)), not both and not neither"
            )
        given = self.model_fields_set
        only = {"sampler": "sobol", "second_order": "sobol", "levels": "morris", "optimal_trajectories": "morris"}
        for key, method in only.items():
            if key in given and self.method != method:
                raise ValueError(f"'{key}' applies to method '{method}' only (this experiment uses '{self.method}')")
        if self.model and self.overrides:
            raise ValueError("'overrides' change a scenario; with 'model' use 'constants' for fixed arguments")
        if self.scenario and self.constants:
            raise ValueError("'constants' are fixed arguments of a 'model' function; with 'scenario' use 'overrides'")
        if self.optimal_trajectories is not None and self.optimal_trajectories >= self.N:
            raise ValueError(f"optimal_trajectories ({self.optimal_trajectories}) must be below N ({self.N}), "
                             "the pool of trajectories it chooses from")
        return self


def check_outcome_names(exp: Experiment, source: str) -> None:
    """Raise an InputError if an outcome is listed twice, or two outcomes would write the same file
    (``a b`` and ``a_b`` both become ``a_b.csv``; ``y_S2`` is ``y``'s second-order file; file systems that
    ignore case see ``Y`` and ``y`` as one)."""
    names = [o.name for o in exp.outcomes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"{source}: outcomes: listed twice: {', '.join(dupes)}")
    second = exp.method == "sobol" and exp.second_order
    owner: dict[str, tuple[int, str]] = {}
    for i, name in enumerate(names):
        for file in outcome_files(name, second):
            key = file.casefold()
            if key in owner:
                j, other = owner[key]
                raise InputError(f"{source}: outcomes[{i}]: '{name}' would write {file}, which outcomes[{j}] "
                                 f"'{other}' writes too; analyse them in separate experiments (results "
                                 "folders)")
            owner[key] = (i, name)


def parse_experiment_schema(data: Any, source: str) -> Experiment:
    """``data`` (parsed YAML) validated as an :class:`Experiment`; raises InputError naming ``source``."""
    if data is None:
        raise InputError(f"{source}: the file is empty")
    exp = validate_mapping(Experiment, data, source, "an experiment")
    check_outcome_names(exp, source)
    return exp


def read_experiment(path: str | Path) -> tuple[Experiment, Any]:
    """Read and validate an experiment YAML file: the schema object and the raw mapping as given.

    Raises InputError for a missing, unreadable, empty or invalid file (``FILE: field: problem``)."""
    from ..scenario import read_yaml

    data = read_yaml(path)
    return parse_experiment_schema(data, str(path)), data
