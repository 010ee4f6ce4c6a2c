"""Comparison charts: the files, the confidence intervals, outcome labels from the catalogue, literal names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.charts import comparison
from model.outcomes.catalogue import BY_NAME
from tests.charts.support import assert_png, comparison_inputs, drawn_texts, shown_as

COMPARISON_FILES = ["comparison_diffusion.png", "comparison_outcomes.png", "comparison_gap.png"]


def cost_rows() -> pd.DataFrame:
    return pd.DataFrame({"scenario": ["base", "more"], "outcome": "cost_per_extra_adoption_msek",
                         "mean": [np.nan, 2.5], "ci95_low": np.nan, "ci95_high": np.nan,
                         "diff_vs_baseline": np.nan, "diff_ci95_low": np.nan, "diff_ci95_high": np.nan})


def test_the_default_outcomes_are_the_six_of_the_comparison_and_all_catalogued():
    assert comparison.DEFAULT_OUTCOMES == ("final_adoption", "final_adoption_pop", "gap_small_large",
                                           "pilot_to_scale_rate", "share_no_adoption",
                                           "cost_per_extra_adoption_msek")
    assert set(comparison.DEFAULT_OUTCOMES) <= set(BY_NAME)


def test_comparison_charts_write_their_files(tmp_path, timeseries):
    series, summaries = comparison_inputs(timeseries)
    paths = comparison.comparison_charts(series, summaries, tmp_path / "cmp", baseline="base")
    assert [p.name for p in paths] == COMPARISON_FILES
    for path in paths:
        assert_png(path)


def test_comparison_charts_add_paired_differences_when_given(tmp_path, timeseries):
    series, summaries = comparison_inputs(timeseries, with_differences=True)
    paths = comparison.comparison_charts(series, pd.concat([summaries, cost_rows()]), tmp_path, baseline="base")
    assert [p.name for p in paths] == COMPARISON_FILES + ["comparison_differences.png"]
    for path in paths:
        assert_png(path)


def test_comparison_outcomes_show_the_confidence_intervals(timeseries):
    _, summaries = comparison_inputs(timeseries)
    fig = comparison.comparison_outcomes_chart(summaries, "base")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 5  # cost per extra adoption is optional and absent here
    ax = visible[0]  # final adoption, shown in percent
    row = summaries[(summaries.scenario == "more") & (summaries.outcome == "final_adoption")].iloc[0]
    segments = [seg for c in ax.collections for seg in c.get_segments()]
    spans = sorted((round(seg[:, 0].min(), 6), round(seg[:, 0].max(), 6)) for seg in segments)
    assert (round(row.ci95_low, 6), round(row.ci95_high, 6)) in spans


def test_outcome_panels_take_title_unit_format_and_direction_from_the_catalogue(timeseries):
    _, summaries = comparison_inputs(timeseries)
    fig = comparison.comparison_outcomes_chart(pd.concat([summaries, cost_rows()]), "base")
    panels = {ax.get_title(loc="left").split("\n")[0]: ax for ax in fig.axes if ax.get_visible()}
    for name in comparison.DEFAULT_OUTCOMES:
        declared = BY_NAME[name]
        ax = panels[declared.title]
        assert ax.get_title(loc="left") == f"{declared.title}\n({declared.unit})"
        assert ax.get_xlabel().startswith(f"{declared.better} is better")
    # values printed as the catalogue prints them: 0.2 + 0.1 + 0.05 * 2 = 0.4 of a gap is +40.0 pp
    gap = [t.get_text() for t in panels[BY_NAME["gap_small_large"].title].texts]
    assert "+40.0 pp" in gap and "+30.0 pp" in gap
    assert "30.0 %" in [t.get_text() for t in panels["Final adoption"].texts]
    assert "2.50 MSEK" in [t.get_text() for t in panels["Cost per extra adoption"].texts]


def test_differences_of_shares_are_in_percentage_points(timeseries):
    _, summaries = comparison_inputs(timeseries, with_differences=True)
    fig = comparison.comparison_differences_chart(summaries, "base")
    ax = next(ax for ax in fig.axes if ax.get_title(loc="left").startswith("Final adoption\n"))
    assert ax.get_title(loc="left") == "Final adoption\n(difference, percentage points)"
    assert [t.get_text() for t in ax.texts] == ["+10.0 pp"]  # 0.1 more of a share
    segments = [seg for c in ax.collections for seg in c.get_segments()]
    assert [(round(s[:, 0].min(), 6), round(s[:, 0].max(), 6)) for s in segments] == [(9.0, 11.0)]


def test_comparison_charts_name_a_missing_baseline(tmp_path, timeseries):
    series, summaries = comparison_inputs(timeseries)
    with pytest.raises(ValueError, match="'status_quo'"):
        comparison.comparison_charts(series, summaries, tmp_path / "cmp", baseline="status_quo")
    assert not (tmp_path / "cmp").exists()  # nothing written before the check


def test_comparison_outcomes_need_the_summary_columns(timeseries):
    _, summaries = comparison_inputs(timeseries)
    with pytest.raises(ValueError, match="ci95_high"):
        comparison.comparison_outcomes_chart(summaries.drop(columns="ci95_high"), "base")


def test_scenario_names_with_dollars_are_drawn_literally(timeseries):
    names = ("base $x$", "more $\\notacommand$")
    series, summaries = comparison_inputs(timeseries, with_differences=True, names=names)
    for fig in (comparison.comparison_diffusion_chart(series, names[0]),
                comparison.comparison_gap_chart(series, names[0]),
                comparison.comparison_outcomes_chart(summaries, names[0]),
                comparison.comparison_differences_chart(summaries, names[0])):
        shown = [shown_as(t) for t in drawn_texts(fig)]
        assert any(names[1] in s for s in shown), shown
    legend = comparison.comparison_diffusion_chart(series, names[0]).axes[0].get_legend()
    assert [shown_as(t) for t in legend.get_texts()][:2] == ["base $x$ (baseline)", "more $\\notacommand$"]
