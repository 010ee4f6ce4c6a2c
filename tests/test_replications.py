"""Results from Python: ``model.run(...).plot()`` and ``model.replicate(...)`` as a list of runs with means,
intervals, bands and a plot (model.replications)."""

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import model
from model import runner
from model.outcomes.collect import Outcomes
from model.replications import MEASURES, Replications, Run

SCENARIO = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 2})
INNOVATIONS = len(SCENARIO.innovations)


@pytest.fixture(scope="module")
def runs() -> Replications:
    return model.replicate(SCENARIO, 3, seed=5, workers=1)


def lines(fig: Figure) -> list[int]:
    """How many lines each visible axes of ``fig`` holds."""
    return [len(ax.get_lines()) for ax in fig.axes if ax.get_visible()]


def test_replicate_is_still_the_list_of_runs_it_was(runs):
    plain = runner.replicate(SCENARIO, 3, seed=5, workers=1)
    assert isinstance(runs, list) and len(runs) == 3
    assert all(isinstance(r, Run) and isinstance(r, Outcomes) for r in runs)
    assert [r.summary for r in runs] == [p.summary for p in plain]
    assert [r.summary for r in runs[1:]] == [p.summary for p in plain[1:]]
    assert np.array_equal(runs[-1].stage_history, plain[-1].stage_history)
    assert [r.summary for r in iter(runs)] == [r.summary for r in list(runs)]


def test_the_mean_and_summary_are_those_of_the_runs(runs):
    values = np.array([r.summary["final_adoption"] for r in runs])
    assert runs.mean()["final_adoption"] == pytest.approx(values.mean())
    row = runs.summary.set_index("outcome").loc["final_adoption"]
    assert row["mean"] == pytest.approx(values.mean())
    assert row["run_p2.5"] == pytest.approx(np.percentile(values, 2.5))
    assert row["run_p97.5"] == pytest.approx(np.percentile(values, 97.5))
    assert row["ci95_low"] <= row["mean"] <= row["ci95_high"] and row["n"] == 3
    assert list(runs.replications["replication"]) == [0, 1, 2]


def test_the_timeseries_band_is_the_quantiles_of_the_runs_per_quarter(runs):
    band = runs.timeseries
    assert set(band["measure"]) == set(MEASURES)
    assert list(band.columns) == ["step", "year", "innovation", "group_type", "group", "measure", "mean", "low",
                                  "high", "n"]
    pick = band[(band["measure"] == "adoption_share") & (band["innovation"] == "all")
                & (band["group_type"] == "overall") & (band["step"] == 8)].iloc[0]
    values = [r.timeseries.query("innovation == 'all' and group_type == 'overall' and step == 8")["adoption_share"]
              .item() for r in runs]
    assert pick["mean"] == pytest.approx(np.mean(values))
    assert pick["low"] == pytest.approx(np.quantile(values, 0.025))
    assert pick["high"] == pytest.approx(np.quantile(values, 0.975))
    assert pick["year"] == pytest.approx(SCENARIO.start_year + 2) and pick["n"] == 3
    shown = band.dropna(subset=["mean"])  # e.g. no population-weighted share for agencies alone
    assert (shown["low"] <= shown["mean"] + 1e-12).all() and (shown["mean"] <= shown["high"] + 1e-12).all()


def test_one_run_plots_its_curves_without_a_band():
    one = model.run(SCENARIO, seed=1)
    assert isinstance(one, Run)
    fig = one.plot()
    assert isinstance(fig, Figure)
    # the main panel and one per innovation: unweighted and population-weighted lines, no band
    assert lines(fig) == [2] * (1 + INNOVATIONS)
    assert not any(ax.collections for ax in fig.axes if ax.get_visible())
    plain = fig.axes[0].get_lines()[0].get_ydata()
    overall = one.timeseries.query("innovation == 'all' and group_type == 'overall'")
    assert np.allclose(plain, overall["adoption_share"].to_numpy())


def test_replications_plot_the_mean_with_its_band(runs):
    fig = runs.plot()
    # each panel: the mean lines (2) and the weighted band's dashed edges (2); each band shaded
    assert lines(fig) == [4] * (1 + INNOVATIONS)
    assert all(len(ax.collections) == 2 for ax in fig.axes if ax.get_visible())
    mean_line = fig.axes[0].get_lines()[0].get_ydata()
    expected = runs.timeseries.query("measure == 'adoption_share' and innovation == 'all' and group_type == "
                                     "'overall'").sort_values("step")["mean"].to_numpy()
    assert np.allclose(mean_line, expected)


def test_a_run_made_by_the_runner_becomes_a_run_without_copying():
    plain = runner.run(SCENARIO, seed=2)
    frame = plain.timeseries
    run = Run.of(plain)
    assert run.timeseries is frame and run.stage_history is plain.stage_history
    assert Run.of(run) is run
    assert isinstance(Replications([run]).stacked, pd.DataFrame)
