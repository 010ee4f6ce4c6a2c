"""Sensitivity indices from a finished sweep, with confidence intervals, noise and convergence checks.

For each outcome the runs of a sample point are averaged over its replications (``fill_nan`` first
replaces NaN, e.g. "never reached 50 %", and ``fill_inf`` replaces +/-infinity; otherwise replications
that report NaN are left out of the mean) and SALib's analyser (through :class:`SALib.ProblemSpec`) gives
the indices:

* Sobol': ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` per factor (or group), and ``S2``, ``S2_conf`` per pair
  with ``second_order: true``. ``*_conf`` is the half-width of the bootstrap confidence interval.
* Morris: ``mu``, ``mu_star``, ``mu_star_conf``, ``sigma`` per factor (or group), ranked by ``mu_star``.

Checks that become warnings: confidence intervals wider than ``max_conf`` (with the N that would bring
them down: half-widths shrink as 1/sqrt(N)), stochastic noise that remains after averaging the
replications, outcomes that are NaN or infinite at some sample points, or the same at every point.
An outcome with such points gets no indices (and no numpy warning is printed); its diagnostics count them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .plan import Plan, next_power_of_two, one_line

NOISE_WARN = 0.05  # warn when stochastic noise is more than this share of an averaged outcome's variance


@dataclass
class OutcomeResult:
    """The analysis of one outcome: its indices (None when they could not be computed: see ``warnings``),
    the diagnostics recorded in the manifest, and warnings for the user (one line each)."""

    outcome: str
    indices: pd.DataFrame | None  # one row per factor (or group)
    second_order: pd.DataFrame | None = None  # one row per pair (Sobol' with second_order)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def outcome_matrix(runs: pd.DataFrame, outcome: str, n_points: int, replications: int) -> np.ndarray:
    """The outcome of every run as (sample points x replications); all NaN if no run reported it."""
    if outcome not in runs.columns:
        return np.full((n_points, replications), np.nan)
    values = runs[outcome].to_numpy(dtype=float)
    return values.reshape(n_points, replications)


def filled(matrix: np.ndarray, fill_nan: float | None, fill_inf: float | None) -> np.ndarray:
    """``matrix`` with NaN replaced by ``fill_nan`` and +/-infinity by ``fill_inf`` (where given)."""
    if fill_nan is not None:
        matrix = np.where(np.isnan(matrix), fill_nan, matrix)
    if fill_inf is not None:
        matrix = np.where(np.isinf(matrix), fill_inf, matrix)
    return matrix


def average(matrix: np.ndarray) -> np.ndarray:
    """The mean over replications of each point (points x replications -> points), NaN left out; a point
    with NaN in every replication stays NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(matrix, axis=1)


def noise_share(matrix: np.ndarray, y: np.ndarray) -> float:
    """Share of the variance of the averaged outcome that is stochastic noise, not the factors.

    The deviations of each replication from its point's mean are split into a part common to all points
    (replication r shares its seed everywhere: common random numbers) and a point-specific part. Only the
    point-specific part blurs the indices; its variance, divided by the replications averaged, is compared
    with the variance of the averaged outcome across points.
    """
    reps = matrix.shape[1]
    if reps < 2:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dev = matrix - y[:, None]
        common = np.nanmean(dev, axis=0, keepdims=True)
        resid = dev - common
        n = np.sum(~np.isnan(resid))
        points = np.sum(~np.isnan(y))
        if n <= points or points < 2:
            return math.nan
        per_run = np.nansum(resid ** 2) / (n - points)
        total = np.nanvar(y, ddof=1)
    if not total > 0:
        return math.nan
    return float(min(1.0, per_run / reps / total))


def _bootstrap_seed(plan: Plan) -> int:
    """SALib's bootstrap seed, from the plan's root seed."""
    return int(plan.seed % (2**32 - 1)) + 1  # SALib ignores a seed of 0


def analyse_outcome(plan: Plan, X: np.ndarray, runs: pd.DataFrame, outcome_index: int) -> OutcomeResult:
    """The indices of ``plan.outcomes[outcome_index]`` from the sample ``X`` (points x factors) and the
    ``runs`` (one row per run, in run order), with diagnostics and warnings. No indices (and a warning that
    says why) where the outcome is NaN in every replication of a point, infinite at a point, or the same
    at every point."""
    from SALib import ProblemSpec

    spec_outcome = plan.outcomes[outcome_index]
    name = spec_outcome.name
    e = plan.experiment
    n_points = X.shape[0]
    raw = outcome_matrix(runs, name, n_points, plan.replications)
    matrix = filled(raw, spec_outcome.fill_nan, spec_outcome.fill_inf)
    result = OutcomeResult(name, None)
    diag = result.diagnostics
    nan = np.isnan(matrix)
    inf = np.isinf(matrix)
    nan_points = int(nan.all(axis=1).sum())
    inf_points = int(inf.any(axis=1).sum())
    diag.update({"sample_points": n_points, "runs": int(matrix.size), "nan_runs": int(nan.sum()),
                 "nan_points": nan_points, "inf_runs": int(inf.sum()), "inf_points": inf_points})
    if nan_points:
        result.warnings.append(
            f"{name}: {nan_points} of {n_points} sample points gave NaN in every replication (the outcome is "
            f"undefined there); no indices computed. Give a value for those runs, e.g. outcomes: "
            f"[{{name: {name}, fill_nan: <value>}}]")
    if inf_points:
        result.warnings.append(
            f"{name}: {inf_points} of {n_points} sample points gave an infinite value; no indices computed "
            f"(bound the model's output or give a value for those runs, e.g. outcomes: "
            f"[{{name: {name}, fill_inf: <value>}}])")
    if nan_points or inf_points:
        return result
    if diag["nan_runs"]:
        result.warnings.append(f"{name}: {diag['nan_runs']} runs gave NaN and were left out of their sample "
                               "point's mean (set fill_nan to count them with a value)")
    y = average(matrix)
    with np.errstate(all="ignore"):
        mean, var = float(np.mean(y)), float(np.var(y, ddof=1)) if n_points > 1 else 0.0
    diag.update({"mean": mean, "variance": var})
    if np.all(y == y[0]):
        result.warnings.append(f"{name}: the outcome is {y[0]:g} at every sample point; no indices computed")
        return result
    if not (math.isfinite(var) and var > 0):
        result.warnings.append(f"{name}: the variance of the outcome across sample points is {var:g}, too "
                               "extreme to apportion; no indices computed (rescale the model's output)")
        return result
    share = noise_share(matrix, y)
    diag["noise_share"] = share
    if math.isfinite(share) and share > NOISE_WARN:
        reps = math.ceil(plan.replications * share / NOISE_WARN)
        result.warnings.append(
            f"{name}: stochastic noise is {share:.0%} of the variance of the outcome averaged over "
            f"{plan.replications} replications; indices smaller than about {share:.2f} cannot be told from "
            f"noise. Use replications: {reps} or more (the noise share falls as 1/replications)")

    spec = ProblemSpec({**plan.problem(), "outputs": [name]})
    spec.set_samples(np.asarray(X, dtype=float))
    spec.set_results(y)
    labels = plan.labels
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")
        if e.method == "sobol":
            spec.analyze_sobol(calc_second_order=e.second_order, num_resamples=e.resamples,
                               conf_level=e.confidence_level, seed=_bootstrap_seed(plan))
        else:
            spec.analyze_morris(num_resamples=e.resamples, conf_level=e.confidence_level,
                                num_levels=e.levels, seed=_bootstrap_seed(plan))
    for w in caught:
        if not issubclass(w.category, (DeprecationWarning, RuntimeWarning, FutureWarning)):
            result.warnings.append(f"{name}: SALib: {one_line(str(w.message))}")
    res = spec.analysis
    if e.method == "sobol":
        table = pd.DataFrame({"factor": labels, "S1": res["S1"], "S1_conf": res["S1_conf"],
                              "ST": res["ST"], "ST_conf": res["ST_conf"]})
        if e.second_order:
            rows = []
            s2, s2c = np.asarray(res["S2"]), np.asarray(res["S2_conf"])
            for i in range(len(labels)):
                for j in range(i + 1, len(labels)):
                    rows.append({"factor_a": labels[i], "factor_b": labels[j], "S2": s2[i, j],
                                 "S2_conf": s2c[i, j]})
            result.second_order = pd.DataFrame(rows)
        _check_sobol(plan, table, result)
    else:
        mu_star = np.asarray(res["mu_star"], dtype=float)
        table = pd.DataFrame({"factor": labels, "mu": np.asarray(res["mu"], dtype=float), "mu_star": mu_star,
                              "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
                              "sigma": np.asarray(res["sigma"], dtype=float)})
        top = np.nanmax(np.abs(mu_star)) if len(mu_star) else 0.0
        table["mu_star_relative"] = mu_star / top if top > 0 else np.nan
        table["rank"] = table["mu_star"].rank(ascending=False, method="min").astype(int)
        _check_morris(plan, table, result)
    if plan.groups:
        members = {g: [f.name for f in plan.factors if (f.group or f.name) == g] for g in labels}
        table.insert(1, "members", [" ".join(members[g]) for g in labels])
    result.indices = table
    return result


def _check_sobol(plan: Plan, table: pd.DataFrame, result: OutcomeResult) -> None:
    e = plan.experiment
    conf = table[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
    if not np.isfinite(conf).any():
        return
    i, j = np.unravel_index(np.nanargmax(conf), conf.shape)
    worst = float(conf[i, j])
    result.diagnostics["max_conf"] = worst
    if worst > plan.max_conf:
        suggested = next_power_of_two(math.ceil(e.N * (worst / plan.max_conf) ** 2))
        result.diagnostics["suggested_N"] = suggested
        col = ("S1_conf", "ST_conf")[j]
        result.warnings.append(
            f"{result.outcome}: confidence intervals are too wide for N={e.N}: {col[:2]} of "
            f"{table['factor'].iloc[i]} is +/-{worst:.3f} (target +/-{plan.max_conf:g}, max_conf). Use N={suggested} "
            f"(half-widths shrink as 1/sqrt(N))")


def _check_morris(plan: Plan, table: pd.DataFrame, result: OutcomeResult) -> None:
    e = plan.experiment
    top = np.nanmax(table["mu_star"].to_numpy(dtype=float))
    if not top > 0:
        return
    rel = table["mu_star_conf"].to_numpy(dtype=float) / top
    if not np.isfinite(rel).any():
        return
    i = int(np.nanargmax(rel))
    worst = float(rel[i])
    result.diagnostics["max_conf"] = worst
    if worst > plan.max_conf:
        trajectories = e.optimal_trajectories or e.N
        key = "optimal_trajectories" if e.optimal_trajectories else "N"
        suggested = math.ceil(trajectories * (worst / plan.max_conf) ** 2)
        result.diagnostics["suggested_N"] = suggested
        result.warnings.append(
            f"{result.outcome}: confidence intervals are too wide for {key}={trajectories} trajectories: "
            f"mu_star of {table['factor'].iloc[i]} is +/-{worst:.3f} of the largest mu_star (target "
            f"+/-{plan.max_conf:g}, max_conf). Use {key}={suggested} (half-widths shrink as 1/sqrt({key}))")


def analyse(plan: Plan, X: np.ndarray, runs: pd.DataFrame) -> list[OutcomeResult]:
    """Every outcome of the plan analysed (see :func:`analyse_outcome`), in the plan's order."""
    return [analyse_outcome(plan, X, runs, i) for i in range(len(plan.outcomes))]


def long_table(results: list[OutcomeResult]) -> pd.DataFrame:
    """Every outcome's indices in one table (``indices.csv``)."""
    frames = [r.indices.assign(outcome=r.outcome) for r in results if r.indices is not None]
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    return frame[["outcome"] + [c for c in frame.columns if c != "outcome"]]
