"""Sensitivity experiments: the YAML file a researcher writes, validated before anything runs.

An experiment names what to vary (``factors``), what to run (a base ``scenario`` of the diffusion model,
or any Python function ``model: "module:function"``), how to sample (``method: sobol`` or ``morris``, the
sample size ``N``), how many ``replications`` to run at each sample point, and which ``outcomes`` to
analyse. See ``docs/sensitivity.md`` and ``experiments/*.yaml``.

Loading never guesses: an unknown key, a misspelt method, a factor path that is not in the scenario, bounds
with low >= high or beyond what the model allows, an outcome the runs do not report: each is an
:class:`~model.errors.InputError` naming the file, the field and what is allowed.
"""

from __future__ import annotations

import copy
import importlib
import math
import re
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..errors import InputError, suggest, validate_mapping
from ..parameters import BY_NAME, PARAMETERS
from ..scenario import Scenario, load_scenario, read_yaml, with_overrides

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
WILDCARD = "parameters.*"
DEFAULT_MAX_CONF = {"sobol": 0.1, "morris": 0.25}
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_\-]*$"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Factor(Strict):
    """One input to vary. A plain string in the YAML is short for ``{path: ...}``."""

    path: str = Field(min_length=1, description="dotted path in the scenario, or the function's argument name")
    name: str | None = Field(None, min_length=1, description="label in tables and plots (default: from path)")
    bounds: list[float] | None = Field(None, min_length=2, max_length=4)
    dist: Dist = "unif"
    group: str | None = Field(None, min_length=1)


class Outcome(Strict):
    """One outcome to analyse. A plain string in the YAML is short for ``{name: ...}``."""

    name: str = Field(min_length=1)
    fill_nan: float | None = Field(None, description="value used where a run reports NaN (e.g. never reached)")


class Experiment(Strict):
    """A sensitivity experiment (``experiments/*.yaml``)."""

    name: str | None = Field(None, pattern=_NAME)
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


@dataclass
class ResolvedFactor:
    """A factor with everything filled in: its bounds, distribution, group, and how values are set."""

    name: str
    path: str
    dist: str
    bounds: list[float]
    group: str | None
    integer: bool
    base: Any  # value in the base scenario (None if unknown, e.g. a lever default, or a function engine)
    entry: int  # index in the experiment's factors list (for messages)

    @property
    def support(self) -> tuple[float, float]:
        """The range sampled values can take."""
        if self.dist in ("unif", "logunif", "triang", "truncnorm"):
            return self.bounds[0], self.bounds[1]
        if self.dist == "lognorm":
            return 0.0, math.inf
        return -math.inf, math.inf

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "dist": self.dist, "bounds": self.bounds,
                "group": self.group, "integer": self.integer, "base": self.base}


@dataclass
class Plan:
    """A validated experiment, resolved against its base scenario or function."""

    experiment: Experiment
    given: dict[str, Any]
    source: str
    base_dir: Path
    name: str
    engine: Literal["scenario", "function"]
    factors: list[ResolvedFactor]
    seed: int
    scenario: Scenario | None = None
    scenario_file: str | None = None
    function: str | None = None
    sys_path: tuple[str, ...] = ()
    outcome_keys: list[str] = field(default_factory=list)  # what one quick run reports
    seconds_per_run: float = float("nan")

    @property
    def outcomes(self) -> list[Outcome]:
        return self.experiment.outcomes

    @property
    def replications(self) -> int:
        return self.experiment.replications

    @property
    def method(self) -> str:
        return self.experiment.method

    @property
    def max_conf(self) -> float:
        """Widest acceptable confidence half-width: Sobol' indices absolutely (default 0.1); Morris mu*
        relative to the largest mu* (default 0.25)."""
        if self.experiment.max_conf is not None:
            return self.experiment.max_conf
        return DEFAULT_MAX_CONF[self.method]

    @property
    def groups(self) -> list[str] | None:
        if all(f.group is None for f in self.factors):
            return None
        return [f.group or f.name for f in self.factors]

    @property
    def labels(self) -> list[str]:
        """What the indices are reported for: factor names, or group names (in order of appearance)."""
        groups = self.groups
        return list(dict.fromkeys(groups)) if groups else [f.name for f in self.factors]

    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        problem: dict[str, Any] = {
            "names": [f.name for f in self.factors],
            "bounds": [list(f.bounds) for f in self.factors],
            "dists": [f.dist for f in self.factors],
        }
        if self.groups:
            problem["groups"] = self.groups
        return problem

    def resolved(self) -> dict[str, Any]:
        """The experiment with every default filled in (recorded in the manifest)."""
        data = self.experiment.model_dump(mode="json")
        data["name"] = self.name
        data["seed"] = self.seed
        data["max_conf"] = self.max_conf
        data["factors"] = [f.as_dict() for f in self.factors]
        if self.scenario_file:
            data["scenario"] = self.scenario_file
        return data

    def definition(self) -> dict[str, Any]:
        """Everything that decides which runs are made and what they return (not how they are analysed).

        Two invocations with the same definition make identical runs, so a sweep can resume.
        """
        e = self.experiment
        base = None
        if self.scenario is not None:  # what the runs use (not the scenario's name, description, replications)
            base = {k: v for k, v in self.scenario.resolved().items()
                    if k not in ("name", "description", "replications")}
        return {
            "engine": self.engine,
            "base_scenario": base,
            "function": self.function,
            "constants": e.constants,
            "factors": [f.as_dict() for f in self.factors],
            "method": e.method,
            "sampler": e.sampler if e.method == "sobol" else None,
            "N": e.N,
            "second_order": e.second_order if e.method == "sobol" else None,
            "levels": e.levels if e.method == "morris" else None,
            "optimal_trajectories": e.optimal_trajectories if e.method == "morris" else None,
            "replications": e.replications,
            "seed": self.seed,
        }

    # --- samples ------------------------------------------------------------------------------------
    def sample(self) -> tuple[np.ndarray, list[str]]:
        """The sample matrix (points x factors) as SALib draws it, and any warnings SALib gave."""
        from SALib import ProblemSpec

        e = self.experiment
        spec = ProblemSpec(self.problem())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if e.method == "sobol" and e.sampler == "sobol":
                spec.sample_sobol(e.N, calc_second_order=e.second_order, seed=self.seed)
            elif e.method == "sobol":
                spec.sample_saltelli(e.N, calc_second_order=e.second_order)
            else:
                spec.sample_morris(e.N, num_levels=e.levels, optimal_trajectories=e.optimal_trajectories,
                                   seed=self.seed)
        notes = [_one_line(str(w.message)) for w in caught if not issubclass(w.category, DeprecationWarning)]
        if e.method == "sobol" and e.N & (e.N - 1):
            notes = [n for n in notes if "power of 2" not in n]
            notes.append(f"N={e.N} is not a power of two; Sobol' sequences are balanced (and the indices "
                         f"converge best) at powers of two, e.g. N={_next_power_of_two(e.N)}")
        return np.asarray(spec.samples, dtype=float), notes

    def model_inputs(self, X: np.ndarray) -> np.ndarray:
        """The values the runs get: integer factors rounded to whole numbers."""
        values = np.array(X, dtype=float, copy=True)
        for j, f in enumerate(self.factors):
            if f.integer:
                values[:, j] = np.round(values[:, j])
        return values

    def check_sampled(self, values: np.ndarray) -> None:
        """Raise an InputError if a distribution without hard bounds drew values the model does not allow."""
        for j, f in enumerate(self.factors):
            if f.dist not in ("norm", "lognorm") or self.engine != "scenario":
                continue
            low, high = float(values[:, j].min()), float(values[:, j].max())
            _check_range(self, f, low, high, sampled=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _next_power_of_two(n: float) -> int:
    return 1 << max(0, math.ceil(math.log2(max(n, 1))))


# --- loading -----------------------------------------------------------------------------------------------
def load_experiment(path: str | Path, probe: bool = True) -> Plan:
    """Read, validate and resolve an experiment YAML file.

    With ``probe`` (the default) one quick run checks that the outcomes exist and times a run.
    """
    data = read_yaml(path)
    if data is None:
        raise InputError(f"{path}: the file is empty")
    return parse_experiment(data, str(path), Path(path).resolve().parent, probe=probe)


def parse_experiment(data: Any, source: str = "<experiment>", base_dir: str | Path | None = None,
                     probe: bool = True) -> Plan:
    """Validate an experiment given as a mapping (already parsed YAML) and resolve it."""
    exp = validate_mapping(Experiment, data, source, "an experiment")
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    name = exp.name or _name_from(source)
    if exp.scenario is not None:
        scenario_path = _find_file(exp.scenario, base, source, "scenario")
        scenario = load_scenario(scenario_path)
        if exp.overrides:
            scenario = with_overrides(scenario, exp.overrides, source=f"{source}: overrides")
        plan = Plan(exp, copy.deepcopy(data), source, base, name, "scenario", [],
                    exp.seed if exp.seed is not None else scenario.seed,
                    scenario=scenario, scenario_file=str(scenario_path))
        plan.factors = _resolve_scenario_factors(plan)
    else:
        sys_path = _import_function(exp.model, source, base)
        plan = Plan(exp, copy.deepcopy(data), source, base, name, "function", [],
                    exp.seed if exp.seed is not None else 20261123, function=exp.model, sys_path=sys_path)
        plan.factors = _resolve_function_factors(plan)
    _check_factor_set(plan)
    if probe:
        probe_outcomes(plan)
    return plan


def _name_from(source: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_\-]", "_", Path(source).stem) or "experiment"
    return stem if re.match(_NAME, stem) else f"x{stem}"


def _find_file(given: str, base: Path, source: str, key: str) -> Path:
    candidates = [Path(given)] if Path(given).is_absolute() else [base / given, Path.cwd() / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    looked = " and ".join(str(c.parent) for c in dict.fromkeys(candidates))
    raise InputError(f"{source}: {key}: file '{given}' not found (looked in {looked})")


def _import_function(target: str, source: str, base: Path) -> tuple[str, ...]:
    """Check that ``module:function`` can be imported; return any folders added to ``sys.path`` for it."""
    module_name, func_name = target.split(":")
    extra: tuple[str, ...] = ()
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as first:
        # a module beside the experiment file, or in the current folder
        extra = tuple(dict.fromkeys(str(p) for p in (base, Path.cwd())))
        add_sys_path(extra)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            raise InputError(f"{source}: model: cannot import module '{module_name}' ({first}); it must be "
                             "installed, on PYTHONPATH, or a .py file beside the experiment") from None
    except Exception as exc:  # the user's module failed while importing
        raise InputError(f"{source}: model: importing '{module_name}' failed: {type(exc).__name__}: {exc}") from None
    func = getattr(module, func_name, None)
    if func is None:
        public = [n for n in dir(module) if not n.startswith("_") and callable(getattr(module, n))]
        raise InputError(f"{source}: model: module '{module_name}' has no function '{func_name}'"
                         f"{suggest(func_name, public)}")
    if not callable(func):
        raise InputError(f"{source}: model: '{target}' is not a function")
    return extra


def add_sys_path(folders: tuple[str, ...]) -> None:
    for folder in folders:
        if folder not in sys.path:
            sys.path.append(folder)


# --- factors -----------------------------------------------------------------------------------------------
def _default_name(path: str) -> str:
    return path[len("parameters."):] if path.startswith("parameters.") else path


def _resolve_scenario_factors(plan: Plan) -> list[ResolvedFactor]:
    exp, source = plan.experiment, plan.source
    data = plan.scenario.model_dump(mode="python")
    resolved: dict[str, ResolvedFactor] = {}  # by path; explicit entries replace wildcard ones
    explicit: set[str] = set()
    for i, f in enumerate(exp.factors):
        where = f"{source}: factors[{i}]"
        if f.path == WILDCARD:
            for key in ("bounds", "name"):
                if getattr(f, key) is not None:
                    raise InputError(f"{where}.{key}: '{WILDCARD}' takes every parameter with its own "
                                     f"range from model.parameters; give {key} on single factors instead")
            if f.dist != "unif":
                raise InputError(f"{where}.dist: '{WILDCARD}' samples each parameter uniformly over its range")
            for p in PARAMETERS:
                path = f"parameters.{p.name}"
                if path not in explicit:
                    resolved[path] = ResolvedFactor(p.name, path, "unif", [float(p.low), float(p.high)], f.group,
                                                    p.integer, data["parameters"][p.name], i)
            continue
        if "*" in f.path:
            raise InputError(f"{where}.path: '{f.path}': the only wildcard is '{WILDCARD}' (all model parameters)")
        if f.path in explicit:
            raise InputError(f"{where}.path: '{f.path}' is listed twice")
        base, integer, _ = _lookup(data, f.path, f"{where}.path", plan.scenario_file)
        factor = ResolvedFactor(f.name or _default_name(f.path), f.path, f.dist, [], f.group, integer, base, i)
        factor.bounds = _bounds(f, factor, where)
        _check_range(plan, factor, *factor.support)
        resolved[f.path] = factor
        explicit.add(f.path)
    return list(resolved.values())


def _lookup(data: dict[str, Any], path: str, where: str, scenario_file: str | None) -> tuple[Any, bool, bool]:
    """The base value at ``path`` in a scenario mapping, whether it is a whole number, and whether the path
    ends in a lever entry's field that the scenario leaves at its default (value unknown here)."""
    parts = path.split(".")
    node: Any = data
    in_lever = False
    scen = f" of scenario {scenario_file}" if scenario_file else ""
    for i, part in enumerate(parts):
        here = ".".join(parts[: i + 1])
        if isinstance(node, list):
            labels = [item.get("name", item.get("type")) if isinstance(item, dict) else None for item in node]
            if part.isdigit():
                idx = int(part)
                if idx >= len(node):
                    raise InputError(f"{where}: '{path}': {here}: index {idx} out of range (the list has "
                                     f"{len(node)} items)")
            elif part in labels:
                idx = labels.index(part)
            else:
                items = ", ".join(str(l) for l in labels) or "(the list is empty)"
                raise InputError(f"{where}: '{path}' does not exist{scen}: no item '{part}' in "
                                 f"{'.'.join(parts[:i]) or 'the list'}{suggest(part, [l for l in labels if l])}; "
                                 f"items: {items}")
            in_lever = parts[0] == "levers"
            node = node[idx]
        elif isinstance(node, dict):
            if part not in node:
                if in_lever and i == len(parts) - 1:
                    return None, False, True  # a lever field left at its default: the lever validates it
                keys = sorted(node)
                raise InputError(f"{where}: '{path}' does not exist{scen}: no '{part}' in "
                                 f"{'.'.join(parts[:i]) or 'the scenario'}{suggest(part, keys)}; "
                                 f"keys there: {', '.join(keys)}")
            node = node[part]
        else:
            raise InputError(f"{where}: '{path}': {'.'.join(parts[:i])} is a single value, it has no '{part}'")
    if isinstance(node, bool):
        raise InputError(f"{where}: '{path}' is a yes/no switch ({node}); only numbers can be factors")
    if isinstance(node, (dict, list)):
        what = f"fields: {', '.join(sorted(node))}" if isinstance(node, dict) else f"{len(node)} items"
        raise InputError(f"{where}: '{path}' is a section ({what}), not a number; name one of its numbers")
    if not isinstance(node, (int, float)) and node is not None:
        raise InputError(f"{where}: '{path}' is {type(node).__name__} ({node!r}), not a number")
    if path.startswith("parameters.") and len(parts) == 2:
        return node, BY_NAME[parts[1]].integer, False
    return node, isinstance(node, int), False


def _bounds(f: Factor, factor: ResolvedFactor, where: str) -> list[float]:
    parameter = BY_NAME.get(f.path.split(".", 1)[1]) if f.path.startswith("parameters.") else None
    names = DIST_BOUNDS[f.dist]
    if f.bounds is None:
        if parameter is not None and f.dist == "unif":
            return [float(parameter.low), float(parameter.high)]
        need = f"bounds: [{', '.join(names)}]"
        why = ("only 'parameters.X' factors sampled uniformly take their range from model.parameters"
               if parameter is None else f"dist '{f.dist}' needs its own numbers")
        raise InputError(f"{where}.bounds: required for '{f.path}' ({why}); give {need}")
    return check_bounds(f.bounds, f.dist, where)


def check_bounds(bounds: list[float], dist: str, where: str) -> list[float]:
    names = DIST_BOUNDS[dist]
    shown = f"[{', '.join(f'{b:g}' for b in bounds)}]"
    if len(bounds) != len(names):
        raise InputError(f"{where}.bounds: {shown}: dist '{dist}' takes {len(names)} numbers: "
                         f"[{', '.join(names)}]")
    if any(not math.isfinite(b) for b in bounds):
        raise InputError(f"{where}.bounds: {shown}: every number must be finite")
    if dist in ("unif", "logunif", "triang", "truncnorm") and bounds[0] >= bounds[1]:
        raise InputError(f"{where}.bounds: {shown}: low ({bounds[0]:g}) must be below high ({bounds[1]:g})")
    if dist == "logunif" and bounds[0] <= 0:
        raise InputError(f"{where}.bounds: {shown}: dist 'logunif' needs low > 0")
    if dist == "triang" and not 0.0 <= bounds[2] < 1.0:
        raise InputError(f"{where}.bounds: {shown}: the peak of 'triang' is a share of the width, "
                         "0 <= peak < 1")
    if dist in ("norm", "lognorm", "truncnorm") and bounds[-1] <= 0:
        raise InputError(f"{where}.bounds: {shown}: the standard deviation must be above 0")
    return [float(b) for b in bounds]


def _check_range(plan: Plan, f: ResolvedFactor, low: float, high: float, sampled: bool = False) -> None:
    """Raise an InputError if values in [low, high] are not allowed at the factor's path in the scenario."""
    where = f"{plan.source}: factors[{f.entry}]"
    what = "sampled values" if sampled else "bounds"
    span = f"{low:g} to {high:g}"
    hint = (" (a 'norm' or 'lognorm' distribution is unbounded: use 'truncnorm' [low, high, mean, sd] to keep "
            "inside the allowed range)") if f.dist in ("norm", "lognorm") else ""
    if not (math.isfinite(low) and math.isfinite(high)):
        return  # an unbounded distribution: its sample is checked once drawn (Plan.check_sampled)
    parameter = BY_NAME.get(f.path.split(".", 1)[1]) if f.path.startswith("parameters.") else None
    if parameter is not None:
        if low < parameter.low or high > parameter.high:
            raise InputError(f"{where}.bounds: the {what} of '{f.path}' go from {span}, beyond what the model "
                             f"allows ({parameter.low:g} to {parameter.high:g} {parameter.unit}){hint}")
        return
    probes = [low, high]
    if not sampled:
        probes.append(low + (high - low) * 0.37)  # a value that is not a whole number
    for value in probes:
        if f.integer:
            value = float(round(value))
        try:
            with_overrides(plan.scenario, {f.path: value}, source="")
        except InputError as exc:
            message = _strip_source(str(exc))
            if not f.integer and value != round(value) and "integer" in message.lower():
                f.integer = True  # a whole-number field (e.g. a lever's count): values are rounded
                continue
            raise InputError(f"{where}.bounds: the {what} of '{f.path}' go from {span}, but the scenario does "
                             f"not allow {value:g}: {message}{hint}") from None


def _strip_source(message: str) -> str:
    return "; ".join(line.removeprefix(": ").strip() for line in message.splitlines())


def _resolve_function_factors(plan: Plan) -> list[ResolvedFactor]:
    out: list[ResolvedFactor] = []
    seen: set[str] = set()
    for i, f in enumerate(plan.experiment.factors):
        where = f"{plan.source}: factors[{i}]"
        if not _IDENT.match(f.path):
            raise InputError(f"{where}.path: '{f.path}': with 'model' a factor's path is the name of the "
                             "argument the function reads from params (letters, digits, _)")
        if f.path in seen:
            raise InputError(f"{where}.path: '{f.path}' is listed twice")
        if f.path in plan.experiment.constants:
            raise InputError(f"{where}.path: '{f.path}' is also a constant; a value is either varied or fixed")
        seen.add(f.path)
        if f.bounds is None:
            raise InputError(f"{where}.bounds: required with 'model' (give [{', '.join(DIST_BOUNDS[f.dist])}])")
        out.append(ResolvedFactor(f.name or f.path, f.path, f.dist, check_bounds(f.bounds, f.dist, where),
                                  f.group, False, None, i))
    return out


def _check_factor_set(plan: Plan) -> None:
    names = [f.name for f in plan.factors]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"{plan.source}: factors: names must be unique; repeated: {', '.join(dupes)} "
                         "(give the factors distinct 'name's)")
    if len(plan.labels) < 2:
        what = "groups" if plan.groups else "factors"
        raise InputError(f"{plan.source}: factors: at least two {what} are needed to apportion the variance "
                         f"(got {len(plan.labels)})")


# --- outcomes ----------------------------------------------------------------------------------------------
def probe_outcomes(plan: Plan) -> None:
    """Run the model at the middle of the factors' ranges to learn which outcomes it reports and how long a
    run takes; check the experiment's outcomes against them."""
    from .engines import probe

    keys, seconds = probe(plan)
    plan.outcome_keys, plan.seconds_per_run = keys, seconds
    unknown = []
    for i, outcome in enumerate(plan.outcomes):
        if outcome.name not in keys:
            unknown.append(f"{plan.source}: outcomes[{i}]: unknown outcome '{outcome.name}'"
                           f"{suggest(outcome.name, keys)}; allowed: {', '.join(keys)}")
    if unknown:
        raise InputError("\n".join(unknown))
    names = [o.name for o in plan.outcomes]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"{plan.source}: outcomes: listed twice: {', '.join(dupes)}")


def middle(f: ResolvedFactor) -> float:
    """A typical value of a factor (used for the probe run of a function)."""
    b = f.bounds
    if f.dist in ("unif", "triang", "truncnorm"):
        return (b[0] + b[1]) / 2
    if f.dist == "logunif":
        return math.sqrt(b[0] * b[1])
    if f.dist == "lognorm":
        return math.exp(b[0])
    return b[0]
