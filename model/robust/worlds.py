"""The plausible worlds: parameter sets drawn from ranges, or taken from a calibration posterior.

A *world* is one value for every uncertain factor (a model parameter, an innovation's attribute, any
number in the scenarios, or an argument of a ``model:`` function) and a ``weight``. Factors are written
and resolved exactly as in a sensitivity experiment (:mod:`model.sensitivity.factors`: paths, documented
ranges of ``parameters.X``, distributions, checks against what the model allows).

- ``sampler: lhs`` draws ``n`` worlds from a Latin hypercube, ``sampler: sobol`` from a scrambled Sobol'
  sequence (both :mod:`scipy.stats.qmc`, seeded), mapped through each factor's distribution with SALib's
  own transformation (the conventions of ``docs/sensitivity.md``). Every world weighs 1.
- ``sampler: posterior`` reads a Parquet file with one column per parameter path (or function argument)
  and a ``weight`` column, as ``spridning calibrate`` writes it. Without ``n`` every row is a world with
  its weight; with ``n``, ``n`` draws are made in proportion to the weights (systematic resampling,
  seeded) and repeated draws become one world whose weight is the number of draws.

On top of either, :func:`with_lever_effects` adds the lever effect parameters of the levers the portfolios
use (:mod:`model.levers.anchors`), each drawn over its documented range by a Latin hypercube, one draw per
world, independent of the other factors: by default with the shipped posterior (``lever_effects`` in the
experiment says otherwise).
"""

from __future__ import annotations

import inspect
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..parameters import BY_NAME
from ..scenario import Scenario, with_overrides
from ..sensitivity.factors import (ResolvedFactor, check_factor_set, check_sampled, resolve_function_factors,
                                   resolve_scenario_factors)
from .schema import ID_COLUMNS, RobustExperiment, with_lines

WEIGHT = "weight"


@dataclass
class WorldSet:
    """The worlds of an experiment: ``values`` (worlds x factors, the values the runs get: whole-number
    factors rounded), ``weights`` (one per world) and how they were drawn."""

    factors: list[ResolvedFactor]
    values: np.ndarray
    weights: np.ndarray
    sampler: str
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of worlds."""
        return int(self.values.shape[0])

    @property
    def names(self) -> list[str]:
        """The factors' labels (columns of ``worlds.csv``)."""
        return [f.name for f in self.factors]

    def frame(self) -> pd.DataFrame:
        """One row per world: ``world``, ``weight`` and each factor's value by its label."""
        frame = pd.DataFrame(self.values, columns=self.names)
        frame.insert(0, WEIGHT, self.weights)
        frame.insert(0, "world", np.arange(self.n))
        return frame


def single_world() -> WorldSet:
    """The one world of an experiment without factors: every portfolio as its file has it."""
    return WorldSet([], np.zeros((1, 0)), np.ones(1), "none")


# --- factors ----------------------------------------------------------------------------------------------
def resolve_factors(exp: RobustExperiment, source: str, where, scenario: Scenario | None,
                    scenario_file: str | None) -> list[ResolvedFactor]:
    """The experiment's factors resolved against ``scenario`` (or as function arguments without one), by
    :mod:`model.sensitivity.factors`; its messages get the line of each field. Raises InputError."""
    shim = SimpleNamespace(factors=exp.factors, constants=exp.constants)
    try:
        if scenario is not None:
            factors = resolve_scenario_factors(shim, source, scenario, scenario_file)
        else:
            factors = resolve_function_factors(shim, source)
        check_factor_set(factors, "sobol", source)  # names unique, groups; no method-specific rule
    except InputError as exc:
        raise InputError(with_lines(str(exc), source, where)) from None
    for f in factors:
        if f.name in ID_COLUMNS:
            raise InputError(with_lines(f"{source}: factors[{f.entry}].name: the label '{f.name}' is reserved "
                                        f"(a column of the run files: {', '.join(ID_COLUMNS)}); give the "
                                        "factor another 'name'", source, where))
    return factors


# --- drawing from ranges ----------------------------------------------------------------------------------
def _rng_keyword(engine: type) -> str:
    """``rng`` (SciPy 1.15 and later) or ``seed`` (older SciPy): how a QMC engine takes its generator."""
    return "rng" if "rng" in inspect.signature(engine.__init__).parameters else "seed"


def unit_sample(sampler: str, n: int, d: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """``n`` points in the unit cube ``[0, 1)^d`` from a Latin hypercube (``lhs``) or a scrambled Sobol'
    sequence (``sobol``), seeded; and a note when ``n`` is not a power of two for Sobol'."""
    from scipy.stats import qmc

    engine_class = qmc.LatinHypercube if sampler == "lhs" else qmc.Sobol
    engine = engine_class(d, **{_rng_keyword(engine_class): np.random.default_rng(seed)})
    notes = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Sobol' warns below powers of two; said once, below
        points = engine.random(n)
    if sampler == "sobol" and n & (n - 1):
        notes.append(f"worlds.n={n} is not a power of two; a Sobol' sequence is balanced at powers of two "
                     f"(e.g. {1 << math.ceil(math.log2(n))})")
    return points, notes


def scale(unit: np.ndarray, factors: list[ResolvedFactor]) -> np.ndarray:
    """Unit-cube points mapped through each factor's distribution and bounds (SALib's transformation, as
    the sensitivity sweeps draw them)."""
    from SALib.util import scale_samples

    problem = {"num_vars": len(factors), "names": [f.name for f in factors],
               "bounds": [list(f.bounds) for f in factors], "dists": [f.dist for f in factors]}
    return np.asarray(scale_samples(np.array(unit, dtype=float, copy=True), problem), dtype=float)


def round_integers(values: np.ndarray, factors: list[ResolvedFactor]) -> np.ndarray:
    """``values`` with whole-number factors rounded to the nearest whole number."""
    values = np.array(values, dtype=float, copy=True)
    for j, f in enumerate(factors):
        if f.integer:
            values[:, j] = np.round(values[:, j])
    return values


def sample_worlds(factors: list[ResolvedFactor], sampler: str, n: int, seed: int, source: str,
                  scenario: Scenario | None) -> WorldSet:
    """``n`` worlds drawn over the factors by ``sampler`` (``lhs`` or ``sobol``), checked against what the
    model allows (an unbounded distribution's draws too)."""
    unit, notes = unit_sample(sampler, n, len(factors), seed)
    values = round_integers(scale(unit, factors), factors)
    check_sampled(factors, values, source, scenario)
    return WorldSet(factors, values, np.ones(n), sampler, notes)


# --- a calibration posterior ------------------------------------------------------------------------------
def find_file(given: str, base: Path) -> Path | None:
    """``given`` relative to ``base`` (the experiment's folder) or the current folder, if it is a file."""
    candidates = [Path(given)] if Path(given).is_absolute() else [base / given, Path.cwd() / given]
    return next((c.resolve() for c in candidates if c.is_file()), None)


def read_posterior(path: Path, where_text: str) -> pd.DataFrame:
    """The posterior's parameter sets, with a valid ``weight`` column (finite, at least 0, not all 0).
    Raises InputError naming ``where_text`` (the experiment's field) and the file."""
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # not Parquet, unreadable
        raise InputError(f"{where_text}: cannot read {path} as Parquet ({type(exc).__name__}: {exc})") from None
    if WEIGHT not in table.columns:
        raise InputError(f"{where_text}: {path} has no '{WEIGHT}' column; a posterior has one column per "
                         f"parameter path and a '{WEIGHT}' column (columns: {', '.join(map(str, table.columns))})")
    if len(table) == 0:
        raise InputError(f"{where_text}: {path} holds no parameter sets")
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]) or pd.api.types.is_bool_dtype(table[column]):
            raise InputError(f"{where_text}: {path}: column '{column}' is not numeric ({table[column].dtype})")
    weights = table[WEIGHT].to_numpy(dtype=float)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise InputError(f"{where_text}: {path}: weights must be finite, at least 0 and not all 0")
    values = table.drop(columns=WEIGHT).to_numpy(dtype=float)
    if not np.all(np.isfinite(values)):
        raise InputError(f"{where_text}: {path}: parameter values must be finite (NaN or infinity found)")
    return table


def systematic_draws(weights: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` draws of row indices in proportion to ``weights`` (systematic resampling): the distinct rows
    drawn, in order, and how often each was drawn."""
    rng = np.random.default_rng(seed)
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    cumulative /= cumulative[-1]
    positions = (rng.random() + np.arange(n)) / n
    drawn = np.minimum(np.searchsorted(cumulative, positions, side="right"), len(cumulative) - 1)
    rows, counts = np.unique(drawn, return_counts=True)
    return rows, counts.astype(float)


def posterior_worlds(exp: RobustExperiment, path: Path, where_text: str, seed: int, source: str, where,
                     scenario: Scenario | None) -> WorldSet:
    """The worlds of a calibration posterior (see the module's docstring). Columns become factors (only
    those listed under ``factors``, by ``path``, when some are); each is checked against the scenario:
    the path must exist and its smallest and largest values must be allowed."""
    table = read_posterior(path, where_text)
    columns = [c for c in table.columns if c != WEIGHT]
    chosen = [(f.path, f.name or _label(f.path), i) for i, f in enumerate(exp.factors)]
    for path_, _, i in chosen:
        if path_ not in columns:
            raise InputError(with_lines(f"{source}: factors[{i}].path: '{path_}' is not a column of the posterior "
                                        f"{path} (columns: {', '.join(columns)})", source, where))
        if exp.factors[i].bounds is not None or exp.factors[i].dist != "unif":
            raise InputError(with_lines(f"{source}: factors[{i}].bounds: a posterior's worlds take their values "
                                        "from the file; give only 'path' (and 'name')", source, where))
    if not chosen:
        chosen = [(c, _label(c), None) for c in columns]
    factors = _column_factors(table, chosen, scenario, f"{where_text}: {path}")
    weights = table[WEIGHT].to_numpy(dtype=float)
    values = table[[c for c, _, _ in chosen]].to_numpy(dtype=float)
    notes = []
    if exp.worlds.n is not None:
        rows, counts = systematic_draws(weights, exp.worlds.n, seed)
        values, weights = values[rows], counts
        notes.append(f"posterior: {exp.worlds.n} draws in proportion to the weights gave {len(rows)} distinct "
                     f"worlds of {len(table)} parameter sets")
    ess = weights.sum() ** 2 / (weights ** 2).sum()
    if ess < 0.5 * len(weights):
        notes.append(f"posterior: the weights are uneven (effective number of worlds {ess:.0f} of {len(weights)}); "
                     "shares and intervals use the effective number")
    return WorldSet(factors, round_integers(values, factors), weights, "posterior", notes)


def _column_factors(table: pd.DataFrame, chosen: list[tuple[str, str, int | None]], scenario: Scenario | None,
                    where_text: str) -> list[ResolvedFactor]:
    """The factors of a posterior's ``chosen`` columns ``(path, label, factors entry or None)``, each
    checked against ``scenario`` (:func:`_check_column`)."""
    factors = []
    for column, label, entry in chosen:
        low, high = float(table[column].min()), float(table[column].max())
        integer, base = _check_column(scenario, column, low, high, f"{where_text}: column '{column}'")
        factors.append(ResolvedFactor(label, column, "unif", [low, high], None, integer, base,
                                      entry if entry is not None else -1))
    return factors


def shipped_worlds(scenario: Scenario, where_text: str) -> WorldSet | None:
    """The default worlds of an experiment that names none: the shipped posterior's draws
    (``model/data/posterior/*/draws.parquet``, each weighing 1), setting only the calibrated parameters
    ``scenario`` leaves at their default (its posterior median); None when it sets them all."""
    from ..parameters import CALIBRATED, POSTERIOR

    path = POSTERIOR / "draws.parquet"
    table = read_posterior(path, where_text)
    free = [c for c in table.columns if c.startswith("parameters.") and _label(c) in CALIBRATED
            and getattr(scenario.parameters, _label(c)) == CALIBRATED[_label(c)].median]
    if not free:
        return None
    factors = _column_factors(table, [(c, _label(c), None) for c in free], scenario, f"{where_text}: {path}")
    values = table[free].to_numpy(dtype=float)
    note = f"worlds: the shipped posterior's {len(table)} draws (no 'worlds' given; --point runs one world)"
    return WorldSet(factors, round_integers(values, factors), table[WEIGHT].to_numpy(dtype=float), "posterior",
                    [note])


def _label(path: str) -> str:
    return path[len("parameters."):] if path.startswith("parameters.") else path


def _check_column(scenario: Scenario | None, path: str, low: float, high: float, where_text: str
                  ) -> tuple[bool, Any]:
    """Whether the posterior's column ``path`` takes whole numbers, and its value in ``scenario``; raises
    InputError if the path does not exist there or its smallest or largest value is not allowed."""
    if scenario is None:
        return False, None
    parameter = BY_NAME.get(path.split(".", 1)[1]) if path.startswith("parameters.") else None
    integer = bool(parameter and parameter.integer)
    for value in dict.fromkeys((low, high)):
        try:
            with_overrides(scenario, {path: round(value) if integer else value}, source="")
        except InputError as exc:
            detail = "; ".join(line.removeprefix(": ").strip() for line in str(exc).splitlines())
            raise InputError(f"{where_text}: the value {value:g} cannot be set: {detail}") from None
    base = scenario.model_dump(mode="python").get("parameters", {}).get(parameter.name) if parameter else None
    return integer, base


# --- lever effect parameters --------------------------------------------------------------------------------
#: worlds drawn for the lever effects when there is no other uncertainty (a single world otherwise)
LEVER_EFFECT_WORLDS = 32


def with_lever_effects(worlds: WorldSet, portfolios: list[dict], seed: int) -> WorldSet:
    """``worlds`` with one more factor per lever effect parameter that varies in some portfolio (scenario
    mappings ``portfolios``; :func:`model.levers.anchors.varied`): each uniform over its anchor's range
    (whole numbers rounded), drawn by a Latin hypercube seeded from ``seed``, one draw per world. A single
    world without factors becomes :data:`LEVER_EFFECT_WORLDS` worlds of weight 1. The factors' paths are
    ``lever_effects.TYPE.FIELD``, which the runs set on every lever of that type the portfolio leaves at
    its default (:func:`model.levers.anchors.apply`)."""
    from ..levers.anchors import ANCHORS, varied

    seen = {anchor.path for data in portfolios for anchor in varied(list(data.get("levers") or []))}
    anchors = [a for a in ANCHORS if a.path in seen]  # in the table's order, whatever the portfolios' order
    if not anchors:
        return worlds
    single = worlds.n == 1 and not worlds.factors
    n = LEVER_EFFECT_WORLDS if single else worlds.n
    factors = [ResolvedFactor(a.name, a.path, "unif", [float(a.low), float(a.high)], None, a.integer, a.default, -1)
               for a in anchors]
    # a seed of its own, so adding lever effects leaves the other factors' draws as they were
    unit, _ = unit_sample("lhs", n, len(factors), int(np.random.SeedSequence([seed, 20]).generate_state(1)[0]))
    drawn = round_integers(scale(unit, factors), factors)
    base_values = np.zeros((n, 0)) if single else worlds.values
    weights = np.ones(n) if single else worlds.weights
    note = (f"lever effects: {len(factors)} effect parameter(s) of the portfolios' levers drawn over their "
            f"documented ranges (model/levers/anchors.py), one draw per world")
    return WorldSet(worlds.factors + factors, np.hstack([base_values, drawn]), weights,
                    worlds.sampler if not single else "lhs", worlds.notes + [note])
