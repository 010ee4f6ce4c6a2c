"""Factors resolved: each input to vary with its path, label, distribution, bounds and base value.

A factor of an experiment names a dotted ``path`` in the base scenario (or an argument of a ``model:``
function) and, optionally, its distribution and ``bounds``. Resolving it checks that the path exists and
holds a number, fills the bounds of ``parameters.X`` from ``model.parameters``, expands ``parameters.*``,
and checks that every value the sampler can draw is one the model allows. Every error is an
:class:`~model.errors.InputError` naming ``FILE: factors[i].field``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError, suggest
from ..parameters import BY_NAME, PARAMETERS
from ..scenario import Scenario, with_overrides
from .schema import DIST_BOUNDS, WILDCARD, Experiment, Factor, reserved_message

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: what to use instead of a distribution without bounds, where the method samples the ends of its range
BOUNDED_INSTEAD = {
    "norm": "'truncnorm' [low, high, mean, sd] (or 'unif' [low, high])",
    "lognorm": "'truncnorm' [low, high, mean, sd] or 'logunif' [low, high] (or 'unif')",
}


@dataclass
class ResolvedFactor:
    """A factor with everything filled in: its bounds, distribution, group, and how values are set.

    ``name`` is the label in tables, plots and ``samples.parquet``; ``path`` is where the value goes (a
    dotted scenario path, or the key of ``params`` a function reads); ``entry`` is the index in the
    experiment's ``factors`` list (for messages); ``base`` the value in the base scenario (None if unknown,
    e.g. a lever field left at its default, or a function's argument).
    """

    name: str
    path: str
    dist: str
    bounds: list[float]
    group: str | None
    integer: bool
    base: Any
    entry: int

    @property
    def support(self) -> tuple[float, float]:
        """The range sampled values can take: ``(low, high)``, infinite for ``norm`` and ``lognorm``."""
        if self.dist in ("unif", "logunif", "triang", "truncnorm"):
            return self.bounds[0], self.bounds[1]
        if self.dist == "lognorm":
            return 0.0, math.inf
        return -math.inf, math.inf

    def as_dict(self) -> dict[str, Any]:
        """The factor as JSON-ready values (recorded in the manifest and the sweep's fingerprint)."""
        return {"name": self.name, "path": self.path, "dist": self.dist, "bounds": self.bounds,
                "group": self.group, "integer": self.integer, "base": self.base}


def middle(f: ResolvedFactor) -> float:
    """A typical value of a factor (where the trial run is made): the middle of a bounded range, the
    geometric middle of ``logunif``, the median of ``norm`` and ``lognorm``."""
    b = f.bounds
    if f.dist in ("unif", "triang", "truncnorm"):
        return (b[0] + b[1]) / 2
    if f.dist == "logunif":
        return math.sqrt(b[0] * b[1])
    if f.dist == "lognorm":
        return math.exp(b[0])
    return b[0]


def default_name(path: str) -> str:
    """The label of a factor without ``name``: the parameter's name for ``parameters.X``, else the path."""
    return path[len("parameters."):] if path.startswith("parameters.") else path


# --- scenario factors ---------------------------------------------------------------------------------------
def resolve_scenario_factors(exp: Experiment, source: str, scenario: Scenario,
                             scenario_file: str | None) -> list[ResolvedFactor]:
    """The experiment's factors resolved against the base ``scenario`` (``parameters.*`` expanded; an
    explicit entry replaces the wildcard's entry for the same path). Raises InputError for a path that
    does not exist or is not a number, missing or bad bounds, or bounds beyond what the model allows."""
    data = scenario.model_dump(mode="python")
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
        base, integer = _lookup(data, f.path, f"{where}.path", scenario_file)
        factor = ResolvedFactor(f.name or default_name(f.path), f.path, f.dist, [], f.group, integer, base, i)
        factor.bounds = _bounds(f, where)
        check_range(source, scenario, factor, *factor.support)
        resolved[f.path] = factor
        explicit.add(f.path)
    return list(resolved.values())


def _lookup(data: dict[str, Any], path: str, where: str, scenario_file: str | None) -> tuple[Any, bool]:
    """The base value at ``path`` in a scenario mapping (None for a lever entry's field that the scenario
    leaves at its default: the lever validates it) and whether it is a whole number."""
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
                    return None, False
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
        return node, BY_NAME[parts[1]].integer
    return node, isinstance(node, int)


def _parameter(path: str):
    return BY_NAME.get(path.split(".", 1)[1]) if path.startswith("parameters.") else None


def _bounds(f: Factor, where: str) -> list[float]:
    parameter = _parameter(f.path)
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
    """``bounds`` as floats if they fit ``dist`` (count, order, positivity; see :data:`DIST_BOUNDS`);
    otherwise an InputError at ``{where}.bounds``."""
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


def check_range(source: str, scenario: Scenario, f: ResolvedFactor, low: float, high: float,
                sampled: bool = False) -> None:
    """Raise an InputError if values from ``low`` to ``high`` are not allowed at the factor's path in
    ``scenario`` (the parameter's range, or what the scenario's schema accepts). Infinite ends (an
    unbounded distribution) are not checked here: its drawn sample is, by :func:`check_sampled`."""
    where = f"{source}: factors[{f.entry}]"
    what = "sampled values" if sampled else "bounds"
    span = f"{low:g} to {high:g}"
    hint = (f" ('{f.dist}' is unbounded: use {BOUNDED_INSTEAD[f.dist]} to keep inside the allowed range)"
            if f.dist in BOUNDED_INSTEAD else "")
    if not (math.isfinite(low) and math.isfinite(high)):
        return
    parameter = _parameter(f.path)
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
            with_overrides(scenario, {f.path: value}, source="")
        except InputError as exc:
            message = "; ".join(line.removeprefix(": ").strip() for line in str(exc).splitlines())
            if not f.integer and value != round(value) and "integer" in message.lower():
                f.integer = True  # a whole-number field (e.g. a lever's count): values are rounded
                continue
            raise InputError(f"{where}.bounds: the {what} of '{f.path}' go from {span}, but the scenario does "
                             f"not allow {value:g}: {message}{hint}") from None


# --- function factors ---------------------------------------------------------------------------------------
def resolve_function_factors(exp: Experiment, source: str) -> list[ResolvedFactor]:
    """The factors of a ``model:`` function: each path is the key under which the function finds the
    value in ``params``; the label is ``name`` (default: the path). Raises InputError for a path that is
    not an identifier, listed twice or also a constant, or missing or bad bounds."""
    out: list[ResolvedFactor] = []
    seen: set[str] = set()
    for i, f in enumerate(exp.factors):
        where = f"{source}: factors[{i}]"
        if not _IDENT.match(f.path):
            raise InputError(f"{where}.path: '{f.path}': with 'model' a factor's path is the name of the "
                             "argument the function reads from params (letters, digits, _)")
        if f.path in seen:
            raise InputError(f"{where}.path: '{f.path}' is listed twice")
        if f.path in exp.constants:
            raise InputError(f"{where}.path: '{f.path}' is also a constant; a value is either varied or fixed")
        seen.add(f.path)
        if f.bounds is None:
            raise InputError(f"{where}.bounds: required with 'model' (give [{', '.join(DIST_BOUNDS[f.dist])}])")
        out.append(ResolvedFactor(f.name or f.path, f.path, f.dist, check_bounds(f.bounds, f.dist, where),
                                  f.group, False, None, i))
    return out


# --- the set of factors -------------------------------------------------------------------------------------
def check_factor_set(factors: list[ResolvedFactor], method: str, source: str) -> None:
    """Raise an InputError if the factors cannot be sampled and analysed together: labels reserved or
    repeated, a group named like an ungrouped factor, or (Morris) a distribution without bounds, whose
    ends (Morris levels 0 and 1) are infinite."""
    for f in factors:
        problem = reserved_message(f.name)
        if problem:  # a label taken from the path (an explicit name is checked by the schema)
            raise InputError(f"{source}: factors[{f.entry}].name: the label {problem}")
    names = [f.name for f in factors]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(f"{source}: factors: names must be unique; repeated: {', '.join(dupes)} "
                         "(give the factors distinct 'name's)")
    groups = {f.group for f in factors if f.group}
    for f in factors:
        if f.group is None and f.name in groups:
            raise InputError(f"{source}: factors[{f.entry}]: the factor '{f.name}' has no group, but a group of "
                             f"other factors is called '{f.name}' too; rename the group or give this factor "
                             "that group")
    if method == "morris":
        for f in factors:
            check_ends_finite(f, source)


def check_ends_finite(f: ResolvedFactor, source: str) -> None:
    """Raise an InputError if the factor's distribution is infinite at an end of its range: Morris
    samples the ends of the unit interval (levels 0 and 1), where the inverse CDF of ``norm`` is
    -inf/+inf and that of ``lognorm`` is +inf (at level 1)."""
    low, high = f.support
    if math.isfinite(low) and math.isfinite(high):
        return
    ends = f"{'-inf' if low == -math.inf else f'{low:g}'}/+inf"
    which = "bounds" if not math.isfinite(low) else "upper bound"
    raise InputError(f"{source}: factors[{f.entry}].dist: '{f.dist}' has no {which}, and Morris samples the ends "
                     f"of the range (levels 0 and 1), where it is {ends}; use {BOUNDED_INSTEAD[f.dist]}")


def check_sampled(factors: list[ResolvedFactor], values: np.ndarray, source: str,
                  scenario: Scenario | None) -> None:
    """Raise an InputError if the model inputs ``values`` (sample points x factors) hold an infinite or
    NaN value, or (with a base ``scenario``) a value drawn by an unbounded distribution that the model
    does not allow."""
    for j, f in enumerate(factors):
        column = values[:, j]
        bad = np.flatnonzero(~np.isfinite(column))
        if len(bad):
            raise InputError(f"{source}: factors[{f.entry}].dist: '{f.dist}' {f.bounds} drew {column[bad[0]]:g} "
                             f"at sample point {int(bad[0])} (the sampler reached an end of the unit interval, "
                             f"where it is infinite); use {BOUNDED_INSTEAD.get(f.dist, 'bounded values')}")
        if scenario is not None and f.dist in BOUNDED_INSTEAD:
            check_range(source, scenario, f, float(column.min()), float(column.max()), sampled=True)
