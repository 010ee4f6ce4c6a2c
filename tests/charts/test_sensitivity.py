"""Sensitivity charts: valid PNGs drawn without pyplot, bars and points at the indices, literal factor names."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer

from model.charts import sensitivity
from tests.charts.support import ROOT, assert_png, drawn_texts, shown_as

FACTORS = ["trust", "budget_$x$", "peers", "size", "staff"]


def sobol_table() -> pd.DataFrame:
    return pd.DataFrame({"factor": FACTORS, "S1": [0.1, 0.4, 0.05, 0.2, 0.0],
                         "S1_conf": [0.02, 0.05, 0.01, 0.03, 0.01], "ST": [0.15, 0.6, 0.1, 0.3, 0.02],
                         "ST_conf": [0.03, 0.06, 0.02, 0.04, 0.01]})


def morris_table() -> pd.DataFrame:
    return pd.DataFrame({"factor": FACTORS, "mu_star": [0.3, 0.1, 0.05, 0.2, np.nan],
                         "sigma": [0.1, 0.2, 0.01, 0.25, 0.0], "mu_star_conf": [0.05, 0.02, 0.01, 0.04, np.nan]})


def test_sensitivity_plots_are_pngs_drawn_without_pyplot(tmp_path):
    script = textwrap.dedent(f"""
        import json, sys
        import pandas as pd
        from model.charts.sensitivity import morris_scatter, sobol_bars
        sobol = pd.read_json(sys.argv[1]); morris = pd.read_json(sys.argv[2])
        paths = [sobol_bars(sobol, "final_adoption", {str(tmp_path)!r} + "/plots/sobol.png", "demo: Sobol'"),
                 morris_scatter(morris, "gap_small_large", {str(tmp_path)!r} + "/plots/morris.png", "demo: Morris")]
        print(json.dumps({{"paths": [str(p) for p in paths],
                          "pyplot": "matplotlib.pyplot" in sys.modules,
                          "sensitivity": sorted(m for m in sys.modules if m.startswith("model.sensitivity"))}}))
    """)
    sobol, morris = tmp_path / "sobol.json", tmp_path / "morris.json"
    sobol_table().to_json(sobol)
    morris_table().to_json(morris)
    result = subprocess.run([sys.executable, "-c", script, str(sobol), str(morris)], capture_output=True,
                            text=True, cwd=ROOT, check=True)
    report = json.loads(result.stdout)
    assert report["pyplot"] is False and report["sensitivity"] == []
    assert [p.split("/")[-1] for p in report["paths"]] == ["sobol.png", "morris.png"]
    for path in report["paths"]:
        assert_png(ROOT / path, smallest=500)
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["morris.png", "sobol.png"]


def test_sobol_bars_are_sorted_by_total_index_with_their_intervals():
    fig = sensitivity.sobol_figure(sobol_table(), "final_adoption", "demo")
    ax = fig.axes[0]
    first, total = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [round(p.get_height(), 6) for p in total.patches] == [0.6, 0.3, 0.15, 0.1, 0.02]
    assert [round(p.get_height(), 6) for p in first.patches] == [0.4, 0.2, 0.1, 0.05, 0.0]
    assert [shown_as(t) for t in ax.get_xticklabels()] == ["budget_$x$", "size", "trust", "peers", "staff"]
    # the whiskers of the largest total index span ST +- ST_conf
    whiskers = [seg for c in ax.collections for seg in c.get_segments()]
    assert any(np.allclose(sorted(seg[:, 1]), [0.54, 0.66]) for seg in whiskers)
    assert fig.get_suptitle() == "Final adoption — Sobol' indices"


def test_morris_points_sit_at_mu_star_and_sigma_and_name_the_largest():
    fig = sensitivity.morris_figure(morris_table(), "gap_small_large", "demo", label_top=2)
    ax = fig.axes[0]
    points = ax.lines[0].get_xydata()
    assert np.allclose(points[:4], [[0.3, 0.1], [0.1, 0.2], [0.05, 0.01], [0.2, 0.25]])
    assert [shown_as(t) for t in ax.texts] == ["trust", "size"]  # the two largest mu*
    caption = "\n".join(shown_as(t) for t in drawn_texts(fig))
    assert "demo\nOutcome: gap_small_large (percentage points)." in caption


def test_factor_labels_with_dollars_are_drawn_literally():
    fig = sensitivity.morris_figure(morris_table(), "an_own_$output$", "plan $y$", label_top=5)
    shown = [shown_as(t) for t in drawn_texts(fig)]
    assert "budget_$x$" in shown and "An own $output$ — Morris screening" in shown
    assert any(s.startswith("plan $y$\nOutcome: an_own_$output$.") for s in shown)


@pytest.mark.parametrize("make, table, column", [(sensitivity.sobol_figure, sobol_table, "ST_conf"),
                                                 (sensitivity.morris_figure, morris_table, "sigma")])
def test_a_missing_column_is_named(make, table, column):
    with pytest.raises(ValueError, match=column):
        make(table().drop(columns=column), "final_adoption")
