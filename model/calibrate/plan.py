"""A calibration resolved: the scenario loaded, the priors checked against it, the targets read.

:func:`load_calibration` reads a calibration file strictly (:mod:`model.yamlio`), validates it against
:class:`~.schema.Calibration` and resolves it into a :class:`CalibrationPlan`: each parameter's path must
exist in the scenario and hold a number, its prior must lie inside what the model allows (the range in
``model.parameters``, or what the scenario's schema accepts); each target series must be in the observed
file, measured on innovations of the scenario that apply to municipalities, in years the scenario
simulates. Every problem of the file is reported at once, ``FILE:LINE: field: problem; allowed``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, fail, suggest, validate_mapping
from ..parameters import BY_NAME
from ..scenario import Scenario, load_scenario, with_overrides
from ..yamlio import SourceMap, read_yaml
from .observed import OBSERVED_FILE, Point, read_by_size, read_observed, series_names
from .schema import Calibration, Prior, Series
from ..stages import QUARTERS_PER_YEAR

#: the scale the sampler (and pyabc's database) holds every fitted value on: see :mod:`.scale`
SAMPLER_SCALE = "logit of the prior's cumulative probability"

#: the most runs of the posterior predictive (ensemble draws x replications) a file may ask for
MAX_PREDICTIVE_RUNS = 1_000_000


@dataclass(frozen=True)
class FittedParameter:
    """A parameter to fit: ``name`` labels it in tables (the path without ``parameters.``), ``path`` is
    where its value goes in the scenario; the prior is ``uniform``/``loguniform`` on [low, high] or a
    ``normal`` (mean, sd) cut to [low, high]."""

    name: str
    path: str
    prior: str
    low: float
    high: float
    mean: float | None = None
    sd: float | None = None
    integer: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (manifest and fingerprint)."""
        return dict(name=self.name, path=self.path, prior=self.prior, low=self.low, high=self.high,
                    mean=self.mean, sd=self.sd, integer=self.integer)


@dataclass(frozen=True)
class Target:
    """One observed point and how the model measures it: the share of municipalities whose stage for any of
    ``innovations`` is in use (piloting or adopted), adopted, or not in use, at the end of the survey quarter
    (``step`` of the run's stage history)."""

    series: str
    year: int
    observed: float
    n: int
    sampling_sd: float
    discrepancy: float
    innovations: tuple[str, ...]
    measure: str
    step: int
    sources: tuple[str, ...] = ()
    band: str | None = None  # the municipalities of one size band (SIZE_BANDS), or None: all of them

    @property
    def key(self) -> str:
        """``series@year`` (``series[band]@year`` for a size band): the target's name in the fit and tables."""
        return f"{self.series}{f'[{self.band}]' if self.band else ''}@{self.year}"

    @property
    def sd(self) -> float:
        """The total standard deviation: sampling error and model discrepancy, in quadrature."""
        return math.sqrt(self.sampling_sd ** 2 + self.discrepancy ** 2)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (manifest, fingerprint and tables)."""
        return dict(key=self.key, series=self.series, year=self.year, observed=self.observed, n=self.n,
                    sampling_sd=self.sampling_sd, discrepancy=self.discrepancy, sd=self.sd,
                    innovations=list(self.innovations), measure=self.measure, step=self.step,
                    **({"band": self.band} if self.band else {}))


@dataclass
class CalibrationPlan:
    """A calibration ready to run: the file as given and validated, the scenario, the fitted parameters
    and the targets (``targets`` are fitted; ``checked`` are every series the file maps, fitted or not)."""

    calibration: Calibration
    data: dict
    source: str
    name: str
    scenario: Scenario
    scenario_file: str
    observed_file: str
    fitted: list[FittedParameter]
    targets: list[Target]
    checked: list[Target] = field(default_factory=list)

    @property
    def tolerance(self) -> float:
        """Where the fit stops shrinking its tolerance: ``budget.tolerance``, or sqrt(targets) — the distance
        of runs that miss every target by one standard deviation."""
        given = self.calibration.budget.tolerance
        return given if given is not None else math.sqrt(len(self.targets))

    def fingerprint(self) -> dict[str, Any]:
        """Everything that decides the generations of the fit (a resumed fit must match it exactly). The
        stopping rules (runs, generations, tolerance, minimum acceptance rate) are not in it: they only say
        where the same sequence of generations stops, so a finished fit can be extended."""
        b = self.calibration.budget
        return {
            "scenario": self.scenario.resolved(),
            "fitted": [f.as_dict() for f in self.fitted],
            "targets": [t.as_dict() for t in self.targets],
            "seed": self.calibration.seed,
            "budget": dict(population=b.population, replications=b.replications),
            # the scale pyabc's database holds the values on (.scale): a fit stored on another cannot resume
            "sampler_scale": SAMPLER_SCALE,
        }

    def fingerprint_hash(self) -> str:
        """A short hash of :meth:`fingerprint`."""
        text = json.dumps(self.fingerprint(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def without_series(self, series: str) -> "CalibrationPlan":
        """The same calibration fitted without the targets of ``series`` (leave one series out)."""
        kept = [t for t in self.targets if t.series != series]
        return replace(self, targets=kept, name=f"{self.name}-without-{series}")

    def with_budget(self, **changes: Any) -> "CalibrationPlan":
        """The same calibration with budget entries replaced (e.g. ``runs=4000``)."""
        calibration = self.calibration.model_copy(deep=True)
        calibration.budget = calibration.budget.model_copy(update=changes)
        return replace(self, calibration=calibration)


def load_calibration(path: str | Path) -> CalibrationPlan:
    """Read, validate and resolve the calibration file ``path``; one InputError lists every problem."""
    data, where = read_yaml(path)
    if data is None:
        raise InputError(f"{path}: the file is empty")
    return parse_calibration(data, str(path), Path(path).resolve().parent, where)


def parse_calibration(data: Any, source: str = "<calibration>", base_dir: str | Path | None = None,
                      where: SourceMap | None = None) -> CalibrationPlan:
    """A calibration given as a mapping (parsed YAML), validated and resolved; relative file names start
    from ``base_dir`` (then the current folder)."""
    calibration = validate_mapping(Calibration, data, source, "a calibration", where)
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    problems: list[Problem] = []
    scenario_path = _find(calibration.scenario, base)
    if scenario_path is None:
        raise fail(source, [Problem(("scenario",), f"file '{calibration.scenario}' not found (looked in "
                                                   f"{base} and {Path.cwd()})")], where)
    scenario = load_scenario(scenario_path)
    observed_file = OBSERVED_FILE
    if calibration.targets.observed is not None:
        found = _find(calibration.targets.observed, base)
        if found is None:
            raise fail(source, [Problem(("targets", "observed"), f"file '{calibration.targets.observed}' "
                                                                 "not found")], where)
        observed_file = found
    points = read_observed(observed_file)
    if any(s.by_size for s in calibration.targets.series):
        points += read_by_size()
    fitted = [_fitted(p, i, scenario, problems) for i, p in enumerate(calibration.parameters)]
    paths = [f.path for f in fitted if f is not None]
    for i, f in enumerate(fitted):
        if f is not None and paths.count(f.path) > 1 and paths.index(f.path) != i:
            problems.append(Problem(("parameters", i, "path"), f"'{f.path}' is listed twice"))
    targets: list[Target] = []
    seen: dict[str, int] = {}
    for i, s in enumerate(calibration.targets.series):
        if s.series in seen:
            problems.append(Problem(("targets", "series", i, "series"),
                                    f"'{s.series}' is listed twice (also series[{seen[s.series]}])"))
            continue
        seen[s.series] = i
        targets.extend(_targets(s, i, calibration, scenario, points, problems))
    b = calibration.budget
    if b.population * b.replications > b.runs:
        problems.append(Problem(("budget", "runs"), f"{b.runs} runs cannot hold one generation: population x "
                                                    f"replications = {b.population * b.replications}"))
    e = calibration.ensemble
    if e.draws * e.replications > MAX_PREDICTIVE_RUNS:
        problems.append(Problem(("ensemble", "draws"), f"{e.draws} draws x {e.replications} replications = "
                                                       f"{e.draws * e.replications} predictive runs; at most "
                                                       f"{MAX_PREDICTIVE_RUNS}"))
    if problems:
        raise fail(source, problems, where)
    name = calibration.name or Path(source).stem
    return CalibrationPlan(calibration, copy.deepcopy(data), source, name, scenario, str(scenario_path),
                           str(observed_file), [f for f in fitted if f is not None], targets, list(targets))


def _find(given: str, base: Path) -> Path | None:
    candidates = [Path(given)] if Path(given).is_absolute() else [base / given, Path.cwd() / given]
    return next((c.resolve() for c in candidates if c.is_file()), None)


def _fitted(p: Prior, i: int, scenario: Scenario, problems: list[Problem]) -> FittedParameter | None:
    """The prior ``p`` (entry ``i``) resolved against ``scenario``, or None after adding its problems."""
    loc = ("parameters", i)
    found = len(problems)
    parameter = BY_NAME.get(p.path.split(".", 1)[1]) if p.path.startswith("parameters.") else None
    if p.path.startswith("parameters.") and parameter is None:
        name = p.path.split(".", 1)[1]
        problems.append(Problem(loc + ("path",), f"no model parameter '{name}'{suggest(name, BY_NAME)}; see "
                                                 "docs/parameters.md"))
        return None
    if parameter is None and not _is_number_at(scenario, p.path, loc, problems):
        return None
    low = p.low if p.low is not None else (parameter.low if parameter else None)
    high = p.high if p.high is not None else (parameter.high if parameter else None)
    if low is None or high is None:
        problems.append(Problem(loc, f"'{p.path}' is not a model parameter: give 'low' and 'high'"))
        return None
    if low >= high:
        problems.append(Problem(loc + ("low",), f"low ({low:g}) must be below high ({high:g})"))
    if p.prior == "loguniform" and low <= 0:
        problems.append(Problem(loc + ("low",), f"prior 'loguniform' needs low > 0 (got {low:g})"))
    if parameter is not None and (low < parameter.low or high > parameter.high):
        problems.append(Problem(loc, f"the prior of '{p.path}' spans {low:g} to {high:g}, beyond what the model "
                                     f"allows ({parameter.low:g} to {parameter.high:g} {parameter.unit})"))
    elif parameter is None and low < high:
        for value in (low, high):
            try:
                with_overrides(scenario, {p.path: value}, source="")
            except InputError as exc:
                text = "; ".join(line.removeprefix(": ").strip() for line in str(exc).splitlines())
                problems.append(Problem(loc, f"the prior of '{p.path}' reaches {value:g}, which the scenario "
                                             f"does not allow: {text}"))
                break
    if len(problems) > found:
        return None
    integer = parameter.integer if parameter is not None else False
    name = p.path.removeprefix("parameters.")
    return FittedParameter(name, p.path, p.prior, float(low), float(high), p.mean, p.sd, integer)


def _is_number_at(scenario: Scenario, path: str, loc: tuple, problems: list[Problem]) -> bool:
    """Whether ``path`` names a number in ``scenario`` (else a problem saying what is there)."""
    node: Any = scenario.model_dump(mode="python")
    for part in path.split("."):
        if isinstance(node, list):
            names = [item.get("name", item.get("type")) if isinstance(item, dict) else None for item in node]
            if part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif part in names:
                node = node[names.index(part)]
            else:
                shown = ", ".join(str(n) for n in names if n)
                problems.append(Problem(loc + ("path",), f"'{path}': no item '{part}'"
                                                         f"{suggest(part, [n for n in names if n])}; items: {shown}"))
                return False
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            keys = sorted(node) if isinstance(node, dict) else []
            problems.append(Problem(loc + ("path",), f"'{path}' does not exist in the scenario: no '{part}'"
                                                     f"{suggest(part, keys)}"))
            return False
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        problems.append(Problem(loc + ("path",), f"'{path}' is not a number in the scenario; only numbers "
                                                 "can be fitted"))
        return False
    return True


def _targets(s: Series, i: int, calibration: Calibration, scenario: Scenario, points: list[Point],
             problems: list[Problem]) -> list[Target]:
    """The targets of series entry ``s`` (entry ``i``), or none after adding its problems."""
    loc = ("targets", "series", i)
    known = series_names(points)
    if s.series not in known:
        problems.append(Problem(loc + ("series",), f"no series '{s.series}' in the observed file"
                                                   f"{suggest(s.series, known)}; series: {', '.join(known)}"))
        return []
    names = [s.innovation] if isinstance(s.innovation, str) else list(s.innovation or [s.series])
    innovations = {inn.name: inn for inn in scenario.innovations}
    bad = False
    for name in names:
        if name not in innovations:
            hint = "" if s.innovation else "; give 'innovation:' to measure the series on others"
            problems.append(Problem(loc + ("innovation",), f"no innovation '{name}' in the scenario"
                                                           f"{suggest(name, innovations)}{hint}"))
            bad = True
        elif "municipality" not in innovations[name].applies_to:
            problems.append(Problem(loc + ("innovation",), f"'{name}' does not apply to municipalities; the "
                                                           "observed shares are of municipalities"))
            bad = True
    mine = [p for p in points if p.series == s.series and p.band is None]
    years = [p.year for p in mine]
    if s.years is not None:
        missing = [y for y in s.years if y not in years]
        if missing:
            problems.append(Problem(loc + ("years",), f"no observed point in {', '.join(map(str, missing))}; "
                                                      f"'{s.series}' has {', '.join(map(str, years))}"))
            bad = True
        mine = [p for p in mine if p.year in s.years]
    first, end = scenario.start_year, scenario.start_year + scenario.horizon_years
    quarter = calibration.targets.quarter
    for p in mine:
        if not first <= p.year < end:
            problems.append(Problem(loc, f"'{s.series}' {p.year} is outside the years the scenario simulates "
                                         f"({first}-{end - 1}); give 'years:' or change the scenario"))
            bad = True
    banded = [p for p in points if p.series == s.series and p.band is not None and p.year in years
              and (s.years is None or p.year in s.years) and first <= p.year < end] if s.by_size else []
    if s.by_size and not banded:
        problems.append(Problem(loc + ("by_size",), f"no share by size band of '{s.series}' in the years fitted"))
        bad = True
    if bad:
        return []
    discrepancy = s.discrepancy if s.discrepancy is not None else calibration.targets.discrepancy
    return [Target(p.series, p.year, p.share, p.n, p.sampling_sd, discrepancy, tuple(names), s.measure,
                   QUARTERS_PER_YEAR * (p.year - first) + quarter, p.sources, p.band) for p in mine + banded]
