"""The posterior predictive: what the fitted model says about every observed point, and more.

Parameter sets are drawn from the posterior by weight (systematic resampling with the calibration's seed:
the same posterior gives the same draws); each draw runs ``replications`` times on replication seeds
0 .. R-1 of the seed (the same for every draw, as ``--ensemble`` runs do). Every run is measured in its
worker process (only numbers come back): the value of every mapped target, each series' share in every
survey quarter, each series' share by municipal size band in :data:`GRADIENT_YEAR`, and how much larger
the early users of digital night supervision are (:func:`~.simulate.early_adopter_ratio`).

:func:`target_table` compares the band with each observed point: a target is *met* when the predictive
mean lies within two standard deviations (sampling and discrepancy) of the observed share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..processes import imap_indexed
from ..runner import default_workers, numbered_runs, run
from ..scenario import Scenario
from ..world.organisations import SIZE_BANDS
from .plan import CalibrationPlan, Target
from .simulate import (SeriesMeasure, early_adopter_ratio, overrides, series_measures, size_band_shares,
                       target_values, yearly_paths)
from ..stages import QUARTERS_PER_YEAR

#: the year of the size-band comparison (the last survey with most series)
GRADIENT_YEAR = 2022
#: the series whose early users are compared with the rest (the reported pattern)
EARLY_SERIES = "digital_nattillsyn_aldreomsorg"
MET_SDS = 2.0


def posterior_draws(posterior: pd.DataFrame, names: list[str], n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets drawn from ``posterior`` (columns ``names`` and ``weight``) by systematic
    resampling: one uniform offset from ``seed``, so the same posterior and seed give the same draws."""
    weights = posterior["weight"].to_numpy(dtype=float)
    weights = weights / weights.sum()
    offset = np.random.default_rng(seed).random()
    picks = np.searchsorted(np.cumsum(weights), (offset + np.arange(n)) / n)
    picks = np.minimum(picks, len(weights) - 1)
    draws = posterior.iloc[picks][names].reset_index(drop=True)
    draws.insert(0, "draw", range(n))
    return draws


@dataclass
class Predictive:
    """Measures of the posterior predictive runs (long tables; ``run`` = draw x R + replication)."""

    draws: pd.DataFrame  # draw, fitted parameters
    targets: pd.DataFrame  # run, draw, replication, key, value
    paths: pd.DataFrame  # run, draw, replication, series, year, value
    bands: pd.DataFrame  # run, draw, replication, series, band, value
    early: pd.DataFrame  # run, draw, replication, ratio
    start_year: int


def _measure(job: tuple) -> tuple[int, dict[str, Any]]:
    index, scenario, seed, targets, measures, quarter, gradient_step, early = job
    outcomes = run(scenario, seed)
    return index, {
        "targets": target_values(outcomes, targets),
        "paths": yearly_paths(outcomes, measures, quarter),
        "bands": size_band_shares(outcomes, measures, gradient_step) if gradient_step is not None else None,
        "early": early_adopter_ratio(outcomes, early) if early else float("nan"),
    }


def predictive_runs(plan: CalibrationPlan, draws: pd.DataFrame, replications: int, seed: int,
                    workers: int | None = None, progress: Callable[[int], None] | None = None,
                    targets: list[Target] | None = None) -> Predictive:
    """Run every draw ``replications`` times and measure the runs (see the module docstring)."""
    scenario: Scenario = plan.scenario
    targets = targets if targets is not None else plan.checked
    measures: list[SeriesMeasure] = series_measures(targets)
    first = scenario.start_year
    quarter = plan.calibration.targets.quarter
    last_year = first + scenario.horizon_years - 1
    gradient_step = QUARTERS_PER_YEAR * (min(GRADIENT_YEAR, last_year) - first) + quarter
    early = next((m.innovations for m in measures if m.series == EARLY_SERIES), ())
    scenarios = [_scenario_for(plan, row) for row in draws.to_dict("records")]
    # run i on seed i, its own stream (model.runner.numbered_runs): the predictive's spread is then
    # parameters and chance (on streams shared by every draw, 5 throws of chance)
    jobs = [(i, s, seed_i, targets, measures, quarter, gradient_step, early)
            for i, s, seed_i in numbered_runs(scenarios, replications, seed)]
    workers = min(workers or default_workers(), len(jobs))
    results: list[dict | None] = [None] * len(jobs)
    found = (imap_indexed(_measure, jobs, workers, chunksize=max(1, len(jobs) // (8 * workers)))
             if workers > 1 else map(_measure, jobs))
    for index, result in found:
        results[index] = result
        if progress is not None:
            progress(1)
    return _tables(results, draws, replications, targets, measures, first)


def _scenario_for(plan: CalibrationPlan, row: dict[str, Any]) -> Scenario:
    from ..scenario import with_overrides

    return with_overrides(plan.scenario, overrides(plan.fitted, row), source="posterior draw")


def _tables(results: list, draws: pd.DataFrame, replications: int, targets: list[Target],
            measures: list[SeriesMeasure], first: int) -> Predictive:
    ids = [(i, i // replications, i % replications) for i in range(len(results))]
    target_rows = [(i, d, r, key, value)
                   for (i, d, r), res in zip(ids, results) for key, value in res["targets"].items()]
    path_rows, band_rows = [], []
    for (i, d, r), res in zip(ids, results):
        for s, m in enumerate(measures):
            path_rows.extend((i, d, r, m.series, first + y, v) for y, v in enumerate(res["paths"][s]))
            if res["bands"] is not None:
                band_rows.extend((i, d, r, m.series, SIZE_BANDS[b], v) for b, v in enumerate(res["bands"][s]))
    cols = ["run", "draw", "replication"]
    return Predictive(
        draws=draws,
        targets=pd.DataFrame(target_rows, columns=cols + ["key", "value"]),
        paths=pd.DataFrame(path_rows, columns=cols + ["series", "year", "value"]),
        bands=pd.DataFrame(band_rows, columns=cols + ["series", "band", "value"]),
        early=pd.DataFrame([(i, d, r, res["early"]) for (i, d, r), res in zip(ids, results)],
                           columns=cols + ["ratio"]),
        start_year=first,
    )


def target_table(targets: list[Target], fitted_keys: set[str], predictive: Predictive) -> pd.DataFrame:
    """One row per target: observed share and its uncertainty, whether it was fitted, the predictive mean
    and 95 % band (2.5th-97.5th percentile of runs), the miss in standard deviations, met or missed."""
    values = predictive.targets.groupby("key")["value"]
    stats = pd.DataFrame({"mean": values.mean(), "low": values.quantile(0.025), "high": values.quantile(0.975)})
    rows = []
    for t in targets:
        s = stats.loc[t.key]
        z = (s["mean"] - t.observed) / t.sd
        rows.append(dict(key=t.key, series=t.series, band=t.band or "", year=t.year, measure=t.measure,
                         observed=t.observed,
                         sampling_sd=t.sampling_sd, discrepancy=t.discrepancy, sd=t.sd,
                         fitted=t.key in fitted_keys, predicted=s["mean"], band_low=s["low"], band_high=s["high"],
                         miss_sd=z, met=bool(abs(z) <= MET_SDS),
                         in_band=bool(s["low"] <= t.observed <= s["high"])))
    return pd.DataFrame(rows)
