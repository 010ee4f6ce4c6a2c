"""Identifiability: which fitted parameters the observed record can pin down.

Two cheap tools on a :class:`~.plan.CalibrationPlan`:

- :func:`synthetic_plan` — the calibration with its observed values replaced by the model's own (mean over
  replications) at known parameters, fitting only some of them (the others fixed at the truth): a fit of
  it should give each identifiable parameter back within its posterior interval (the synthetic-recovery
  test, ``tests/calibrate/test_recovery.py``);
- :func:`distance_profile` — the fit's distance (the Euclidean norm of the misses, each divided by its
  target's standard deviation, as the fit measures it: :mod:`.fit`) as one parameter moves over a grid,
  the others held at a point, on common random numbers: a flat profile means the targets cannot tell the
  values apart (``benchmarks/profile_distance.py`` writes the table ``docs/calibration.md`` quotes).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..runner import run
from ..scenario import with_overrides
from .plan import CalibrationPlan
from .simulate import overrides, target_values

#: a point in the parameter space of ``calibrations/welfare_technology.yaml`` where the profiles and the
#: recovery test are taken: the medians of its fit of 2026-12-07 under the hazard form of pilot starts
#: (model/data/posterior/welfare_technology/SOURCE.md), to four digits; the pandemic's capacity
#: relaxation, fitted but not identified, is the tests' example of a parameter that changes nothing
REFERENCE_POINT = {
    "p_external": 0.03639, "pilot_start_rate": 2.383, "social_proof_floor": 0.3646, "scale_base_logit": -0.6684,
    "capacity_scale": 11.32, "enthusiast_arrival_rate": 1.029, "capacity_elasticity": 0.4396,
    "enthusiast_size_elasticity": 0.5125, "drop_disappointed": 0.5785, "retry_rate": 0.5006,
    "events.trygghetslarm_2016.pressure": 0.4567, "events.pandemic_2020.relaxes.money": 0.7347,
    "events.pandemic_2020.relaxes.capacity": 0.5568, "events.pandemic_2020.ends_trials": 0.4937,
}


def model_targets(plan: CalibrationPlan, values: dict[str, Any], replications: int,
                  seed: int) -> np.ndarray:
    """``(replications, targets)``: every target's value in runs of the plan's scenario with the fitted
    parameters at ``values`` (by name; those not given keep the scenario's values). Replication ``r`` uses
    the seed ``SeedSequence(seed, spawn_key=(r,))`` whatever the values (common random numbers)."""
    given = [f for f in plan.fitted if f.name in values]
    scenario = with_overrides(plan.scenario, overrides(given, values), source="identifiability")
    out = np.empty((replications, len(plan.targets)))
    for r in range(replications):
        measured = target_values(run(scenario, np.random.SeedSequence(seed, spawn_key=(r,))), plan.targets)
        out[r] = [measured[t.key] for t in plan.targets]
    return out


def distances(plan: CalibrationPlan, values: np.ndarray) -> np.ndarray:
    """The fit's distance of each row of ``values`` (``(runs, targets)``) from the plan's observed values."""
    observed = np.array([t.observed for t in plan.targets])
    sd = np.array([t.sd for t in plan.targets])
    return np.sqrt((((values - observed) / sd) ** 2).sum(axis=1))


def synthetic_plan(plan: CalibrationPlan, truth: dict[str, float], fit: list[str], replications: int = 10,
                   seed: int = 1) -> CalibrationPlan:
    """The plan with every target's observed value replaced by the model's mean over ``replications`` runs
    at ``truth`` (every fitted parameter by name), fitting only the parameters named in ``fit``: the
    others are set to their true values in the scenario."""
    missing = sorted({f.name for f in plan.fitted} - set(truth))
    if missing:
        raise ValueError(f"truth lacks fitted parameters: {', '.join(missing)}")
    means = model_targets(plan, truth, replications, seed).mean(axis=0)
    fixed = [f for f in plan.fitted if f.name not in fit]
    scenario = with_overrides(plan.scenario, overrides(fixed, truth), source="synthetic recovery")
    targets = [replace(t, observed=float(v)) for t, v in zip(plan.targets, means)]
    return replace(plan, scenario=scenario, targets=targets, fitted=[f for f in plan.fitted if f.name in fit],
                   name=f"{plan.name}-synthetic")


def distance_profile(plan: CalibrationPlan, at: dict[str, float], points: int = 9, replications: int = 4,
                     seed: int = 1) -> pd.DataFrame:
    """For each fitted parameter: the distance at ``points`` values evenly spread over its prior range (on
    a log scale for a log-uniform prior), the other parameters at ``at`` — one row per parameter and value
    with the mean and standard error of the distance over ``replications`` runs (the same seeds at every
    value); :func:`flat_ranges` summarises it."""
    rows = []
    for f in plan.fitted:
        grid = (np.geomspace(f.low, f.high, points) if f.prior == "loguniform"
                else np.linspace(f.low, f.high, points))
        for value in grid:
            d = distances(plan, model_targets(plan, {**at, f.name: float(value)}, replications, seed))
            rows.append(dict(parameter=f.name, value=float(value), distance=float(d.mean()),
                             se=float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("nan")))
    return pd.DataFrame(rows)


def flat_ranges(profile: pd.DataFrame, plan: CalibrationPlan, slack: float = 0.5) -> pd.DataFrame:
    """For each parameter of a :func:`distance_profile`: the values whose mean distance lies within
    ``slack`` of the profile's smallest (``low`` – ``high``), and the share of the prior's range they span
    (on a log scale for a log-uniform prior) — near 1: the targets cannot tell the values apart; the
    profile's ``spread`` (largest minus smallest mean distance) and its mean standard error."""
    rows = []
    for f in plan.fitted:
        p = profile[profile["parameter"] == f.name]
        near = p[p["distance"] <= p["distance"].min() + slack]["value"]
        scale = np.log if f.prior == "loguniform" else (lambda x: x)
        share = (scale(near.max()) - scale(near.min())) / (scale(f.high) - scale(f.low))
        rows.append(dict(parameter=f.name, low=float(near.min()), high=float(near.max()), flat_share=float(share),
                         spread=float(p["distance"].max() - p["distance"].min()), se=float(p["se"].mean())))
    return pd.DataFrame(rows)
