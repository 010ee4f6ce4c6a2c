"""Shaping: the numbers behind the charts (means, bands, gaps, pilot events, map values), and no drawing."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import model
from model.charts import shaping
from tests.charts.support import ROOT, START, band_share


def test_mean_band_gives_mean_and_percentiles_across_replications():
    frame = pd.DataFrame({"replication": [0, 1, 2, 0, 1, 2], "year": [2026.0] * 3 + [2027.0] * 3,
                          "value": [0.1, 0.2, 0.6, 1.0, 0.0, 0.5]})
    band = shaping.mean_band(frame, "value")
    assert list(band["year"]) == [2026.0, 2027.0]
    assert band["mean"].tolist() == pytest.approx([0.3, 0.5])
    # linear interpolation between order statistics: position (n - 1) * p
    assert band["low"].tolist() == pytest.approx([0.1 + 0.05 * 0.1, 0.0 + 0.05 * 0.5])
    assert band["high"].tolist() == pytest.approx([0.2 + 0.95 * 0.4, 0.5 + 0.95 * 0.5])
    assert band["n"].tolist() == [3, 3]
    assert band.loc[0, "low"] == pytest.approx(np.percentile([0.1, 0.2, 0.6], 2.5))


def test_mean_band_ignores_missing_values_and_refuses_ambiguous_rows():
    frame = pd.DataFrame({"replication": [0, 1, 2], "year": [2026.0] * 3, "value": [0.2, np.nan, 0.4]})
    band = shaping.mean_band(frame, "value")
    assert band.loc[0, "mean"] == pytest.approx(0.3) and band.loc[0, "n"] == 2
    doubled = pd.concat([frame, frame])
    with pytest.raises(ValueError, match="more than one row per replication"):
        shaping.mean_band(doubled, "value")
    single_run = frame.drop(columns="replication").iloc[:1]
    assert shaping.mean_band(single_run, "value")["mean"].tolist() == [0.2]


def test_gap_is_large_minus_small_per_replication(timeseries):
    gaps = shaping.gap_series(timeseries)
    assert len(gaps) == 3 * 9
    for row in gaps.itertuples():
        step = round((row.year - START) * 4)
        expected = band_share(4, step, row.replication) - band_share(0, step, row.replication)
        assert row.gap == pytest.approx(expected)
    band = shaping.mean_band(gaps, "gap")
    last = band.iloc[-1]  # step 8: 0.04 * 8 - 0.03 * rep, reps 0..2
    assert last["mean"] == pytest.approx(np.mean([0.32 - 0.03 * r for r in range(3)]))


def test_gap_names_a_missing_size_band(timeseries):
    with pytest.raises(ValueError, match="no size band 'huge'"):
        shaping.gap_series(timeseries, large="huge")


def test_pilot_events_are_summed_per_calendar_year(timeseries):
    events = shaping.pilot_events_by_year(timeseries)
    started = events[events.event == "pilots_started"].set_index("calendar_year")
    # steps 1-4 are the quarters of 2026, 5-8 of 2027; replication r starts r + 1 pilots a quarter
    assert list(started.index) == [2026, 2027]
    assert started["mean"].tolist() == pytest.approx([8.0, 8.0])  # mean of 4, 8, 12
    assert started["low"].iloc[0] == pytest.approx(np.percentile([4, 8, 12], 2.5))
    assert (started["quarters"] == 4).all()
    stalled = events[events.event == "pilots_stalled"]
    assert stalled["mean"].tolist() == pytest.approx([4.0, 4.0])


def test_select_names_what_is_missing(timeseries):
    with pytest.raises(ValueError, match="innovation='gamma'"):
        shaping.select(timeseries, innovation="gamma")
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['group_type'\]"):
        shaping.select(timeseries.drop(columns="group_type"))


def test_final_values_are_each_municipalitys_mean_over_replications(municipalities):
    values = shaping.final_values(municipalities)
    assert len(values) == 290
    first = municipalities.code.iloc[0]
    assert values[first] == pytest.approx((0.0 + 0.2) / 2)
    with pytest.raises(ValueError, match="'code'"):
        shaping.final_values(municipalities.drop(columns="code"))


def test_municipality_shares_over_time_end_at_the_final_state():
    scenario = model.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    runs = [model.run(scenario, seed=seed) for seed in (3, 4)]
    shares = shaping.municipality_adoption_over_time(runs, every=8)
    years = sorted(shares.year.unique())
    assert years[0] == scenario.start_year and len(years) == 6  # quarters 0, 8, ..., 40
    assert shares.groupby("year").code.nunique().eq(290).all()
    final = shares[shares.year == years[-1]].set_index("code").adoption_share
    expected = (runs[0].municipalities.set_index("code").adoption_share
                + runs[1].municipalities.set_index("code").adoption_share) / 2
    assert np.allclose(final.loc[expected.index], expected)
    with pytest.raises(ValueError, match="no runs"):
        shaping.municipality_adoption_over_time([])


def test_shaping_needs_no_matplotlib():
    code = "import sys, model.charts.shaping; print(sorted(m for m in sys.modules if m.startswith('matplotlib')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
