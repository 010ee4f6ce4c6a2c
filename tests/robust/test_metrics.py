"""Regret, satisficing, pairwise wins and ranks on toys whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from model.robust.metrics import (effective_n, meets, pairwise_table, rank_tables, regret, regret_table,
                                  satisficing_table, weighted_quantiles, wilson, world_means)
from model.robust.schema import COST, Threshold
from model.robust.study import run_experiment

from .common import toy_experiment, write

# three worlds x three portfolios; higher is better
VALUES = np.array([[0.5, 0.2, 0.9],
                   [0.5, 0.6, 0.4],
                   [0.5, 0.9, 0.1]])
NAMES = ["flat", "rising", "falling"]


def test_regret_against_the_best_of_each_world():
    r = regret(VALUES, "higher")
    assert np.allclose(r, [[0.4, 0.7, 0.0], [0.1, 0.0, 0.2], [0.4, 0.0, 0.8]])
    assert np.allclose(regret(-VALUES, "lower"), r)  # the same question asked the other way round


def test_regret_table_minimax_and_share_best():
    table, _ = regret_table({"y": VALUES}, {"y": "higher"}, np.ones(3), NAMES, resamples=50)
    t = table.set_index("portfolio")
    assert t.loc["flat", "max_regret"] == pytest.approx(0.4)  # never best, never far behind
    assert t.loc["flat", "rank_max_regret"] == 1  # minimax regret
    assert t.loc["rising", "mean_regret"] == pytest.approx(0.7 / 3)
    assert t.loc["rising", "share_best"] == pytest.approx(2 / 3)
    assert t.loc["falling", "rank_mean_regret"] == 3


def test_cost_regret_counts_no_gain_as_infinitely_bad():
    cost = np.array([[np.nan, 2.0, np.inf], [np.nan, 4.0, 1.0]])
    r = regret(cost, "lower")
    assert np.isnan(r[:, 0]).all()
    assert r[0, 1] == 0 and np.isinf(r[0, 2]) and r[1, 1] == pytest.approx(3.0) and r[1, 2] == 0


def test_world_means_derive_the_cost_per_extra_adoption():
    import pandas as pd

    runs = pd.DataFrame({"world": [0, 0, 0, 0], "portfolio": [0, 1, 0, 1], "replication": [0, 0, 1, 1],
                         "spend_msek": [0.0, 50.0, 0.0, 50.0], "adoptions_final": [10.0, 20.0, 12.0, 12.0]})
    values = world_means(runs, 1, 2, [COST], baseline=0)
    assert values[COST][0, 1] == pytest.approx(50.0 / 5.0)  # mean spend / mean extra adoptions (20+12)/2-(10+12)/2
    assert np.isnan(values[COST][0, 0])


def test_satisficing_shares_and_wilson_intervals():
    thresholds = {"y": Threshold(min=0.45)}
    ok = meets({"y": VALUES}, thresholds)
    assert ok.tolist() == [[True, False, True], [True, True, False], [True, True, False]]
    table = satisficing_table({"y": VALUES}, thresholds, np.ones(3), NAMES).set_index("portfolio")
    assert table.loc["flat", "share_satisficing"] == 1.0 and table.loc["flat", "rank"] == 1
    assert table.loc["rising", "share_satisficing"] == pytest.approx(2 / 3)
    assert table.loc["flat", "low"] < 1.0 == table.loc["flat", "high"]
    low, high = wilson(0.5, 100)
    assert low == pytest.approx(0.404, abs=1e-3) and high == pytest.approx(0.596, abs=1e-3)  # textbook values


def test_nan_never_meets_a_threshold():
    assert not Threshold(max=1.0).met(float("nan"))


def test_pairwise_shares_and_ranks():
    table = pairwise_table({"y": VALUES}, {"y": "higher"}, np.ones(3), NAMES).set_index(["a", "b"])
    assert table.loc[("rising", "falling"), "share_a_better"] == pytest.approx(2 / 3)
    assert table.loc[("falling", "rising"), "share_a_better"] == pytest.approx(1 / 3)
    ranks, stability = rank_tables({"y": VALUES}, {"y": "higher"}, np.ones(3), NAMES)
    assert ranks.set_index("portfolio").loc["rising", "rank_1"] == pytest.approx(2 / 3)
    same = np.tile([[1.0, 2.0, 3.0]], (4, 1))  # the same ranking in every world
    _, stable = rank_tables({"y": same}, {"y": "higher"}, np.ones(4), NAMES)
    assert stable.kendall_w.iloc[0] == pytest.approx(1.0) and stable.most_often_best.iloc[0] == "falling"


def test_weights_count_as_repeated_worlds():
    v, w = np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 1.0])
    assert weighted_quantiles(v, w, [0.5])[0] == 2.0
    assert effective_n(w) == pytest.approx(16 / 6)


def test_toy_experiment_end_to_end(tmp_path):
    """Score u (rising), 1 - u (falling) or 0.5 (flat) for u uniform on [0, 1]: flat's regret is
    max(u, 1 - u) - 0.5, at most 0.5 (the minimax choice); rising and falling reach regret 1; score >= 0.6
    holds in 40 % of worlds for rising and falling, in none for flat."""
    result = run_experiment(write(tmp_path, toy_experiment()), tmp_path / "out", workers=1, progress=False,
                            charts=False)
    regret_ = result.table("regret").set_index("portfolio")
    assert regret_.loc["flat", "rank_max_regret"] == 1
    u = result.plan.worlds.values[:, 0]
    assert regret_.loc["flat", "max_regret"] == pytest.approx(np.abs(u - 0.5).max())
    assert regret_.loc["rising", "max_regret"] == pytest.approx(1 - 2 * u.min())  # falling is best below 1/2
    assert regret_.loc["flat", "mean_regret"] == pytest.approx(np.abs(u - 0.5).mean())
    assert regret_.loc["flat", "mean_regret"] == pytest.approx(0.25, abs=0.01)  # E[|u - 1/2|] = 1/4
    sat = result.table("satisficing").set_index("portfolio")
    assert sat.loc["flat", "share_satisficing"] == 0.0
    assert sat.loc["rising", "share_satisficing"] == pytest.approx((u >= 0.6).mean())
    assert sat.loc["rising", "share_satisficing"] == pytest.approx(0.4, abs=0.03)  # LHS: one point per stratum
    assert (tmp_path / "out" / "summary.md").read_text(encoding="utf-8").count("minimax regret: **flat**") == 1
