"""Posterior ensembles: parameter uncertainty carried into ``spridning run`` and ``spridning compare``.

An ensemble file (``ensemble.yaml``, written by ``spridning calibrate``) lists parameter *draws* from a
posterior — each a mapping of dotted scenario paths to values — and how many replications each draw gets:

    kind: posterior_ensemble
    calibration: welfare_technology
    replications: 5
    draws:
      - {parameters.p_external: 0.0213, parameters.pilot_start_rate: 0.41}
      - {parameters.p_external: 0.0187, parameters.pilot_start_rate: 0.52}

``spridning run SCENARIO --ensemble FILE`` runs one replication set per draw: the scenario with the draw's
values. Run *i* (draw ``i // R``, replication ``i % R``) runs on replication seed *i* of the root seed, its
own random stream, so the runs' spread is the posterior predictive's: parameter uncertainty and chance.
Every scenario over the same draws runs run *i* on the same seed (common random numbers across portfolios),
so a comparison pairs run *(draw d, replication r)* of a portfolio with the same run of the baseline: its
differences carry parameter uncertainty as well as stochastic noise, without the noise of unpaired runs.
(Until 2026-12-07 every draw ran on seeds 0 .. R-1: 40 draws x 1 replication then held one throw of chance,
and the historical scenario's check of the 2020 stall read −3.4 pp on it where five streams give +0.5.)
``--reps`` is then per draw (default: the file's).

The runs are flat: run *i* is draw ``i // R``, replication ``i % R``; ``replications.csv`` has the columns
``draw`` and ``draw_replication`` and the manifest records the ensemble and every run's seed.

:func:`ensemble_runs` is how the commands use it: while it is active, the runs and folders of
:mod:`model.batch` and :mod:`model.compare` (their module-level ``run_scenario`` and ``write_folder``) go
through the ensemble, so a comparison with ``--ensemble`` writes exactly the tables, charts and reports
of one without; it raises if a command it wraps never ran a scenario through it.
"""

from __future__ import annotations

import json
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Iterator, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from ..batch import ScenarioResults, StreamedResults, stream_replications
from ..errors import Checked, InputError, validate_mapping
from ..outcomes.collect import Outcomes
from ..parameters import CALIBRATED, POSTERIOR
from ..processes import imap_indexed
from ..results import atomic_folder, summary_table, write_json
from ..runner import default_workers, numbered_runs, replication_seeds, run
from ..scenario import Scenario, with_overrides
from ..yamlio import SourceMap, read_yaml

DRAW_COLUMNS = ("draw", "draw_replication")


class EnsembleFile(Checked):
    """The schema of an ensemble file (see the module docstring)."""

    kind: Literal["posterior_ensemble"] = "posterior_ensemble"
    calibration: str = ""
    description: str = ""
    replications: int = Field(5, ge=1, le=100_000)
    draws: list[dict[str, float]] = Field(min_length=1)

    @field_validator("draws", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        if isinstance(value, list):
            for i, draw in enumerate(value):
                if isinstance(draw, dict):
                    for key, number in draw.items():
                        if isinstance(number, bool):
                            raise ValueError(f"item {i}, {key}: expected a number, got a yes/no value")
                        if not isinstance(number, (int, float)):
                            raise ValueError(f"item {i}, {key}: expected a number, got {number!r}")
        return value


@dataclass
class Ensemble:
    """A validated ensemble file."""

    path: str
    spec: EnsembleFile
    where: SourceMap
    #: calibrated parameters the scenario sets itself (not drawn: :func:`default_posterior`)
    fixed: tuple[str, ...] = ()

    @property
    def draws(self) -> list[dict[str, float]]:
        """The parameter draws, each a mapping of dotted paths to values."""
        return self.spec.draws

    def scenarios(self, scenario: Scenario) -> list[Scenario]:
        """``scenario`` with each draw's values; an InputError names the file, line and draw at fault. A
        lever effect size (``lever_effects.TYPE.FIELD``, ``spridning compare --lever-effects``) is set on
        every lever of that type the scenario leaves at its default (:func:`model.levers.anchors.apply`). A
        value of a fitted event (``events.NAME.KEY[.SUB]``) is set where the scenario has the event NAME and
        not applied where it has none: it describes that event (:func:`absent_events`)."""
        from ..levers.anchors import PREFIX, with_values

        out = []
        absent = absent_events(self.draws[0], scenario)
        for i, draw in enumerate(self.draws):
            plain = {k: v for k, v in draw.items() if not k.startswith(PREFIX) and k not in absent}
            effects = {k: v for k, v in draw.items() if k.startswith(PREFIX)}
            try:
                drawn = with_overrides(scenario, plain, source="")
                if effects:
                    data = with_values(drawn.model_dump(mode="python"), effects)
                    drawn = with_overrides(drawn, {"levers": data["levers"]}, source="")
                out.append(drawn)
            except InputError as exc:
                line = self.where.line(("draws", i))
                text = "; ".join(part.removeprefix(": ").strip() for part in str(exc).splitlines())
                raise InputError(f"{self.path}:{line}: draws[{i}]: cannot be applied to scenario "
                                 f"'{scenario.name}': {text}") from None
        return out


def load_ensemble(path: str | Path) -> Ensemble:
    """Read and validate an ensemble file; InputError ``FILE:LINE: field: problem`` otherwise."""
    data, where = read_yaml(path)
    if data is None:
        raise InputError(f"{path}: the file is empty")
    spec = validate_mapping(EnsembleFile, data, str(path), "an ensemble", where)
    keys = set(spec.draws[0])
    for i, draw in enumerate(spec.draws):
        if set(draw) != keys:
            line = where.line(("draws", i))
            raise InputError(f"{path}:{line}: draws[{i}]: sets {', '.join(sorted(draw))} but draws[0] sets "
                             f"{', '.join(sorted(keys))}; every draw sets the same parameters")
    return Ensemble(str(path), spec, where)


class _Draws:
    """What the results of a scenario over an ensemble add to a plain scenario's (:class:`EnsembleResults`
    in memory, :class:`StreamedEnsembleResults` streamed): ``per_draw`` runs per draw, draw by draw."""

    ensemble: Ensemble | None
    per_draw: int

    @property
    def replications(self) -> pd.DataFrame:
        """One row per run: ``replication`` (the run), ``draw``, ``draw_replication``, the outcomes."""
        frame = super().replications.copy()  # type: ignore[misc]  # the base class builds its frame once
        index = np.arange(len(frame))
        frame.insert(1, "draw", index // self.per_draw)
        frame.insert(2, "draw_replication", index % self.per_draw)
        return frame

    @property
    def summary(self) -> pd.DataFrame:
        """Each outcome's mean and intervals over every run of every draw."""
        return summary_table(self.replications.drop(columns=["replication", *DRAW_COLUMNS]))

    def manifest_entries(self) -> dict[str, Any]:
        """What the manifest records beyond a plain run: the ensemble and every run's seed."""
        runs = self.runs  # type: ignore[attr-defined]
        seeds = replication_seeds(self.seed, runs)  # type: ignore[attr-defined]
        return {
            "replications": runs,
            "ensemble": {"file": self.ensemble.path if self.ensemble else None,
                         "calibration": self.ensemble.spec.calibration if self.ensemble else None,
                         "over": over_text(runs // self.per_draw, self.per_draw),
                         "fixed_by_scenario": list(self.ensemble.fixed) if self.ensemble else [],
                         "draws": self.ensemble.draws if self.ensemble else [],
                         "replications_per_draw": self.per_draw},
            "replication_seeds": [{"run": i, "draw": i // self.per_draw, "draw_replication": i % self.per_draw,
                                   "entropy": s.entropy, "spawn_key": list(s.spawn_key)}
                                  for i, s in enumerate(seeds)],
            "seeds_note": "run i (draw i // R, replication i % R) ran model.run(scenario with the draw's values, "
                          "model.runner.replication_seed(root_seed, i)): its own seed, the same in every "
                          "scenario over these draws",
        }


@dataclass
class EnsembleResults(_Draws, ScenarioResults):
    """The runs of a scenario over an ensemble: ``draws`` x ``per_draw`` outcomes, draw by draw."""

    ensemble: Ensemble | None = None
    per_draw: int = 1


@dataclass
class StreamedEnsembleResults(_Draws, StreamedResults):
    """The runs of a scenario over an ensemble written to a folder as they ran (their scalar outcomes in
    memory, :class:`model.batch.StreamedResults`): ``draws`` x ``per_draw`` runs, draw by draw."""

    ensemble: Ensemble | None = None
    per_draw: int = 1


def _run_job(job: tuple[Scenario, np.random.SeedSequence, int]) -> tuple[int, Outcomes]:
    scenario, seed, index = job
    return index, run(scenario, seed)


def run_ensemble(scenario: Scenario, ensemble: Ensemble, replications: int | None = None, seed: int | None = None,
                 workers: int | None = None, progress: bool = True, label: str | None = None) -> EnsembleResults:
    """Run ``scenario`` once per draw of ``ensemble`` with ``replications`` R each (default: the file's),
    run (draw d, replication r) on replication seed ``d * R + r`` of root ``seed`` (default: the scenario's;
    :func:`model.runner.numbered_runs`), on ``workers`` processes (default: all cores)."""
    import tqdm

    tqdm.tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked from this one
    scenarios = ensemble.scenarios(scenario)
    per_draw = replications or ensemble.spec.replications
    root = scenario.seed if seed is None else seed
    jobs = [(s, seed_i, i) for i, s, seed_i in numbered_runs(scenarios, per_draw, root)]
    results: list[Outcomes | None] = [None] * len(jobs)
    start = time.perf_counter()
    with tqdm.tqdm(total=len(jobs), desc=label or scenario.name, unit="run", disable=not progress,
                   leave=False) as bar:
        index, results[0] = _run_job(jobs[0])
        bar.update(1)
        workers = min(workers or default_workers(), len(jobs) - 1)
        rest = (imap_indexed(_run_job, jobs[1:], workers, chunksize=max(1, len(jobs) // (8 * workers)))
                if workers > 1 else map(_run_job, jobs[1:]))
        for index, outcome in rest:
            results[index] = outcome
            bar.update(1)
    return EnsembleResults(scenario, results, root, time.perf_counter() - start,  # type: ignore[arg-type]
                           ensemble=ensemble, per_draw=per_draw)


def write_ensemble_folder(write_folder: Any, results: ScenarioResults, out: Path, *args: Any, **kwargs: Any) -> Path:
    """Write ``results`` with ``write_folder`` (:func:`model.batch.write_folder`) into ``out`` atomically;
    for ensemble results, the manifest records the ensemble and every run's seed, and ``ensemble.json``
    the draws."""
    if not isinstance(results, EnsembleResults):
        return write_folder(results, out, *args, **kwargs)
    out = Path(out)
    with atomic_folder(out) as tmp:
        inner = tmp / "runs"
        write_folder(results, inner, *args, **kwargs)
        for item in inner.iterdir():
            item.rename(tmp / item.name)
        shutil.rmtree(inner)
        _record_ensemble(results, tmp)
    return out


def _record_ensemble(results: _Draws, folder: Path) -> None:
    """Add the ensemble and every run's seed to ``folder``'s manifest, and its draws as ``ensemble.json``."""
    manifest_path = folder / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest.update(results.manifest_entries())
        write_json(manifest, manifest_path)
    write_json(results.manifest_entries()["ensemble"], folder / "ensemble.json")


def stream_ensemble(scenario: Scenario, ensemble: Ensemble, tmp: Path, replications: int | None = None,
                    seed: int | None = None, workers: int | None = None, source: str | None = None,
                    progress: bool = True, label: str | None = None, **finish: Any) -> StreamedEnsembleResults:
    """Run ``scenario`` over ``ensemble`` (``replications`` per draw, default the file's; the seeds of
    :func:`run_ensemble`) and write its results folder into the (temporary) folder ``tmp`` as the runs
    finish (:func:`model.batch.stream_replications`, which takes ``finish``: ``charts``, ``report``,
    ``by_year``), so only the runs' scalar outcomes are held; the folder is that of
    :func:`write_ensemble_folder` for the same runs."""
    per_draw = replications or ensemble.spec.replications
    make = partial(StreamedEnsembleResults, ensemble=ensemble, per_draw=per_draw)
    results = stream_replications(scenario, tmp, per_draw, seed, workers, source, progress, label=label,
                                  draws=ensemble.scenarios(scenario), make=make, **finish)
    _record_ensemble(results, tmp)
    return results


@contextmanager
def ensemble_runs(path: str | Path, replications: int | None = None) -> Iterator[Ensemble]:
    """While active, :mod:`model.batch` and :mod:`model.compare` run every scenario over the ensemble in
    ``path`` (``replications`` per draw; default: the file's) and write its folders with the ensemble's
    seeds in the manifest. Raises InputError for a bad file (before anything runs) and RuntimeError if
    nothing ran through it (a command it does not know how to wrap)."""
    from .. import batch, compare

    ensemble = load_ensemble(path)
    calls = {"run": 0}
    modules = [m for m in (batch, compare) if hasattr(m, "run_scenario")]
    saved = {(m, name): getattr(m, name) for m in modules for name in ("run_scenario", "write_folder")
             if hasattr(m, name)}
    original_write = batch.write_folder

    def runner(scenario: Scenario, reps: int | None = None, seed: int | None = None, workers: int | None = None,
               progress: bool = True, label: str | None = None) -> EnsembleResults:
        calls["run"] += 1
        return run_ensemble(scenario, ensemble, replications, seed, workers, progress, label)

    def writer(results: ScenarioResults, out: Path, *args: Any, **kwargs: Any) -> Path:
        return write_ensemble_folder(original_write, results, out, *args, **kwargs)

    for module, name in saved:
        setattr(module, name, runner if name == "run_scenario" else writer)
    try:
        yield ensemble
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)
    if calls["run"] == 0:
        raise RuntimeError("--ensemble: no scenario ran through the ensemble (model.batch or model.compare no "
                           "longer runs scenarios through run_scenario); the results would ignore it")


def over_text(draws: int, per_draw: int) -> str:
    """``over 40 posterior draws × 1 replication``: what the manifest and summaries say."""
    return f"over {draws} posterior draws × {per_draw} replication{'s' if per_draw != 1 else ''}"


#: the shipped posterior ensemble (``make posterior`` writes it; see its folder's SOURCE.md)
SHIPPED = POSTERIOR / "ensemble.yaml"


def spread(total: int, available: int, draws: int | None = None, per_draw: int | None = None) -> tuple[int, int]:
    """``(draws, replications per draw)`` for a scenario of ``total`` replications over a posterior of
    ``available`` draws: the first ``min(available, total)`` draws, ``max(1, total // draws)`` replications
    each, so the runs stay about the scenario's replications; ``draws`` (``--draws``) and ``per_draw``
    (``--reps``) replace either. InputError when ``draws`` is more than the posterior has."""
    if draws is not None and draws > available:
        raise InputError(f"--draws {draws}: the posterior has {available} draws; give at most {available}")
    n = draws or min(available, total)
    return n, per_draw or max(1, total // n)


def event_value(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a fitted event path ``events.NAME.KEY[.SUB]`` (as :func:`with_overrides`
    reads it), or None when it has no event NAME or the event no such key."""
    _, name, *keys = path.split(".")
    value: Any = next((e for e in scenario.resolved().get("events", [])
                       if isinstance(e, dict) and e.get("name") == name), None)
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def absent_events(draw: dict[str, float], scenario: Scenario) -> set[str]:
    """The event paths of ``draw`` for events ``scenario`` does not have (a policy scenario and the
    historical scenario's pandemic): not applied to it."""
    names = {e.get("name") for e in scenario.resolved().get("events", []) if isinstance(e, dict)}
    return {k for k in draw if k.startswith("events.") and k.split(".")[1] not in names}


def shipped_value(median: float) -> float:
    """The value a fitted path outside ``parameters`` takes in the fitted scenario's file when the posterior
    is shipped (:mod:`model.calibrate.ship`): its median to 3 significant digits."""
    return float(f"{median:.3g}")


@lru_cache(maxsize=1)
def shipped_event_values() -> dict[str, float]:
    """Each fitted event path of the shipped posterior and the value :func:`shipped_value` wrote for it
    (``posterior_summary.csv``): a scenario at that value leaves it to the posterior's draws."""
    summary = pd.read_csv(POSTERIOR / "posterior_summary.csv")
    events = summary[summary.path.str.startswith("events.")]
    return {p: shipped_value(m) for p, m in zip(events.path, events["median"])}


def default_posterior(scenario: Scenario, total: int | None = None, draws: int | None = None,
                      per_draw: int | None = None, point: bool = False) -> Ensemble | None:
    """The shipped posterior ensemble (:data:`SHIPPED`) as ``scenario`` runs over it by default, or None
    when the scenario runs at its point values: ``point`` (``--point``), ``uncertainty: point`` in the file,
    or every calibrated parameter set by the scenario. Its draws set only the calibrated parameters the
    scenario leaves at their calibrated default (:data:`model.parameters.CALIBRATED`, the posterior
    medians); the others are in ``fixed``. ``total`` replications (default: the scenario's) are spread over
    the draws by :func:`spread`; the result's ``spec.replications`` is the replications per draw."""
    if point or scenario.uncertainty == "point":
        return None
    return restricted(load_ensemble(SHIPPED), scenario, total or scenario.replications, draws, per_draw)


def restricted(ensemble: Ensemble, scenario: Scenario, total: int, draws: int | None = None,
               per_draw: int | None = None) -> Ensemble | None:
    """``ensemble`` cut to the draws and replications of :func:`spread` and to the calibrated parameters
    ``scenario`` leaves at their default — a fitted event's values where the scenario has the event at the
    value shipped with the posterior (:func:`shipped_event_values`: the historical scenario) — and the
    lever effect sizes (None when it sets them all and there are none)."""
    params = scenario.parameters
    free, fixed = [], []
    for key in ensemble.draws[0]:
        name = key.removeprefix("parameters.")
        calibrated = CALIBRATED.get(name)
        if key.startswith("lever_effects."):  # lever effect sizes: each scenario's levers take them
            free.append(key)
        elif key.startswith("parameters.") and calibrated and getattr(params, name) == calibrated.median:
            free.append(key)
        elif key.startswith("events."):
            value = event_value(scenario, key)
            if value is None:  # no such event in the scenario: nothing for the draw to set
                continue
            (free if value == shipped_event_values().get(key) else fixed).append(key)
        else:
            fixed.append(key)
    if not free:
        return None
    n, reps = spread(total, len(ensemble.draws), draws, per_draw)
    spec = ensemble.spec.model_copy(update={"replications": reps,
                                            "draws": [{k: d[k] for k in free} for d in ensemble.draws[:n]]})
    return Ensemble(ensemble.path, spec, ensemble.where, fixed=tuple(fixed))


def for_scenario(ensemble: Ensemble, scenario: Scenario) -> Ensemble:
    """``ensemble`` (the shipped posterior as a baseline runs over it: :func:`default_posterior`) as
    ``scenario`` runs over it beside that baseline: the same draws and replications per draw, each setting
    only the calibrated parameters ``scenario`` leaves at their default (:func:`restricted`); when it sets
    them all, empty draws (its own values in every draw, on the same seeds)."""
    n, per_draw = len(ensemble.draws), ensemble.spec.replications
    own = restricted(ensemble, scenario, n * per_draw, n, per_draw)
    if own is None:
        own = Ensemble(ensemble.path, ensemble.spec.model_copy(update={"draws": [{} for _ in ensemble.draws]}),
                       ensemble.where, fixed=tuple(ensemble.draws[0]))
    return own
