"""Charts as a presenter needs them: tick labels on narrow axes, colour-blind-safe colours for many
scenarios, labels from descriptions, the final year, Swedish labels; and every new chart, map and the GIF
are valid, non-empty images."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from model.charts import style
from model.charts.comparison import comparison_diffusion_chart, scenario_colors
from model.charts.costs import frontier_chart
from model.charts.difference_maps import difference_map, map_animation, map_small_multiples
from model.charts.groups import group_differences_chart
from model.charts.maps import map_shapes
from model.charts.sustaingov import sustaingov_chart
from model.report.costs import cost_effectiveness
from model.report.sustaingov import report_matrix
from tests.charts.support import assert_png, drawn_texts


def tick_labels(ax, axis="y"):
    ax.figure.canvas.draw()
    return [t.get_text() for t in (ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()) if t.get_text()]


def test_a_narrow_axis_in_percentage_points_has_distinct_labels():
    fig = style.new_figure(4, 3)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0.0, 0.5])  # 0.5 pp: once labelled 0, 0, +1, +2, +2
    style.points_axis(ax)
    labels = tick_labels(ax)
    assert len(labels) == len(set(labels)) >= 3, labels
    assert "+0.1" in labels or "+0.2" in labels


def test_a_narrow_share_axis_shows_decimals_of_a_percent():
    fig = style.new_figure(4, 3)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0.300, 0.304])
    style.percent_axis(ax)
    labels = tick_labels(ax)
    assert len(labels) == len(set(labels)) >= 3 and all(label.endswith("%") for label in labels), labels


def test_many_scenarios_get_distinct_colour_blind_safe_colours():
    names = ["base"] + [f"p{i}" for i in range(8)]
    colors = scenario_colors(names, "base")
    others = [colors[n] for n in names[1:]]
    assert len(set(others)) == 8 and set(others) <= set(style.TOL_MUTED)
    assert set(style.series_colors(5)) <= set(style.OKABE_ITO)
    assert style.series_linestyles(12)[9] != style.series_linestyles(12)[0]  # colours repeat: styles differ


def test_scenarios_are_called_by_their_description_and_the_final_year_is_stated(timeseries):
    series = {"baseline": timeseries, "portfolio_x": timeseries}
    labels = {"baseline": style.scenario_label("baseline", "Status quo. Innovations spread."),
              "portfolio_x": style.scenario_label("portfolio_x", "")}
    fig = comparison_diffusion_chart(series, "baseline", labels=labels, programmes=[(2026, 2027)])
    texts = [t.get_text() for t in drawn_texts(fig)]
    assert "Status quo (baseline)" in texts and "Portfolio x" in texts
    assert any(t.startswith("Programme years (2026)") for t in texts)
    assert any("Simulated to the end of 2027." in t for t in texts)  # the timeseries ends at 2028.0
    assert style.final_year_text(2036.0) == "end of 2035"


def test_swedish_labels_on_request(timeseries):
    fig = comparison_diffusion_chart({"a": timeseries}, "a", lang="sv")
    texts = [t.get_text() for t in drawn_texts(fig)]
    assert "Spridning över tid, per scenario" in texts and "År" in texts


@pytest.fixture(scope="module")
def shares():
    codes = map_shapes()[0]
    rows = [pd.DataFrame({"code": codes, "year": 2026.0 + y, "adoption_share": np.linspace(0, 0.1 * y, len(codes))})
            for y in range(4)]
    return pd.concat(rows, ignore_index=True)


def test_every_new_chart_and_map_is_a_valid_image(tmp_path, shares):
    codes = map_shapes()[0]
    diff = pd.Series(np.linspace(-0.02, 0.05, len(codes)), index=codes)
    frames = {y: pd.Series(np.linspace(-0.01, 0.01 * y, len(codes)), index=codes) for y in (2027.0, 2028.0, 2029.0)}
    costs = cost_effectiveness({"base": np.array([10.0, 11, 12]), "a": np.array([14.0, 16, 15]),
                                "b": np.array([11.0, 12, 12])},
                               {"base": np.zeros(3), "a": np.full(3, 100.0), "b": np.full(3, 120.0)}, "base")
    groups = pd.DataFrame([dict(scenario="a", group_type=t, group=g, label=g, diff=0.01, diff_ci95_low=0.0,
                                diff_ci95_high=0.02) for t, g in (("county", "Stockholms län"), ("size_band", "<10k"),
                                                                   ("skr_group", "A1"), ("target", "peer_review"))])
    simulated = pd.DataFrame([dict(scenario="a", measures="peer_review", ids="2", value="higher",
                                   extra_adoptions_per_msek=0.05, gap_pp_per_msek=-0.01)])
    figures = {"frontier": frontier_chart(costs, "base"), "groups": group_differences_chart(groups),
               "difference": difference_map(diff), "years": map_small_multiples(frames, "t", difference=True),
               "levels": map_small_multiples({2026.0 + y: f.abs() for y, f in enumerate(frames.values())}, "t"),
               "sustaingov": sustaingov_chart(report_matrix(), simulated)}
    for name, fig in figures.items():
        assert_png(style.save(fig, tmp_path / f"{name}.png"))
    path = map_animation(frames, tmp_path / "difference.gif", "t", difference=True)
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames >= 3 and min(gif.size) > 300
    assert costs.set_index("scenario").loc["b", "status"] == "dominated"


def test_a_difference_map_is_centred_on_zero_with_limits_fitted_and_stated():
    codes = map_shapes()[0]
    fig = difference_map(pd.Series(np.linspace(-0.01, 0.03, len(codes)), index=codes))
    collection = next(c for c in fig.axes[0].collections if c.get_gid() == "municipalities")
    assert collection.get_clim() == pytest.approx((-3.0, 3.0))
    assert any("−3.0 to +3.0 percentage points, fitted to the data" in t.get_text() for t in drawn_texts(fig))
