"""Scenario charts: every promised PNG is written, each chart shows what it says, user text stays literal."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

from model.charts import scenario
from model.charts.style import SIZE_BAND_LABELS, save
from model.world.organisations import SIZE_BANDS
from tests.charts.support import assert_png, drawn_texts, shown_as

SCENARIO_FILES = ["diffusion.png", "diffusion_by_size_band.png", "gap_small_large.png", "pilots.png", "map.png"]


def test_scenario_charts_write_every_png(tmp_path, timeseries, municipalities):
    out = tmp_path / "charts" / "nested"
    paths = scenario.scenario_charts(timeseries, municipalities, out, title="synthetic")
    assert [p.name for p in paths] == SCENARIO_FILES
    for path in paths:
        assert path.parent == out
        assert_png(path)
    assert not list(out.glob("*.tmp")), "temporary files left behind"


def test_scenario_charts_on_real_model_runs(tmp_path, model_runs):
    ts, munis = model_runs
    paths = scenario.scenario_charts(ts, munis, tmp_path, title="baseline")
    for path in paths:
        assert_png(path)
    fig = scenario.diffusion_chart(ts, "baseline")
    innovations = set(ts.innovation) - {"all"}
    panel_titles = {ax.get_title(loc="left") for ax in fig.axes}
    assert "All innovations" in panel_titles and len(panel_titles) == len(innovations) + 1
    assert fig.get_suptitle()
    for ax in fig.axes:  # every panel shows its bands (fill_between) and mean lines
        assert len(ax.collections) >= 2 and len(ax.lines) >= 2
    assert fig.axes[0].get_ylabel() and fig.axes[0].get_legend() is not None


def test_a_chart_the_data_cannot_support_is_skipped_with_a_warning(tmp_path, timeseries, municipalities):
    no_bands = timeseries[timeseries.group_type != "size_band"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = scenario.scenario_charts(no_bands, municipalities, tmp_path, title="no size bands")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "diffusion_by_size_band.png skipped" in messages[0] and "gap_small_large.png skipped" in messages[1]
    assert [p.name for p in paths] == ["diffusion.png", "pilots.png", "map.png"]
    only_all = timeseries[timeseries.innovation == "all"]
    assert_png(save(scenario.diffusion_chart(only_all), tmp_path / "only_all.png"))


def test_a_single_replication_claims_no_band(timeseries):
    one = timeseries[timeseries.replication == 0].drop(columns="replication")
    fig = scenario.gap_chart(one)
    ax = fig.axes[0]
    assert not ax.collections  # no band shaded
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Mean gap"]
    assert "single replication" in " ".join(t.get_text() for t in fig.texts)


def test_size_band_legend_runs_small_to_large(timeseries):
    shuffled = timeseries.sample(frac=1.0, random_state=0)
    fig = scenario.size_band_chart(shuffled)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    expected = [SIZE_BAND_LABELS[b] for b in SIZE_BANDS]
    assert labels[: len(expected)] == expected


def test_chart_functions_return_figures(timeseries):
    for make in (scenario.diffusion_chart, scenario.size_band_chart, scenario.gap_chart, scenario.pilots_chart):
        fig = make(timeseries)
        assert isinstance(fig, matplotlib.figure.Figure) and fig.get_suptitle()


def test_pilot_bars_are_the_yearly_means(timeseries):
    fig = scenario.pilots_chart(timeseries)
    bars = [c for c in fig.axes[0].containers if isinstance(c, BarContainer)]
    assert [c.get_label() for c in bars] == list(scenario.EVENT_LABELS.values())
    # replication r starts r + 1 pilots a quarter and scales r: per year 8 and 4 on average, stalls 4
    heights = [[round(p.get_height(), 6) for p in c.patches] for c in bars]
    assert heights == [[8.0, 8.0], [4.0, 4.0], [4.0, 4.0]]


@pytest.mark.parametrize("make", [scenario.diffusion_chart, scenario.gap_chart])
def test_scenario_and_innovation_names_are_drawn_literally(timeseries, make):
    renamed = timeseries.replace({"innovation": {"alpha": "cost_$x$"}})
    fig = make(renamed, title="Plan $x$ with $\\notacommand$")
    shown = [shown_as(t) for t in drawn_texts(fig)]
    assert any(s.startswith("Scenario: Plan $x$ with $\\notacommand$") for s in shown)
    if make is scenario.diffusion_chart:
        assert "Cost $x$" in shown


def test_the_chart_frames_read_from_a_folder_are_the_rows_the_charts_draw(tmp_path, model_runs):
    ts, munis = model_runs
    ts.to_parquet(tmp_path / "timeseries.parquet", index=False)
    munis.to_parquet(tmp_path / "municipalities.parquet", index=False)
    rows, codes = scenario.read_chart_frames(tmp_path)
    drawn = (ts.group_type == "overall") | ((ts.group_type == "size_band") & (ts.innovation == "all"))
    pd.testing.assert_frame_equal(rows, ts.loc[drawn, scenario.CHART_COLUMNS].reset_index(drop=True),
                                  check_dtype=False, check_categorical=False)
    pd.testing.assert_frame_equal(codes, munis[scenario.MAP_COLUMNS])
    for chart in (scenario.diffusion_chart, scenario.size_band_chart, scenario.gap_chart, scenario.pilots_chart):
        whole, part = chart(ts), chart(rows)  # the same lines from the rows read as from every row
        assert [list(np.asarray(line.get_ydata(), dtype=float)) for ax in whole.axes for line in ax.lines] == \
            [list(np.asarray(line.get_ydata(), dtype=float)) for ax in part.axes for line in ax.lines]


@pytest.mark.parametrize("read_once_rows", [0, 10 ** 9])
def test_charts_of_a_folder_read_their_own_rows_and_are_the_charts_of_the_whole_frames(tmp_path, model_runs,
                                                                                     read_once_rows, monkeypatch):
    monkeypatch.setattr(scenario, "READ_ONCE_ROWS", read_once_rows)  # each chart its rows, or all rows at once
    ts, munis = model_runs
    ts.to_parquet(tmp_path / "timeseries.parquet", index=False)
    munis.to_parquet(tmp_path / "municipalities.parquet", index=False)
    assert scenario.last_year(tmp_path) == ts["year"].max()
    whole = scenario.scenario_charts(ts, munis, tmp_path / "whole", title="baseline")
    read = scenario.folder_charts(tmp_path, tmp_path / "read", title="baseline")
    assert [p.name for p in read] == [p.name for p in whole] == SCENARIO_FILES
    for a, b in zip(whole, read):
        assert a.read_bytes() == b.read_bytes(), a.name
