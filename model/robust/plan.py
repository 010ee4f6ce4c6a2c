"""A robustness experiment resolved into a plan: portfolios loaded, worlds drawn, seeds fixed.

:func:`resolve` turns a validated :class:`~.schema.RobustExperiment` into a :class:`RobustPlan`: every
portfolio's scenario loaded (with ``overrides``) and checked comparable with the reference (the baseline,
else the first portfolio) as ``spridning compare`` checks it (:func:`model.compare.differences`), or the
``model:`` function checked; the factors resolved and the worlds drawn (:mod:`.worlds`); the root seed
chosen. Which outcomes a run reports is learnt by a trial run of every portfolio (:mod:`.evaluate`).

Every error is an :class:`~model.errors.InputError`, ``FILE:LINE: field: problem; what to do``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..compare import ALL, COMPARABLE, differences
from ..errors import InputError, Problem, fail
from ..names import safe_file_name
from ..outcomes.catalogue import COMPARED, is_outcome, outcome
from ..scenario import Scenario, load_scenario, with_overrides
from ..sensitivity.plan import FUNCTION_DEFAULT_SEED, name_from
from ..sensitivity.userfunction import check_function
from ..yamlio import SourceMap
from .schema import COST, DEFAULT_REGRET, Criterion, RobustExperiment, Threshold, problem_at
from .worlds import (WorldSet, find_file, posterior_worlds, resolve_factors, sample_worlds, shipped_worlds,
                     single_world, with_lever_effects)

#: outputs a run must report for the cost per extra adoption to be derived
COST_INPUTS = ("spend_msek", "adoptions_final")


@dataclass
class Entry:
    """A portfolio resolved: its label, file and scenario (or the function's arguments for it)."""

    name: str
    file: str | None = None
    scenario: Scenario | None = None
    constants: dict[str, Any] | None = None

    def target(self) -> Any:
        """What a worker needs to run it: the scenario as a mapping, or the function's arguments."""
        return self.scenario.model_dump(mode="python") if self.scenario is not None else dict(self.constants or {})


@dataclass
class RobustPlan:
    """A validated robustness experiment, resolved. ``portfolios`` holds the baseline first (when there
    is one); ``outcome_keys`` and ``seconds_per_run`` are filled by the trial run."""

    experiment: RobustExperiment
    given: dict[str, Any]
    source: str
    where: SourceMap | None
    base_dir: Path
    name: str
    engine: Literal["scenario", "function"]
    portfolios: list[Entry]
    baseline: str | None
    worlds: WorldSet
    seed: int
    function: str | None = None
    sys_path: tuple[str, ...] = ()
    outcome_keys: list[str] = field(default_factory=list)
    seconds_per_run: float = float("nan")

    @property
    def replications(self) -> int:
        """Runs of every portfolio in every world."""
        return self.experiment.replications

    @property
    def names(self) -> list[str]:
        """The portfolios' labels, the baseline first."""
        return [p.name for p in self.portfolios]

    @property
    def n_runs(self) -> int:
        """Worlds x portfolios x replications."""
        return self.worlds.n * len(self.portfolios) * self.replications

    @property
    def reference(self) -> Entry:
        """The portfolio the others are checked against and searches build on: the baseline, else the first."""
        return self.portfolios[0]

    def has_cost(self) -> bool:
        """Whether the cost per extra adoption can be derived (a baseline, and runs reporting spend and
        adoptions)."""
        return self.baseline is not None and all(k in self.outcome_keys for k in COST_INPUTS)

    def available(self) -> list[str]:
        """Every outcome the analysis can use: what a run reports, and the cost per extra adoption."""
        return list(self.outcome_keys) + ([COST] if self.has_cost() else [])

    def outcomes(self) -> list[str]:
        """The outcomes whose distributions are reported: as listed, or the comparison's outcomes (and the
        cost per extra adoption) for the model, everything a function reports."""
        if self.experiment.outcomes:
            return list(dict.fromkeys(self.experiment.outcomes))
        if self.engine == "scenario":
            return [o for o in COMPARED if o in self.outcome_keys] + ([COST] if self.has_cost() else [])
        return list(self.outcome_keys)

    def criteria(self) -> list[Criterion]:
        """The regret criteria with their better direction: as listed, or diffusion, equality and cost."""
        given = self.experiment.regret
        if given is None:
            given = [Criterion(name=n) for n in DEFAULT_REGRET if n in self.available()]
        out = []
        for c in given:
            better = c.better or (outcome(c.name).better if is_outcome(c.name) else None)
            out.append(Criterion(name=c.name, better=better))
        return out

    def definition(self) -> dict[str, Any]:
        """Everything that decides which runs are made and what they return (not how they are analysed):
        two invocations with the same definition make identical runs, so an interrupted one can resume."""
        def what(p: Entry) -> Any:
            if p.scenario is None:
                return p.constants
            return {k: v for k, v in p.scenario.resolved().items() if k not in ("name", "description", "replications")}

        return {
            "engine": self.engine,
            "function": self.function,
            "constants": self.experiment.constants,
            "portfolios": [{"name": p.name, "run": what(p)} for p in self.portfolios],
            "factors": [f.as_dict() for f in self.worlds.factors],
            "worlds": {"sampler": self.worlds.sampler, "n": self.worlds.n},
            "replications": self.replications,
            "seed": self.seed,
        }


def _entries(exp: RobustExperiment) -> list[tuple[tuple, Any]]:
    out = [(("baseline",), exp.baseline)] if exp.baseline is not None else []
    return out + [(("portfolios", i), p) for i, p in enumerate(exp.portfolios)]


def load_portfolios(exp: RobustExperiment, source: str, where: SourceMap | None, base: Path) -> list[Entry]:
    """Every portfolio (the baseline first): scenario files found, loaded and overridden, or the function's
    arguments. Raises one InputError for files not found, a file's own problems, and repeated labels."""
    problems: list[Problem] = []
    messages: list[str] = []
    entries: list[Entry] = []
    seen: dict[str, tuple] = {}
    for loc, p in _entries(exp):
        if exp.model:
            entry = Entry(p.name, constants=dict(p.constants or {}))
        else:
            path = find_file(p.scenario, base)
            if path is None:
                problems.append(Problem(loc + ("scenario",), f"file '{p.scenario}' not found (looked in {base} and "
                                        f"{Path.cwd()})"))
                continue
            if loc[0] == "portfolios" and exp.baseline is not None and entries and entries[0].file == str(path) \
                    and p.name is None:
                continue  # the baseline listed among the portfolios too: run it once
            try:
                scenario = load_scenario(path)
                if exp.overrides:
                    scenario = with_overrides(scenario, exp.overrides, source=f"{source}: overrides")
            except InputError as exc:
                messages.append(str(exc))
                continue
            entry = Entry(p.name or scenario.name, str(path), scenario)
        key = safe_file_name(entry.name).casefold()
        if key in seen:
            problems.append(Problem(loc, f"the label '{entry.name}' is taken by {_shown(seen[key])}; give this "
                                    "portfolio its own 'name'"))
            continue
        seen[key] = loc
        entries.append(entry)
    if problems or messages:
        text = [fail(source, problems, where).args[0]] if problems else []
        raise InputError("\n".join(text + messages))
    return entries


def _shown(loc: tuple) -> str:
    return "the baseline" if loc == ("baseline",) else f"portfolios[{loc[1]}]"


def check_comparable(exp: RobustExperiment, entries: list[Entry], source: str, where: SourceMap | None) -> None:
    """Refuse portfolios whose calendar, world, innovations, parameters or mechanisms differ from the
    reference's (:data:`model.compare.COMPARABLE`) unless ``allow_different`` names the setting."""
    allowed = tuple(exp.allow_different)
    for i, name in enumerate(allowed):
        if name != ALL and name.split(".")[0] not in COMPARABLE:
            raise problem_at(source, where, ("allow_different", i), f"unknown setting '{name}'; allowed: "
                             f"{', '.join(COMPARABLE)}, {ALL} (or a path inside one, e.g. parameters.p_external)")
    if not entries or entries[0].scenario is None:
        return
    reference = entries[0]
    lines = []
    for entry in entries[1:]:
        for setting, value, base in differences(entry.scenario, reference.scenario):
            if any(a == ALL or setting == a or setting.startswith(a + ".") for a in allowed):
                continue
            lines.append(f"{entry.file}: {setting}: {value} differs from {reference.name}'s {base} "
                         f"({reference.file}); portfolios share the world their levers act in; add "
                         f"'{setting.split('.')[0]}' to allow_different in {source} to compare them anyway")
    if lines:
        raise InputError("\n".join(lines))


def resolve(exp: RobustExperiment, data: Any, source: str, where: SourceMap | None = None,
            base_dir: str | Path | None = None, point: bool = False) -> RobustPlan:
    """The plan of a validated experiment (see the module's docstring). ``data`` is the mapping as given;
    ``base_dir`` the folder relative paths start from (default: the current folder). Without ``worlds``
    and ``factors``, the worlds are the shipped posterior's draws (:func:`.worlds.shipped_worlds`) unless
    ``point`` or the reference portfolio says ``uncertainty: point``."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    sys_path: tuple[str, ...] = ()
    if exp.model:
        sys_path = check_function(exp.model, source, base)
    entries = load_portfolios(exp, source, where, base)
    check_comparable(exp, entries, source, where)
    reference = entries[0].scenario if entries else None
    seed = exp.seed if exp.seed is not None else (reference.seed if reference is not None else FUNCTION_DEFAULT_SEED)
    worlds = _worlds(exp, source, where, base, seed, reference, entries[0].file if entries else None, point)
    if lever_effects_vary(exp, reference, point):
        worlds = with_lever_effects(worlds, _lever_mappings(exp, entries), seed)
    plan = RobustPlan(exp, copy.deepcopy(data), source, where, base, exp.name or name_from(source),
                      "function" if exp.model else "scenario", entries,
                      entries[0].name if exp.baseline is not None else None, worlds, seed, exp.model, sys_path)
    if exp.discovery is not None and exp.discovery.portfolio not in plan.names:
        raise problem_at(source, where, ("discovery", "portfolio"), f"no portfolio '{exp.discovery.portfolio}'; "
                         f"portfolios: {', '.join(plan.names)}")
    return plan


def lever_effects_vary(exp: RobustExperiment, reference: Scenario | None, point: bool = False) -> bool:
    """Whether the worlds vary the levers' effect parameters (:func:`.worlds.with_lever_effects`): as
    ``lever_effects`` says; by default when the worlds are the shipped posterior's (no ``worlds`` or
    ``factors``, not ``point``, the reference not ``uncertainty: point``). Never for a ``model`` function."""
    if exp.model or reference is None or exp.lever_effects is False:
        return False
    if exp.lever_effects:
        return True
    return exp.worlds is None and not exp.factors and not point and reference.uncertainty != "point"


def _lever_mappings(exp: RobustExperiment, entries: list[Entry]) -> list[dict[str, Any]]:
    """The portfolios as scenario mappings, and one holding a lever of each type the budget search may fund
    (so its candidates' effects vary too)."""
    out = [p.target() for p in entries if p.scenario is not None]
    if exp.search is not None:
        out.append({"levers": [{"type": lever.type, "budget_msek_per_year": 1.0} for lever in exp.search.levers]})
    return out


def _worlds(exp: RobustExperiment, source: str, where: SourceMap | None, base: Path, seed: int,
            scenario: Scenario | None, scenario_file: str | None, point: bool = False) -> WorldSet:
    if exp.worlds is None:
        if not point and scenario is not None and scenario.uncertainty != "point" and not exp.factors:
            return shipped_worlds(scenario, f"{source}: the shipped posterior") or single_world()
        return single_world()
    if exp.worlds.sampler == "posterior":
        path = find_file(exp.worlds.posterior, base)
        if path is None:
            raise problem_at(source, where, ("worlds", "posterior"), f"file '{exp.worlds.posterior}' not found "
                             f"(looked in {base} and {Path.cwd()})")
        line = where.line(("worlds", "posterior")) if where is not None else None
        return posterior_worlds(exp, path, f"{source}{f':{line}' if line else ''}: worlds.posterior", seed,
                                source, where, scenario)
    factors = resolve_factors(exp, source, where, scenario, scenario_file)
    return sample_worlds(factors, exp.worlds.sampler, exp.worlds.n, seed, source, scenario)


def check_names(plan: RobustPlan) -> None:
    """After the trial run: every outcome, regret criterion, threshold and objective the experiment names
    must be one the runs report (or the derived cost), and every criterion must have a better direction.
    Raises one InputError listing every problem, with lines."""
    from ..errors import suggest

    exp, available = plan.experiment, plan.available()
    problems: list[Problem] = []

    def check(loc: tuple, name: str, pool: list[str]) -> None:
        if name not in pool:
            why = (f" (needs a baseline and runs reporting {' and '.join(COST_INPUTS)})" if name == COST else "")
            problems.append(Problem(loc, f"unknown outcome '{name}'{why}{suggest(name, pool)}; allowed: "
                                    f"{', '.join(pool)}"))

    for i, name in enumerate(exp.outcomes or []):
        check(("outcomes", i), name, available)
    for i, c in enumerate(exp.regret or []):
        check(("regret", i, "name"), c.name, available)
    for c in plan.criteria():
        if c.better is None and c.name in available:
            i = [x.name for x in exp.regret or []].index(c.name) if exp.regret else 0
            problems.append(Problem(("regret", i), f"'{c.name}' has no better direction in the outcome catalogue; "
                                    "give better: higher or better: lower"))
    for name, threshold in exp.thresholds.items():
        check(("thresholds", name), name, available)
        problems += reachable(("thresholds", name), name, threshold)
    if exp.discovery is not None:
        for name, threshold in (exp.discovery.fails or {}).items():
            check(("discovery", "fails", name), name, available)
            problems += reachable(("discovery", "fails", name), name, threshold)
    if exp.search is not None:
        for i, o in enumerate(exp.search.objectives):
            check(("search", "objectives", i, "name"), o.name, list(plan.outcome_keys))
            if o.better is None and o.name in plan.outcome_keys and not (is_outcome(o.name) and outcome(o.name).better):
                if o.name != "spend_msek":
                    problems.append(Problem(("search", "objectives", i), f"'{o.name}' has no better direction "
                                            "in the outcome catalogue; give better: higher or better: lower"))
    if problems:
        raise fail(plan.source, problems, plan.where)


#: the values an outcome can take, by its catalogue format: shares 0-1, differences of shares -1 to 1,
#: counts, years and money not below 0 (``number``: not known)
POSSIBLE = {"percent": (0.0, 1.0), "pp": (-1.0, 1.0), "count": (0.0, math.inf), "years": (0.0, math.inf),
            "msek": (0.0, math.inf)}


def possible_range(name: str) -> tuple[float, float] | None:
    """The smallest and largest value outcome ``name`` can take (from its catalogue format), or None."""
    return POSSIBLE.get(outcome(name).format) if is_outcome(name) else None


def reachable(loc: tuple, name: str, threshold: Threshold) -> list[Problem]:
    """A problem if no possible value of outcome ``name`` can meet ``threshold`` (e.g. final_adoption
    >= 5, a share being 0-1): satisficing and discovery would then fail every portfolio in every world."""
    span = possible_range(name)
    if span is None:
        return []
    low, high = span
    shown = f"{low:g} to {high:g}" if math.isfinite(high) else f"{low:g} or more"
    unit = "; shares are written 0-1, 0.25 for 25 %" if outcome(name).format in ("percent", "pp") else ""
    if threshold.min is not None and threshold.min > high:
        return [Problem(loc + ("min",), f"{threshold.min:g} is above any value {name} can take ({shown}{unit}); "
                        "no world could meet it")]
    if threshold.max is not None and threshold.max < low:
        return [Problem(loc + ("max",), f"{threshold.max:g} is below any value {name} can take ({shown}{unit}); "
                        "no world could meet it")]
    return []


def never_when_missing(name: str) -> bool:
    """Whether a run without a value of outcome ``name`` means "never" (the outcome catalogue's
    ``missing``, e.g. ``time_to_50_years``: 50 % adoption never reached), worse than any value."""
    return is_outcome(name) and outcome(name).missing == "never"


def objective_direction(name: str, better: str | None) -> str:
    """``higher`` or ``lower`` for a search objective: as given, from the catalogue, or lower for spend."""
    if better:
        return better
    if is_outcome(name) and outcome(name).better:
        return outcome(name).better
    return "lower"


def world_seed(root: int, world: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication`` in world ``world``: the same for every portfolio (common
    random numbers), ``SeedSequence(root, spawn_key=(world, replication))`` — that is
    ``model.runner.replication_seed(root, world).spawn(R)[replication]``."""
    return np.random.SeedSequence(root, spawn_key=(world, replication))
