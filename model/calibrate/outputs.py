"""The files of a calibration: posterior, calibrated scenario, ensemble, targets met and missed, charts.

:func:`calibrate` fits (:func:`~.fit.fit`, resuming an earlier fit in the folder) and then writes, each file
atomically, into the folder:

| file | what |
|---|---|
| ``posterior.parquet`` | the last generation: one row per parameter set, its values and ``weight`` |
| ``posterior_summary.csv`` | each parameter: prior, weighted mean, median and 95 % interval |
| ``generations.csv`` | each generation's tolerance, runs and acceptance rate |
| ``calibrated_scenario.yaml`` | the scenario with each parameter at its posterior median |
| ``ensemble.yaml`` | parameter draws from the posterior for ``run``/``compare --ensemble`` |
| ``targets.csv``, ``targets.md`` | every observed point: predictive mean and band, miss, met or missed |
| ``predictive_targets.parquet``, ``predictive_paths.parquet`` | the posterior predictive runs' measures |
| ``charts/`` | ``predictive.png``, ``targets.png``, ``posterior_pairs.png`` |
| ``manifest.json`` | the calibration as given and resolved, how the fit went (runs, time, stop), versions |

``history.db`` (pyabc's database) and ``calibration.json`` (fingerprint, a record of every stored generation,
state) are the fit's own. The state says ``complete`` only after the last of these files is written; a run
of the same command on a folder whose fit is done but whose outputs are not (or are stale) writes them
again from the stored posterior, computing no generation.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import yaml

from ..results import versions, write_csv, write_json, write_parquet, write_with
from ..scenario import load_scenario, read_scenario_data, set_path
from ..version import __version__, revision
from .fit import FitResult, fit, write_state
from .plan import CalibrationPlan
from .predictive import Predictive, posterior_draws, predictive_runs, target_table


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` weighted by ``weights`` (interpolated on the cumulative weight)."""
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cum, v))


def posterior_summary(result: FitResult) -> pd.DataFrame:
    """Each fitted parameter: its prior, the posterior's weighted mean, median and 95 % interval, and the
    posterior weight in the bottom and top tenth of the prior's range (``edge_low``, ``edge_high``)."""
    p, w = result.posterior, result.posterior["weight"].to_numpy(float)
    rows = []
    for f in result.plan.fitted:
        v = p[f.name].to_numpy(float)
        low, high = edge_weights(v, w, f.low, f.high, f.prior == "loguniform")
        rows.append(dict(parameter=f.name, path=f.path, prior=f.prior, prior_low=f.low, prior_high=f.high,
                         mean=float(np.average(v, weights=w)), median=weighted_quantile(v, w, 0.5),
                         q2_5=weighted_quantile(v, w, 0.025), q97_5=weighted_quantile(v, w, 0.975),
                         edge_low=low, edge_high=high))
    return pd.DataFrame(rows)


def edge_weights(values: np.ndarray, weights: np.ndarray, low: float, high: float, log: bool = False,
                 tenth: float = 0.1) -> tuple[float, float]:
    """The share of the posterior weight in the bottom and in the top ``tenth`` of the prior's range
    ``low``-``high`` (on the log scale for a log-uniform prior): weight piled at an edge says the prior, not
    the data, stops the fit there (a structural misfit or a prior too narrow)."""
    scale = np.log if log else (lambda x: x)
    u = (scale(np.asarray(values, float)) - scale(low)) / (scale(high) - scale(low))
    w = np.asarray(weights, float) / np.sum(weights)
    return float(w[u < tenth].sum()), float(w[u > 1 - tenth].sum())


def _dump(data: Any, header: str) -> str:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    return "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + "\n" + body


def write_calibrated_scenario(plan: CalibrationPlan, summary: pd.DataFrame, path: Path) -> Path:
    """The scenario file with every fitted parameter at its posterior median (whole numbers rounded);
    checked by loading it back."""
    data = read_scenario_data(plan.scenario_file)  # the files it extends merged in: the copy stands alone
    for f, median in zip(plan.fitted, summary["median"]):
        set_path(data, f.path, int(round(median)) if f.integer else float(f"{median:.6g}"))
    data["description"] = (f"{data.get('description', '')} Calibrated by {plan.name} "
                           f"({datetime.now():%Y-%m-%d}): fitted parameters at their posterior medians.").strip()
    header = (f"The scenario {Path(plan.scenario_file).name} with the parameters fitted by the calibration "
              f"{plan.name}\n({Path(plan.source).name}) at their posterior medians; written by spridning calibrate.\n"
              "The medians are a point summary: for runs that carry the parameter uncertainty use\n"
              "--ensemble ensemble.yaml (in the same folder).")
    write_with(path, lambda tmp: tmp.write_text(_dump(data, header), encoding="utf-8"))
    load_scenario(path)
    return path


def write_ensemble(plan: CalibrationPlan, draws: pd.DataFrame, path: Path) -> Path:
    """``ensemble.yaml``: the posterior draws as scenario paths and values, for ``--ensemble``."""
    carried = [f for f in plan.fitted
               if plan.calibration.ensemble.include == "all" or f.path.startswith("parameters.")] or plan.fitted
    rows = []
    for record in draws.to_dict("records"):
        rows.append({f.path: int(round(record[f.name])) if f.integer else float(f"{record[f.name]:.8g}")
                     for f in carried})
    spec = {"kind": "posterior_ensemble", "calibration": plan.name,
            "description": f"{len(rows)} parameter sets drawn by weight from the posterior of {Path(plan.source).name}",
            "replications": plan.calibration.ensemble.replications, "draws": rows}
    local = [f.path for f in carried if not f.path.startswith("parameters.")]
    left = [f.path for f in plan.fitted if f not in carried]
    header = ("Posterior ensemble written by spridning calibrate: run any scenario over it with\n"
              "  spridning run SCENARIO --ensemble ensemble.yaml\n"
              "  spridning compare PORTFOLIOS --baseline BASELINE --ensemble ensemble.yaml\n"
              "one replication set per draw; each run its own seed, the same in every scenario.")
    if local:
        header += ("\nThese paths exist only in scenarios with the same innovations, events or levers (an event's "
                   "values are not applied to a scenario without that event): " + ", ".join(local))
    if left:
        header += (f"\nFitted but not carried (they belong to the fitted scenario; ensemble.include: all carries "
                   f"them): {', '.join(left)}")
    write_with(path, lambda tmp: tmp.write_text(_dump(spec, header), encoding="utf-8"))
    return path


def targets_markdown(table: pd.DataFrame) -> str:
    """The targets table as Markdown (shares in per cent)."""
    lines = ["| series | year | measure | observed | ± sd | predicted (95 % band) | miss (sd) | fitted | met |",
             "|---|---|---|---|---|---|---|---|---|"]
    for _, r in table.iterrows():
        band = f" ({r.band})" if isinstance(r.get("band"), str) and r.get("band") else ""
        lines.append(f"| `{r.series}`{band} | {r.year} | {r.measure} | {100 * r.observed:.0f} % | {100 * r.sd:.1f} | "
                     f"{100 * r.predicted:.0f} % ({100 * r.band_low:.0f}–{100 * r.band_high:.0f}) | "
                     f"{r.miss_sd:+.1f} | {'yes' if r.fitted else 'held out'} | {'met' if r.met else 'missed'} |")
    return "\n".join(lines) + "\n"


def predict(result: FitResult, workers: int | None = None, progress: Callable[[int], None] | None = None
            ) -> tuple[pd.DataFrame, Predictive, pd.DataFrame]:
    """The ensemble draws, their posterior predictive runs and the targets table of a fit."""
    plan = result.plan
    names = [f.name for f in plan.fitted]
    e = plan.calibration.ensemble
    draws = posterior_draws(result.posterior, names, e.draws, plan.calibration.seed)
    predictive = predictive_runs(plan, draws, e.replications, plan.calibration.seed, workers, progress)
    table = target_table(plan.checked, {t.key for t in plan.targets}, predictive)
    return draws, predictive, table


def write_outputs(result: FitResult, workers: int | None = None, charts: bool = True,
                  progress: Callable[[int], None] | None = None) -> pd.DataFrame:
    """Write the files of the module docstring into the fit's folder; returns the targets table."""
    plan, out = result.plan, result.out
    summary = posterior_summary(result)
    write_parquet(result.posterior, out / "posterior.parquet")
    write_csv(summary, out / "posterior_summary.csv")
    write_csv(result.generations, out / "generations.csv")
    write_calibrated_scenario(plan, summary, out / "calibrated_scenario.yaml")
    draws, predictive, table = predict(result, workers, progress)
    write_ensemble(plan, draws, out / "ensemble.yaml")
    write_parquet(predictive.targets, out / "predictive_targets.parquet")
    write_parquet(predictive.paths, out / "predictive_paths.parquet")
    write_csv(table, out / "targets.csv")
    write_with(out / "targets.md", lambda tmp: tmp.write_text(targets_markdown(table), encoding="utf-8"))
    if charts:
        from ..charts.calibration import pairs_chart, predictive_chart, targets_chart

        predictive_chart(predictive.paths, table, out / "charts" / "predictive.png",
                         f"{plan.name}: observed shares against the posterior predictive")
        targets_chart(table, out / "charts" / "targets.png", f"{plan.name}: targets met and missed")
        pairs_chart(result.posterior, [f.name for f in plan.fitted], {f.name: (f.low, f.high) for f in plan.fitted},
                    out / "charts" / "posterior_pairs.png", f"{plan.name}: posterior",
                    log=frozenset(f.name for f in plan.fitted if f.prior == "loguniform"))
    write_json(manifest(result, summary, table), out / "manifest.json")
    return table


def manifest(result: FitResult, summary: pd.DataFrame, table: pd.DataFrame) -> dict[str, Any]:
    """What reproduces and describes the fit."""
    plan = result.plan
    return {
        "tool": "spridning calibrate", "version": __version__, "revision": revision(),
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "calibration_file": plan.source, "calibration_given": plan.data, "resolved": plan.fingerprint(),
        "scenario_file": plan.scenario_file, "observed_file": plan.observed_file,
        "method": "ABC-SMC (pyabc): weighted Euclidean distance in standard deviations, median tolerance "
                  "schedule, multivariate normal perturbation; candidates numbered and seeded by number",
        "stop_reason": result.stop_reason, "generations": len(result.generations), "runs": result.runs,
        "runs_computed_this_session": result.runs_computed, "seconds_this_session": round(result.seconds, 2),
        "runs_per_second": round(result.runs_computed / result.seconds, 1) if result.seconds else None,
        "resumed": result.resumed, "where": result.where, "workers": result.workers,
        "posterior": summary.to_dict("records"),
        "targets_met": int(table.met.sum()), "targets": len(table), "versions": versions(),
    }


def calibrate(plan: CalibrationPlan, out: str | Path, workers: int | None = None, scheduler: str | None = None,
              client: Any = None, progress: bool = True, charts: bool = True,
              say: Callable[[str], None] | None = None) -> tuple[FitResult, pd.DataFrame]:
    """Fit ``plan`` into ``out`` (resuming) and write every output; returns the fit and the targets table."""
    result = fit(plan, out, workers, scheduler, client, progress, say=say)
    # "complete" only once the last output is written: a fit stopped while writing them says "writing
    # outputs", and the next run writes them again from the stored posterior
    write_state(plan, result.out, status="writing outputs")
    table = write_outputs(result, workers, charts)
    write_state(plan, result.out, status="complete")
    return result, table
