"""The fit: it recovers parameters from data the model made, and a fit interrupted and resumed gives the
same posterior as one that ran through (also on another number of workers)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from model.calibrate.fit import fit
from model.calibrate.outputs import posterior_summary
from model.calibrate.plan import load_calibration

from .conftest import TRUE


@pytest.mark.slow
def test_recovery_posterior_covers_the_parameters_that_made_the_data(straight):
    summary = posterior_summary(straight).set_index("parameter")
    for name, value in TRUE.items():
        row = summary.loc[name]
        assert row.q2_5 <= value <= row.q97_5, (name, value, row.q2_5, row.q97_5)
    # the data inform the external rate (log-uniform prior: compared on the log scale)
    row = summary.loc["p_external"]
    share = math.log(row.q97_5 / row.q2_5) / math.log(row.prior_high / row.prior_low)
    assert share < 0.6, f"the posterior interval spans {share:.0%} of the prior's"
    assert straight.generations.tolerance.is_monotonic_decreasing
    assert straight.runs <= 2500


class Interrupt(Exception):
    """Raised by the hook to interrupt a fit half-way through a generation (as Ctrl-C would)."""


@pytest.mark.slow
def test_resume_after_an_interruption_or_with_a_larger_budget_gives_the_same_posterior(problem, straight, tmp_path):
    plan = load_calibration(problem)
    out = tmp_path / "fit"
    # a finished fit of two generations, extended by raising the budget (stopping rules only) ...
    short = fit(plan.with_budget(generations=2), out, workers=1, progress=False)
    assert len(short.generations) == 2

    def stop_in_generation_three(t, accepted, evaluated):
        if t == 3 and evaluated >= 40:
            raise Interrupt

    # ... and interrupted half-way through a generation
    with pytest.raises(Interrupt):
        fit(plan, out, workers=1, progress=False, hook=stop_in_generation_three)
    resumed = fit(plan, out, workers=2, progress=False)
    assert resumed.resumed and resumed.runs_computed < straight.runs_computed  # it went on, not again
    assert resumed.generations.generation.tolist() == straight.generations.generation.tolist()
    pd.testing.assert_frame_equal(resumed.posterior, straight.posterior)
    pd.testing.assert_frame_equal(resumed.generations, straight.generations)


def test_a_complete_fit_is_not_run_again_and_another_calibration_is_refused(problem, straight, tmp_path):
    from model.errors import InputError

    plan = load_calibration(problem)
    again = fit(plan, straight.out, workers=1, progress=False)
    assert again.runs_computed == 0
    pd.testing.assert_frame_equal(again.posterior, straight.posterior)
    other = plan.with_budget(population=50)
    with pytest.raises(InputError, match="different calibration"):
        fit(other, straight.out, workers=1, progress=False)


def test_the_command_writes_posterior_calibrated_scenario_ensemble_targets_and_charts(problem, straight, capsys):
    from model.calibrate.ensemble import load_ensemble
    from model.scenario import load_scenario

    from model.cli import main

    assert main(["calibrate", str(problem), "--out", str(straight.out), "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "targets met:" in printed and "p_external" in printed
    out = straight.out
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert list(posterior.columns) == ["p_external", "pilot_start_rate", "weight"]
    assert posterior["weight"].sum() == pytest.approx(1.0)
    scenario = load_scenario(out / "calibrated_scenario.yaml")
    median = pd.read_csv(out / "posterior_summary.csv").set_index("parameter")["median"]
    assert scenario.parameters.p_external == pytest.approx(median["p_external"], rel=1e-5)
    ensemble = load_ensemble(out / "ensemble.yaml")
    assert len(ensemble.draws) == 6 and set(ensemble.draws[0]) == {"parameters.p_external",
                                                                   "parameters.pilot_start_rate"}
    targets = pd.read_csv(out / "targets.csv")
    assert len(targets) == 8 and targets["fitted"].all() and {"met", "miss_sd", "band_low"} <= set(targets.columns)
    for chart in ("predictive.png", "targets.png", "posterior_pairs.png"):
        assert (out / "charts" / chart).stat().st_size > 10_000


@pytest.mark.slow
def test_a_dask_cluster_gives_the_same_posterior(problem, straight, tmp_path):
    distributed = pytest.importorskip("distributed")
    plan = load_calibration(problem)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = fit(plan, tmp_path / "fit", client=client, progress=False)
    assert on_dask.where.startswith("tcp://")
    pd.testing.assert_frame_equal(on_dask.posterior, straight.posterior)
