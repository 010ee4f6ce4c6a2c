"""Comparing intervention portfolios against a baseline, on common random numbers.

``spridning compare A.yaml B.yaml ... --baseline baseline.yaml`` runs every scenario with the same root
seed, so replication *r* of each portfolio sees the same world, people and draws as replication *r* of the
baseline wherever a lever does not intervene. Differences are therefore paired: their intervals are much
narrower than those of the separate means. Cost per extra adoption is the portfolio's mean spend over its
mean extra adoptions (organisation-innovation pairs adopted at the horizon) relative to the baseline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .batch import ScenarioResults, default_folder, run_scenario, write_folder
from .errors import InputError
from .results import write_csv
from .scenario import load_scenario

#: outcomes the comparison table reports, paired against the baseline
OUTCOMES = ("final_adoption", "final_adoption_pop", "final_adoption_municipalities", "adoption_small",
            "adoption_large", "gap_small_large", "gini", "theil", "share_no_adoption", "pilots_started",
            "pilots_scaled", "pilots_stalled", "pilot_to_scale_rate", "mean_years_pilot_to_scale",
            "adoptions_dropped", "time_to_50_years", "spend_msek")


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return np.nan, np.nan, np.nan
    mean = values.mean()
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return mean, mean - half, mean + half


def comparison_table(runs: dict[str, ScenarioResults], baseline: str) -> pd.DataFrame:
    """One row per scenario and outcome: mean with 95 % CI, and the paired difference to the baseline."""
    if baseline not in runs:
        raise InputError(f"baseline '{baseline}' is not among the scenarios: {', '.join(runs)}")
    base = runs[baseline].replications
    rows = []
    for name, result in runs.items():
        reps = result.replications
        for outcome in OUTCOMES:
            mean, low, high = _interval(reps[outcome].to_numpy(dtype=float))
            diff, dlow, dhigh = _interval(reps[outcome].to_numpy(dtype=float) - base[outcome].to_numpy(dtype=float))
            rows.append(dict(scenario=name, outcome=outcome, mean=mean, ci95_low=low, ci95_high=high,
                             diff_vs_baseline=diff, diff_ci95_low=dlow, diff_ci95_high=dhigh))
        extra = (reps["adoptions_final"] - base["adoptions_final"]).mean()
        spend = reps["spend_msek"].mean()
        cost = spend / extra if extra > 0 else np.nan
        rows.append(dict(scenario=name, outcome="cost_per_extra_adoption_msek", mean=cost, ci95_low=np.nan,
                         ci95_high=np.nan, diff_vs_baseline=np.nan, diff_ci95_low=np.nan, diff_ci95_high=np.nan))
    return pd.DataFrame(rows)


def compare(paths: list[str], baseline_path: str, out: Path, replications: int | None, seed: int | None,
            workers: int | None, progress: bool = True) -> tuple[pd.DataFrame, Path]:
    scenarios = {}
    for path in [baseline_path] + [p for p in paths if Path(p) != Path(baseline_path)]:
        scenario = load_scenario(path)
        if scenario.name in scenarios:
            raise InputError(f"{path}: name '{scenario.name}' is used by another scenario in this comparison")
        scenarios[scenario.name] = (scenario, path)
    base_name = next(iter(scenarios))
    root = seed if seed is not None else scenarios[base_name][0].seed
    reps = replications or scenarios[base_name][0].replications
    runs = {}
    for name, (scenario, path) in scenarios.items():
        runs[name] = run_scenario(scenario, reps, root, workers, progress, label=name)
        write_folder(runs[name], out / name, source=path, workers=workers, charts=False)
    table = comparison_table(runs, base_name)
    write_csv(table, out / "comparison.csv")
    try:
        from .charts.comparison import comparison_charts
    except ImportError:  # charts for comparisons not available
        comparison_charts = None
    if comparison_charts is not None:
        series = {name: r.stacked("timeseries") for name, r in runs.items()}
        comparison_charts(series, table, out / "charts", baseline=base_name)
    return table, out
