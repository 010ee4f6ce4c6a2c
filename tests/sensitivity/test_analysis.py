"""Indices from the runs (model.sensitivity.analysis): analytic answers recovered within their confidence
intervals, Morris ranking, groups, convergence and noise warnings, and outcomes that cannot be analysed
(NaN, infinite, constant) reported truthfully.

Sizes are tiny; wall-clock speed is measured in benchmarks/bench_sweep.py, never asserted here.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from model.sensitivity import run_experiment
from model.sensitivity import testfunctions as tf

from .common import FUNCS, ishigami_experiment, within, write


def test_ishigami_indices_within_confidence_intervals(tmp_path):
    result = run_experiment(write(tmp_path, ishigami_experiment()), tmp_path / "out", workers=1, progress=False,
                            plots=False)
    table = result.indices("y").set_index("factor")
    truth = tf.ishigami_indices()
    for x in ("x1", "x2", "x3"):
        row = table.loc[x]
        assert within(row.S1, row.S1_conf, truth["S1"][x]), (x, row.S1, row.S1_conf, truth["S1"][x])
        assert within(row.ST, row.ST_conf, truth["ST"][x]), (x, row.ST, row.ST_conf, truth["ST"][x])
    # x3 acts only through its interaction with x1: no first-order effect, a clear total effect
    assert table.loc["x3", "ST"] > 0.15 and abs(table.loc["x3", "S1"]) < 0.1
    assert (tmp_path / "out" / "indices" / "y.csv").exists()


def test_second_order_indices_find_the_x1_x3_interaction(tmp_path):
    exp = ishigami_experiment(N=512, second_order=True)
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False, plots=False)
    s2 = result.outcomes[0].second_order.set_index(["factor_a", "factor_b"])
    truth = tf.ishigami_indices()
    v13 = truth["ST"]["x3"]  # S13 = ST3 (x3 acts only with x1)
    assert within(s2.loc[("x1", "x3"), "S2"], s2.loc[("x1", "x3"), "S2_conf"], v13)
    assert within(s2.loc[("x1", "x2"), "S2"], s2.loc[("x1", "x2"), "S2_conf"], 0.0)
    assert (tmp_path / "out" / "indices" / "y_S2.csv").exists()


def test_linear_additive_model_and_common_random_numbers(tmp_path):
    a = [1.0, 2.0, 3.0, 0.5]
    exp = {
        "model": f"{FUNCS}:linear",
        "constants": {"a": a, "noise": 5.0},
        "factors": [{"path": f"x{i + 1}", "bounds": [0.0, 1.0]} for i in range(len(a))],
        "method": "sobol", "N": 512, "replications": 3, "seed": 11,
        "outcomes": ["y", "noisy", "noisy_independent"],
    }
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False, plots=False)
    expected = tf.linear_indices(a)
    y = result.indices("y").set_index("factor")
    for i, s in enumerate(expected):
        row = y.loc[f"x{i + 1}"]
        assert within(row.S1, row.S1_conf, s) and within(row.ST, row.ST_conf, s), (i, row.to_dict(), s)
    # noise drawn from the replication's seed is common to every point (common random numbers): averaged over
    # the replications it shifts every point alike, so the indices do not move and no noise is measured
    noisy = result.indices("noisy").set_index("factor")
    np.testing.assert_allclose(noisy[["S1", "ST"]].to_numpy(), y[["S1", "ST"]].to_numpy(), atol=1e-9)
    diagnostics = {r.outcome: r.diagnostics for r in result.outcomes}
    assert diagnostics["noisy"]["noise_share"] < 1e-9
    # noise that differs between points is measured, and warned about
    assert diagnostics["noisy_independent"]["noise_share"] > 0.05
    assert any("noisy_independent: stochastic noise" in w and "replications:" in w for w in result.warnings)


def test_morris_ranks_the_influential_factor_first(tmp_path):
    exp = {
        "model": f"{FUNCS}:g_function",
        "factors": [{"path": f"x{i + 1}", "bounds": [0.0, 1.0]} for i in range(8)],
        "method": "morris", "N": 40, "levels": 4, "seed": 5, "outcomes": ["y"],
    }
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False)
    table = result.indices("y")
    ranked = table.sort_values("mu_star", ascending=False)["factor"].tolist()
    assert ranked[0] == "x1" and ranked[1] == "x2"
    assert set(ranked[-4:]) == {"x5", "x6", "x7", "x8"}  # a = 99: negligible
    assert table.set_index("factor").loc["x1", "rank"] == 1
    assert list(table.columns[:5]) == ["factor", "mu", "mu_star", "mu_star_conf", "sigma"]
    assert (tmp_path / "out" / "plots" / "y.png").stat().st_size > 1000


def test_groups_get_one_index_each(tmp_path):
    exp = ishigami_experiment(N=256)
    exp["factors"][0]["group"] = "first"
    exp["factors"][1]["group"] = "rest"
    exp["factors"][2]["group"] = "rest"
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False, plots=False)
    table = result.indices("y")
    assert table["factor"].tolist() == ["first", "rest"]
    assert table["members"].tolist() == ["x1", "x2 x3"]


def test_convergence_warning_suggests_a_larger_power_of_two(tmp_path):
    out = tmp_path / "out"
    result = run_experiment(write(tmp_path, ishigami_experiment(N=32)), out, workers=1, progress=False, plots=False)
    warning = next(w for w in result.warnings if "confidence intervals are too wide" in w)
    diag = result.outcomes[0].diagnostics
    suggested = diag["suggested_N"]
    assert suggested > 32 and suggested & (suggested - 1) == 0
    expected = 1 << math.ceil(math.log2(32 * (diag["max_conf"] / 0.1) ** 2))
    assert suggested == expected and f"N={suggested}" in warning
    manifest = json.loads((out / "manifest.json").read_text())
    assert warning in manifest["warnings"]


# --- outcomes that cannot be analysed ------------------------------------------------------------------------
BLOWUP = {"model": "tests.sensitivity.functions:blowup", "method": "sobol", "N": 64, "seed": 3,
          "factors": [{"path": "x", "bounds": [0, 1]}, {"path": "y", "bounds": [0, 1]}]}


def test_infinite_outcome_is_counted_and_reported_truthfully(tmp_path, capsys):
    from model.cli import main

    path = write(tmp_path, {**BLOWUP, "outcomes": ["out", "flat", "huge"]})
    out = tmp_path / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # numpy's "invalid value" would fail the test
        assert main(["sensitivity", str(path), "--out", str(out), "--workers", "1", "--quiet", "--no-plots"]) == 0
    err = capsys.readouterr().err
    assert "RuntimeWarning" not in err
    manifest = json.loads((out / "manifest.json").read_text())
    diag = manifest["outcomes"]["out"]
    inf_points = diag["inf_points"]
    assert inf_points > 0 and diag["inf_runs"] == inf_points and diag["nan_points"] == 0
    message = (f"out: {inf_points} of 256 sample points gave an infinite value; no indices computed (bound the "
               "model's output or give a value for those runs")
    assert any(w.startswith(message) for w in manifest["warnings"]), manifest["warnings"]
    assert message in err
    assert not any("out: the outcome is" in w for w in manifest["warnings"])  # it is not the same everywhere
    # a truly constant outcome says so, with its value; an overflowing variance is not called constant
    assert "flat: the outcome is 3 at every sample point; no indices computed" in manifest["warnings"]
    assert any(w.startswith("huge: the variance of the outcome across sample points is inf")
               for w in manifest["warnings"]), manifest["warnings"]
    assert not (out / "indices.csv").exists()


def test_fill_inf_gives_infinite_runs_a_value(tmp_path):
    result = run_experiment(write(tmp_path, {**BLOWUP, "outcomes": [{"name": "out", "fill_inf": 4.0}]}),
                            tmp_path / "out", workers=1, progress=False, plots=False)
    diag = result.outcomes[0].diagnostics
    assert diag["inf_points"] == 0 and math.isfinite(diag["variance"])
    table = result.indices("out").set_index("factor")
    assert table.loc["x", "ST"] > table.loc["y", "ST"]


@pytest.mark.parametrize("fill", [None, 0.0])
def test_nan_and_infinity_together(tmp_path, fill):
    """Where runs report NaN (never reached) and infinity, both are counted; fill_nan does not hide inf."""
    from model.sensitivity.analysis import filled

    matrix = np.array([[1.0, np.nan], [np.inf, 2.0], [np.nan, np.nan], [-np.inf, np.inf]])
    got = filled(matrix, fill, None)
    assert np.isinf(got).any(axis=1).sum() == 2
    assert np.isnan(got).all(axis=1).sum() == (1 if fill is None else 0)
