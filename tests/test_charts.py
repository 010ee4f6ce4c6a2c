"""Charts: every promised PNG is written, and the numbers behind them are the right ones."""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import model
from model import charts
from model.world.organisations import SIZE_BANDS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCENARIO_FILES = ["diffusion.png", "diffusion_by_size_band.png", "gap_small_large.png", "pilots.png", "map.png"]
COMPARISON_FILES = ["comparison_diffusion.png", "comparison_outcomes.png", "comparison_gap.png"]
START = 2026


# --------------------------------------------------------------------------------------------------------
# synthetic data with known values


def band_share(band: int, step: int, rep: int) -> float:
    """Adoption share of size band ``band`` (0 = <10k ... 4 = >100k) at ``step`` in replication ``rep``."""
    return (band + 1) * 0.01 * step + (0.03 * rep if band == 0 else 0.0)


def make_timeseries(reps: int = 3, steps: int = 8, innovations=("alpha", "beta")) -> pd.DataFrame:
    rows = []
    for rep in range(reps):
        for step in range(steps + 1):
            for innovation in [*innovations, "all"]:
                groups = [("overall", "all", 0.02 * step + 0.01 * rep), ("kind", "municipality", 0.02 * step)]
                groups += [("size_band", name, band_share(b, step, rep)) for b, name in enumerate(SIZE_BANDS)]
                for group_type, group, share in groups:
                    rows.append(dict(
                        step=step, year=START + step / 4, innovation=innovation, group_type=group_type,
                        group=group, adoption_share=share, adoption_share_pop=min(1.0, share * 1.5),
                        piloting_share=0.01 * rep + 0.005 * step, stalled_share=0.002 * step,
                        pilots_started=float(rep + 1) if step else 0.0,
                        pilots_scaled=float(rep) if step else 0.0,
                        pilots_stalled=1.0 if step else 0.0, adoptions_dropped=0.0, replication=rep))
    return pd.DataFrame(rows)


def make_municipalities(reps: int = 2) -> pd.DataFrame:
    codes, names, _, _ = charts.map_shapes()
    frames = []
    for rep in range(reps):
        share = np.linspace(0.0, 1.0, len(codes)) if rep == 0 else np.linspace(0.2, 0.6, len(codes))
        frames.append(pd.DataFrame({
            "code": codes, "name": names, "county": "X", "population": 5000.0 + np.arange(len(codes)) * 2000,
            "size_band": [SIZE_BANDS[i % len(SIZE_BANDS)] for i in range(len(codes))], "skr_group": "A1",
            "adopted": 0, "applicable": 3, "adoption_share": share, "replication": rep}))
    return pd.concat(frames, ignore_index=True)


def assert_png(path: Path) -> None:
    assert path.is_file(), path
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    assert len(data) > 5000, f"{path.name} is suspiciously small"
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert 600 <= width <= 4000 and 600 <= height <= 4000, (path.name, width, height)
    phys = data.find(b"pHYs")
    assert phys > 0, "no resolution recorded"
    per_metre = struct.unpack(">I", data[phys + 4: phys + 8])[0]
    assert round(per_metre * 0.0254) == charts.DPI


@pytest.fixture(scope="module")
def timeseries() -> pd.DataFrame:
    return make_timeseries()


@pytest.fixture(scope="module")
def municipalities() -> pd.DataFrame:
    return make_municipalities()


@pytest.fixture(scope="module")
def model_runs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two real runs of the baseline, stacked with a replication column (as ``model.batch`` does)."""
    scenario = model.load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml")
    outcomes = [model.run(scenario, seed=seed) for seed in (1, 2)]
    ts = pd.concat([o.timeseries.assign(replication=r) for r, o in enumerate(outcomes)], ignore_index=True)
    munis = pd.concat([o.municipalities.assign(replication=r) for r, o in enumerate(outcomes)], ignore_index=True)
    return ts, munis


# --------------------------------------------------------------------------------------------------------
# the numbers


def test_mean_band_gives_mean_and_percentiles_across_replications():
    frame = pd.DataFrame({"replication": [0, 1, 2, 0, 1, 2], "year": [2026.0] * 3 + [2027.0] * 3,
                          "value": [0.1, 0.2, 0.6, 1.0, 0.0, 0.5]})
    band = charts.mean_band(frame, "value")
    assert list(band["year"]) == [2026.0, 2027.0]
    assert band["mean"].tolist() == pytest.approx([0.3, 0.5])
    # linear interpolation between order statistics: position (n - 1) * p
    assert band["low"].tolist() == pytest.approx([0.1 + 0.05 * 0.1, 0.0 + 0.05 * 0.5])
    assert band["high"].tolist() == pytest.approx([0.2 + 0.95 * 0.4, 0.5 + 0.95 * 0.5])
    assert band["n"].tolist() == [3, 3]
    assert band.loc[0, "low"] == pytest.approx(np.percentile([0.1, 0.2, 0.6], 2.5))


def test_mean_band_ignores_missing_values_and_refuses_ambiguous_rows():
    frame = pd.DataFrame({"replication": [0, 1, 2], "year": [2026.0] * 3, "value": [0.2, np.nan, 0.4]})
    band = charts.mean_band(frame, "value")
    assert band.loc[0, "mean"] == pytest.approx(0.3) and band.loc[0, "n"] == 2
    doubled = pd.concat([frame, frame])
    with pytest.raises(ValueError, match="more than one row per replication"):
        charts.mean_band(doubled, "value")
    single_run = frame.drop(columns="replication").iloc[:1]
    assert charts.mean_band(single_run, "value")["mean"].tolist() == [0.2]


def test_gap_is_large_minus_small_per_replication(timeseries):
    gaps = charts.gap_series(timeseries)
    assert len(gaps) == 3 * 9
    for row in gaps.itertuples():
        step = round((row.year - START) * 4)
        expected = band_share(4, step, row.replication) - band_share(0, step, row.replication)
        assert row.gap == pytest.approx(expected)
    band = charts.mean_band(gaps, "gap")
    last = band.iloc[-1]  # step 8: 0.04 * 8 - 0.03 * rep, reps 0..2
    assert last["mean"] == pytest.approx(np.mean([0.32 - 0.03 * r for r in range(3)]))


def test_gap_names_a_missing_size_band(timeseries):
    with pytest.raises(ValueError, match="no size band 'huge'"):
        charts.gap_series(timeseries, large="huge")


def test_pilot_events_are_summed_per_calendar_year(timeseries):
    events = charts.pilot_events_by_year(timeseries)
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
        charts.select(timeseries, innovation="gamma")


# --------------------------------------------------------------------------------------------------------
# the map


def map_collection(fig):
    found = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "municipalities"]
    assert found, "no municipality collection drawn"
    return found[0]


def test_map_draws_all_290_municipalities_coloured_by_value():
    codes, _, _, _ = charts.map_shapes()
    assert len(set(codes)) == 290
    values = {code: i / 289 * 0.8 + 0.1 for i, code in enumerate(codes)}
    fig = charts.adoption_map(values, title="test")
    collection = map_collection(fig)
    paths = collection.get_paths()
    assert len(paths) == 290  # one (compound) path per municipality, multipolygons included
    array = collection.get_array()
    assert len(array) == 290 and not np.ma.is_masked(array)
    assert array.min() == pytest.approx(0.1) and array.max() == pytest.approx(0.9)
    # the colours follow the values: the lowest- and highest-valued municipalities get the colour map's ends
    colours = collection.to_rgba(array)
    cmap, norm = collection.get_cmap(), collection.norm
    assert np.allclose(colours[int(np.argmin(array))], cmap(norm(0.1)))
    assert np.allclose(colours[int(np.argmax(array))], cmap(norm(0.9)))
    assert not np.allclose(colours[0], colours[-1])
    ax = fig.axes[0]
    assert ax.get_xticks().size == 0 and ax.get_yticks().size == 0


def test_map_keeps_sweden_in_shape():
    fig = charts.adoption_map({"0180": 0.5}, stockholm_inset=False)
    collection = map_collection(fig)
    points = np.concatenate([p.vertices for p in collection.get_paths()])
    width, height = np.ptp(points[:, 0]), np.ptp(points[:, 1])
    # Sweden is about 2.2 times as tall as it is wide once longitude is scaled by cos(62 degrees)
    assert 1.9 < height / width < 2.6
    assert fig.axes[0].get_aspect() == 1.0


def test_map_accepts_series_and_numeric_codes_and_greys_out_missing():
    fig = charts.adoption_map(pd.Series({114: 0.2, "0180": 0.7}))
    array = map_collection(fig).get_array()
    assert array.count() == 2 and np.ma.count_masked(array) == 288
    assert array.min() == pytest.approx(0.2) and array.max() == pytest.approx(0.7)
    with pytest.raises(ValueError, match="not municipalities on the map"):
        charts.adoption_map({"9999": 0.5})


def test_map_chart_colours_by_mean_final_share(municipalities):
    fig = charts.map_chart(municipalities, title="synthetic")
    array = map_collection(fig).get_array()
    expected = municipalities.groupby("code")["adoption_share"].mean()
    assert array.min() == pytest.approx(expected.min()) and array.max() == pytest.approx(expected.max())
    assert fig.axes[0].collections[0].norm.vmin == 0 and fig.axes[0].collections[0].norm.vmax == 1


# --------------------------------------------------------------------------------------------------------
# the files


def test_scenario_charts_write_every_png(tmp_path, timeseries, municipalities):
    out = tmp_path / "charts" / "nested"
    paths = charts.scenario_charts(timeseries, municipalities, out, title="synthetic")
    assert [p.name for p in paths] == SCENARIO_FILES
    for path in paths:
        assert path.parent == out
        assert_png(path)
    assert not list(out.glob("*.tmp")), "temporary files left behind"


def test_scenario_charts_on_real_model_runs(tmp_path, model_runs):
    ts, munis = model_runs
    paths = charts.scenario_charts(ts, munis, tmp_path, title="baseline")
    for path in paths:
        assert_png(path)
    fig = charts.diffusion_chart(ts, "baseline")
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
        paths = charts.scenario_charts(no_bands, municipalities, tmp_path, title="no size bands")
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "diffusion_by_size_band.png skipped" in messages[0] and "gap_small_large.png skipped" in messages[1]
    assert [p.name for p in paths] == ["diffusion.png", "pilots.png", "map.png"]
    only_all = timeseries[timeseries.innovation == "all"]
    assert_png(charts.save(charts.diffusion_chart(only_all), tmp_path / "only_all.png"))


def test_a_single_replication_claims_no_band(timeseries):
    one = timeseries[timeseries.replication == 0].drop(columns="replication")
    fig = charts.gap_chart(one)
    ax = fig.axes[0]
    assert not ax.collections  # no band shaded
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Mean gap"]
    assert "single replication" in " ".join(t.get_text() for t in fig.texts)


def test_size_band_legend_runs_small_to_large(timeseries):
    shuffled = timeseries.sample(frac=1.0, random_state=0)
    fig = charts.size_band_chart(shuffled)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    expected = [charts.SIZE_BAND_LABELS[b] for b in SIZE_BANDS]
    assert labels[: len(expected)] == expected


def test_chart_functions_return_figures(timeseries):
    for make in (charts.diffusion_chart, charts.size_band_chart, charts.gap_chart, charts.pilots_chart):
        fig = make(timeseries)
        assert isinstance(fig, matplotlib.figure.Figure) and fig.get_suptitle()


def comparison_inputs(timeseries, with_differences: bool = False):
    other = timeseries.assign(adoption_share=timeseries.adoption_share * 1.2)
    series = {"base": timeseries, "more": other}
    rows = []
    for s, scenario in enumerate(series):
        for o, outcome in enumerate(charts.DEFAULT_OUTCOMES[:5]):
            mean = 0.2 + 0.1 * s + 0.05 * o
            row = dict(scenario=scenario, outcome=outcome, mean=mean, ci95_low=mean - 0.02, ci95_high=mean + 0.03)
            if with_differences:
                diff = 0.1 * s
                row.update(diff_vs_baseline=diff, diff_ci95_low=diff - 0.01, diff_ci95_high=diff + 0.01)
            rows.append(row)
    return series, pd.DataFrame(rows)


def test_comparison_charts_write_their_files(tmp_path, timeseries):
    series, summaries = comparison_inputs(timeseries)
    paths = charts.comparison_charts(series, summaries, tmp_path / "cmp", baseline="base")
    assert [p.name for p in paths] == COMPARISON_FILES
    for path in paths:
        assert_png(path)


def test_comparison_charts_add_paired_differences_when_given(tmp_path, timeseries):
    series, summaries = comparison_inputs(timeseries, with_differences=True)
    cost = pd.DataFrame({"scenario": ["base", "more"], "outcome": "cost_per_extra_adoption_msek",
                         "mean": [np.nan, 2.5], "ci95_low": np.nan, "ci95_high": np.nan,
                         "diff_vs_baseline": np.nan, "diff_ci95_low": np.nan, "diff_ci95_high": np.nan})
    paths = charts.comparison_charts(series, pd.concat([summaries, cost]), tmp_path, baseline="base")
    assert [p.name for p in paths] == COMPARISON_FILES + ["comparison_differences.png"]
    for path in paths:
        assert_png(path)


def test_comparison_outcomes_show_the_confidence_intervals(timeseries):
    _, summaries = comparison_inputs(timeseries)
    fig = charts.comparison_outcomes_chart(summaries, "base")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5  # cost per extra adoption is optional and absent here
    ax = visible[0]  # final adoption, shown in percent
    row = summaries[(summaries.scenario == "more") & (summaries.outcome == "final_adoption")].iloc[0]
    segments = [seg for c in ax.collections for seg in c.get_segments()]
    spans = sorted((round(seg[:, 0].min(), 6), round(seg[:, 0].max(), 6)) for seg in segments)
    assert (round(row.ci95_low, 6), round(row.ci95_high, 6)) in spans


def test_comparison_charts_name_a_missing_baseline(tmp_path, timeseries):
    series, summaries = comparison_inputs(timeseries)
    with pytest.raises(ValueError, match="'status_quo'"):
        charts.comparison_charts(series, summaries, tmp_path / "cmp", baseline="status_quo")
    assert not (tmp_path / "cmp").exists()  # nothing written before the check


def test_comparison_outcomes_need_the_summary_columns(timeseries):
    _, summaries = comparison_inputs(timeseries)
    with pytest.raises(ValueError, match="ci95_high"):
        charts.comparison_outcomes_chart(summaries.drop(columns="ci95_high"), "base")


# --------------------------------------------------------------------------------------------------------
# the map over time


def test_municipality_shares_over_time_end_at_the_final_state():
    scenario = model.load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml")
    runs = [model.run(scenario, seed=seed) for seed in (3, 4)]
    shares = charts.municipality_adoption_over_time(runs, every=8)
    years = sorted(shares.year.unique())
    assert years[0] == scenario.start_year and len(years) == 6  # quarters 0, 8, ..., 40
    assert shares.groupby("year").code.nunique().eq(290).all()
    final = shares[shares.year == years[-1]].set_index("code").adoption_share
    expected = (runs[0].municipalities.set_index("code").adoption_share
                + runs[1].municipalities.set_index("code").adoption_share) / 2
    assert np.allclose(final.loc[expected.index], expected)


def test_adoption_map_animation_writes_a_gif_with_one_frame_per_year(tmp_path):
    codes = charts.map_shapes()[0]
    shares = pd.concat([pd.DataFrame({"code": codes, "year": year, "adoption_share": np.linspace(0, share, 290)})
                        for year, share in ((2026.0, 0.1), (2027.5, 0.5), (2029.0, 0.9))])
    path = charts.adoption_map_animation(shares, tmp_path / "anim" / "map.gif", hold_last=0,
                                         stockholm_inset=False)
    data = path.read_bytes()
    assert data[:6] == b"GIF89a" and len(data) > 10_000
    from PIL import Image, ImageSequence

    with Image.open(path) as image:
        assert sum(1 for _ in ImageSequence.Iterator(image)) == 3
    assert sorted(p.name for p in path.parent.iterdir()) == ["map.gif"]  # no partial file left
    assert charts.quarter_label(2027.5) == "2027 Q3" and charts.quarter_label(2029.0) == "2029"
