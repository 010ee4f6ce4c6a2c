"""An experiment resolved into a plan: the factors, the SALib problem, the sample and the model inputs.

:func:`resolve` turns a validated :class:`~.schema.Experiment` into a :class:`Plan`: the base scenario
loaded (with ``overrides``) or the ``model:`` function checked, the factors resolved
(:mod:`.factors`), the seed chosen. The plan gives SALib its plain ``problem`` dict
(``names``/``bounds``/``dists``/``groups``), draws the sample, and says what decides the runs (the
sweep's fingerprint). Which outcomes a run reports is learnt by a trial run (:mod:`.evaluate`), one
layer up.
"""

from __future__ import annotations

import copy
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..errors import InputError
from ..scenario import Scenario, load_scenario, with_overrides
from .factors import (ResolvedFactor, check_factor_set, check_sampled, resolve_function_factors,
                      resolve_scenario_factors)
from .schema import DEFAULT_MAX_CONF, NAME_PATTERN, Experiment, Outcome
from .userfunction import check_function

FUNCTION_DEFAULT_SEED = 20261123


@dataclass
class Plan:
    """A validated experiment, resolved against its base scenario or function.

    ``given`` is the mapping as read (recorded in the manifest); ``source`` the file (for messages);
    ``engine`` ``"scenario"`` or ``"function"``; ``outcome_keys`` and ``seconds_per_run`` are filled by
    the trial run (:func:`model.sensitivity.evaluate.check_outcomes`).
    """

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
    outcome_keys: list[str] = field(default_factory=list)
    seconds_per_run: float = float("nan")

    @property
    def outcomes(self) -> list[Outcome]:
        """The outcomes to analyse, as listed in the experiment."""
        return self.experiment.outcomes

    @property
    def replications(self) -> int:
        """Runs per sample point (averaged before the analysis)."""
        return self.experiment.replications

    @property
    def method(self) -> str:
        """``"sobol"`` or ``"morris"``."""
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
        """Each factor's group (its own label if it has none), or None when no factor has a group."""
        if all(f.group is None for f in self.factors):
            return None
        return [f.group or f.name for f in self.factors]

    @property
    def labels(self) -> list[str]:
        """What the indices are reported for: factor names, or group names (in order of appearance)."""
        groups = self.groups
        return list(dict.fromkeys(groups)) if groups else [f.name for f in self.factors]

    def problem(self) -> dict[str, Any]:
        """The SALib problem: ``names`` (labels), ``bounds`` and ``dists`` per factor, ``groups`` if any."""
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

    def sample(self) -> tuple[np.ndarray, list[str]]:
        """The sample matrix (points x factors, floats in the factors' units) as SALib draws it, and any
        warnings SALib gave (one line each)."""
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
        notes = [one_line(str(w.message)) for w in caught if not issubclass(w.category, DeprecationWarning)]
        if e.method == "sobol" and e.N & (e.N - 1):
            notes = [n for n in notes if "power of 2" not in n]
            notes.append(f"N={e.N} is not a power of two; Sobol' sequences are balanced (and the indices "
                         f"converge best) at powers of two, e.g. N={next_power_of_two(e.N)}")
        return np.asarray(spec.samples, dtype=float), notes

    def model_inputs(self, X: np.ndarray) -> np.ndarray:
        """The values the runs get (same shape as ``X``): integer factors rounded to whole numbers."""
        values = np.array(X, dtype=float, copy=True)
        for j, f in enumerate(self.factors):
            if f.integer:
                values[:, j] = np.round(values[:, j])
        return values

    def check_sampled(self, values: np.ndarray) -> None:
        """Raise an InputError if the model inputs (points x factors) hold a value the runs cannot take: an
        infinite draw, or a value of an unbounded distribution the scenario does not allow."""
        check_sampled(self.factors, values, self.source, self.scenario)


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines too) replaced by one space."""
    return " ".join(text.split())


def next_power_of_two(n: float) -> int:
    """The smallest power of two at least ``n`` (1 for ``n <= 1``)."""
    return 1 << max(0, math.ceil(math.log2(max(n, 1))))


def resolve(exp: Experiment, data: Any, source: str, base_dir: str | Path | None = None) -> Plan:
    """The plan of a validated experiment: the base scenario loaded and overridden, or the function
    checked; factors resolved and checked as a set. ``data`` is the mapping as given; ``base_dir`` the
    folder relative paths start from (default: the current folder). Raises InputError naming ``source``."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    name = exp.name or name_from(source)
    if exp.scenario is not None:
        scenario_path = _find_file(exp.scenario, base, source, "scenario")
        scenario = load_scenario(scenario_path)
        if exp.overrides:
            scenario = with_overrides(scenario, exp.overrides, source=f"{source}: overrides")
        plan = Plan(exp, copy.deepcopy(data), source, base, name, "scenario", [],
                    exp.seed if exp.seed is not None else scenario.seed,
                    scenario=scenario, scenario_file=str(scenario_path))
        plan.factors = resolve_scenario_factors(exp, source, scenario, plan.scenario_file)
    else:
        sys_path = check_function(exp.model, source, base)
        plan = Plan(exp, copy.deepcopy(data), source, base, name, "function", [],
                    exp.seed if exp.seed is not None else FUNCTION_DEFAULT_SEED, function=exp.model,
                    sys_path=sys_path)
        plan.factors = resolve_function_factors(exp, source)
    check_factor_set(plan.factors, exp.method, source)
    if len(plan.labels) < 2:
        what = "groups" if plan.groups else "factors"
        raise InputError(f"{source}: factors: at least two {what} are needed to apportion the variance "
                         f"(got {len(plan.labels)})")
    return plan


def name_from(source: str) -> str:
    """An experiment name from its file name (for a file without ``name:``), valid as a folder name."""
    stem = re.sub(r"[^A-Za-z0-9_\-]", "_", Path(source).stem) or "experiment"
    return stem if re.match(NAME_PATTERN, stem) else f"x{stem}"


def _find_file(given: str, base: Path, source: str, key: str) -> Path:
    candidates = [Path(given)] if Path(given).is_absolute() else [base / given, Path.cwd() / given]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    looked = " and ".join(str(c.parent) for c in dict.fromkeys(candidates))
    raise InputError(f"{source}: {key}: file '{given}' not found (looked in {looked})")
