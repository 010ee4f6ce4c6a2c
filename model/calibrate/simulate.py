"""What the model says about an observed share: the simulator the fit calls, and the measures of a run.

A share is measured on the run's stage history (``Outcomes.stage_history``) at the end of the survey
quarter of the year (:attr:`~.plan.Target.step`), over the municipalities:

- ``in_use``: the municipality pilots or has adopted any of the target's innovations — what the surveys
  call "offered in the municipality" (a pilot offers it to some users; ending a small trial takes it away);
- ``adopted``: it has adopted (scaled) any of them;
- ``not_in_use``: neither (the share without any digital alarm is this, for the digital-alarm switch).

:class:`Simulator` is the model function of the fit: fitted values in, the share of every target out. Its
runs are seeded from NumPy's global generator, which the fit's sampler seeds for every candidate
(:mod:`.sampler`), so each candidate's result is fixed by the fit's seed and its number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..outcomes.collect import Outcomes
from ..runner import run, run_model
from ..scenario import Scenario, with_overrides
from ..stages import ADOPTED, PILOTING, QUARTERS_PER_YEAR
from ..world.organisations import MUNICIPALITY, SIZE_BANDS
from .plan import FittedParameter, Target
from .scale import model_values


@dataclass(frozen=True)
class SeriesMeasure:
    """How one series is measured: on which innovations, by which measure."""

    series: str
    innovations: tuple[str, ...]
    measure: str


def series_measures(targets: list[Target]) -> list[SeriesMeasure]:
    """One :class:`SeriesMeasure` per series of ``targets``, in order."""
    seen: dict[str, SeriesMeasure] = {}
    for t in targets:
        seen.setdefault(t.series, SeriesMeasure(t.series, t.innovations, t.measure))
    return list(seen.values())


def _columns(outcomes: Outcomes, innovations: tuple[str, ...]) -> list[int]:
    names = list(outcomes.innovation_names)
    return [names.index(n) for n in innovations]


def municipal_values(outcomes: Outcomes, innovations: tuple[str, ...], measure: str, steps) -> np.ndarray:
    """For each of ``steps`` (indices into the stage history) and each municipality: 1.0 where the measure
    holds, else 0.0 — shape ``(len(steps), municipalities)``."""
    muni = outcomes.orgs.kind == MUNICIPALITY
    stages = outcomes.stage_history[np.asarray(steps)][:, muni][:, :, _columns(outcomes, innovations)]
    if measure == "adopted":
        held = (stages == ADOPTED).any(axis=2)
    else:
        held = ((stages == ADOPTED) | (stages == PILOTING)).any(axis=2)
        if measure == "not_in_use":
            held = ~held
    return held.astype(float)


def target_values(outcomes: Outcomes, targets: list[Target]) -> dict[str, float]:
    """The model's value of every target in one run, by target key (a size band's target: the share among
    the municipalities of its band). ``outcomes`` may also be the run's model (it has the same
    ``orgs``, ``innovation_names`` and ``stage_history``): the fit's runs skip collecting the outcomes.

    The same numbers as :func:`municipal_values` per target, with the municipalities' stages picked once
    per survey quarter rather than once per target (a tenth of a calibration run, issue 21)."""
    orgs = outcomes.orgs
    muni = orgs.kind == MUNICIPALITY
    band = orgs.size_band[muni]
    names = {name: j for j, name in enumerate(outcomes.innovation_names)}
    at_step: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    out = {}
    for t in targets:
        if t.step not in at_step:
            stages = outcomes.stage_history[t.step][muni]  # (municipalities, k)
            at_step[t.step] = (stages == ADOPTED, (stages == ADOPTED) | (stages == PILOTING))
        adopted, in_use = at_step[t.step]
        held = (adopted if t.measure == "adopted" else in_use)[:, [names[n] for n in t.innovations]].any(axis=1)
        if t.measure == "not_in_use":
            held = ~held
        if t.band is not None:
            held = held[band == SIZE_BANDS.index(t.band)]
        # the mean of the 0/1 values as municipal_values(...).mean() computes it: a whole count over the size
        out[t.key] = float(np.float64(np.count_nonzero(held)) / held.size)
    return out


def yearly_paths(outcomes: Outcomes, measures: list[SeriesMeasure], quarter: int) -> np.ndarray:
    """Each series' share at the end of the survey quarter of every simulated year: ``(series, years)``."""
    years = outcomes.stage_history.shape[0] // QUARTERS_PER_YEAR
    steps = [min(QUARTERS_PER_YEAR * y + quarter, outcomes.stage_history.shape[0] - 1) for y in range(years)]
    return np.array([municipal_values(outcomes, m.innovations, m.measure, steps).mean(axis=1)
                     for m in measures])


def size_band_shares(outcomes: Outcomes, measures: list[SeriesMeasure], step: int) -> np.ndarray:
    """Each series' share within each municipal size band at ``step``: ``(series, bands)``."""
    orgs = outcomes.orgs
    band = orgs.size_band[orgs.kind == MUNICIPALITY]
    out = np.full((len(measures), len(SIZE_BANDS)), np.nan)
    for i, m in enumerate(measures):
        held = municipal_values(outcomes, m.innovations, m.measure, [step])[0]
        for b in range(len(SIZE_BANDS)):
            if (band == b).any():
                out[i, b] = held[band == b].mean()
    return out


def early_adopter_ratio(outcomes: Outcomes, innovations: tuple[str, ...], early_share: float = 0.25) -> float:
    """Median population of the first ``early_share`` of the municipalities that ever used the innovation
    (by the quarter they began) over the median population of all other municipalities; NaN if fewer than
    four ever used it."""
    orgs = outcomes.orgs
    muni = orgs.kind == MUNICIPALITY
    steps = range(outcomes.stage_history.shape[0])
    used = municipal_values(outcomes, innovations, "in_use", steps)  # (steps, municipalities)
    ever = used.any(axis=0)
    if ever.sum() < 4:
        return float("nan")
    first = np.where(ever, used.argmax(axis=0), np.iinfo(np.int32).max)
    order = np.argsort(first, kind="stable")
    n_early = max(1, int(round(early_share * ever.sum())))
    early = np.zeros(len(first), dtype=bool)
    early[order[:n_early]] = True
    population = orgs.population[muni]
    return float(np.median(population[early]) / np.median(population[~early]))


class Simulator:
    """The fit's model function: ``simulator(values)`` runs the scenario with the fitted ``values`` (by
    parameter name) ``replications`` times and returns the mean value of every target, by key. Its runs
    stop at the last target's quarter (the shipped calibration's surveys end in 2023, its scenario in
    2024): the quarters after it change none of its values."""

    def __init__(self, scenario: Scenario, fitted: list[FittedParameter], targets: list[Target],
                 replications: int = 1) -> None:
        self.scenario = scenario
        self.fitted = list(fitted)
        self.targets = list(targets)
        self.replications = replications

    def scenario_for(self, values: dict[str, Any]) -> Scenario:
        """The scenario with the fitted ``values`` set (whole-number parameters rounded)."""
        return with_overrides(self.scenario, overrides(self.fitted, values), source="calibration")

    def __call__(self, sampled: dict[str, Any]) -> dict[str, float]:
        """Run and measure the parameter set ``sampled`` (pyabc's values, on the sampler's logit scale:
        :mod:`.scale`); the runs' seed comes from NumPy's global generator (seeded per candidate)."""
        root = int(np.random.randint(0, 2**62, dtype=np.int64))
        scenario = self.scenario_for(model_values(self.fitted, sampled))
        total = dict.fromkeys((t.key for t in self.targets), 0.0)
        last = max(t.step for t in self.targets)  # the quarters after the last survey change no target
        for r in range(self.replications):
            # the run's model, not its outcomes: the targets read only its stage history
            measured = target_values(run_model(scenario, np.random.SeedSequence(root, spawn_key=(r,)), until=last),
                                     self.targets)
            for key, value in measured.items():
                total[key] += value / self.replications
        return total


def overrides(fitted: list[FittedParameter], values: dict[str, Any]) -> dict[str, float | int]:
    """Scenario overrides (dotted path -> value) of fitted ``values`` given by parameter name."""
    return {f.path: int(round(float(values[f.name]))) if f.integer else float(values[f.name]) for f in fitted}
