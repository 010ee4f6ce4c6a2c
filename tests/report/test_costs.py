"""Cost per extra adoption with its bootstrap interval, and the cost-effectiveness frontier on constructed
cases whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.report.costs import bootstrap_ratio, cost_effectiveness, frontier


def test_the_frontier_marks_a_known_dominated_and_an_extendedly_dominated_portfolio():
    # A: 100 MSEK for 10; B: 200 MSEK for 8 (dearer and worse than A: dominated);
    # C: 300 MSEK for 12 (ICER 100 after A); D: 400 MSEK for 30 (ICER 16.7 after C: so C is extendedly dominated)
    cost = {"base": 0.0, "A": 100.0, "B": 200.0, "C": 300.0, "D": 400.0}
    effect = {"base": 0.0, "A": 10.0, "B": 8.0, "C": 12.0, "D": 30.0}
    marks = frontier(cost, effect, "base").set_index("scenario")
    assert marks.loc["base", "status"] == "baseline"
    assert marks.loc["B", "status"] == "dominated" and marks.loc["B", "dominated_by"] == "A"
    assert marks.loc["C", "status"] == "extendedly dominated" and marks.loc["C", "dominated_by"] == "D"
    assert marks.loc["A", "status"] == marks.loc["D", "status"] == "frontier"
    assert marks.loc["A", "icer_msek"] == pytest.approx(10.0)
    assert marks.loc["D", "icer_msek"] == pytest.approx(300.0 / 20.0)
    assert np.isnan(marks.loc["B", "icer_msek"]) and np.isnan(marks.loc["C", "icer_msek"])
    assert list(marks.index) == ["base", "A", "B", "C", "D"]  # ordered by cost


def test_a_portfolio_that_adds_nothing_for_money_is_dominated_by_the_baseline():
    marks = frontier({"base": 0.0, "waste": 50.0}, {"base": 0.0, "waste": -1.0}, "base").set_index("scenario")
    assert marks.loc["waste", "status"] == "dominated" and marks.loc["waste", "dominated_by"] == "base"


def test_the_bootstrap_interval_brackets_the_ratio_and_is_reproducible():
    rng = np.random.default_rng(3)
    effect = 20 + rng.normal(0, 4, 40)
    cost = np.full(40, 200.0)
    ratio, low, high = bootstrap_ratio(cost, effect)
    assert ratio == pytest.approx(200.0 / effect.mean())
    assert low < ratio < high and high - low < 2.0
    assert bootstrap_ratio(cost, effect) == (ratio, low, high)
    assert all(np.isnan(bootstrap_ratio(cost, -effect)))  # no extra adoptions: no cost per extra adoption
    # an effect that may be nothing leaves the interval open above
    assert bootstrap_ratio(np.full(6, 10.0), np.array([-2.0, 3, -1, 4, 0.5, -1]))[2] == np.inf


def test_cost_effectiveness_is_head_to_head_against_a_portfolio_baseline():
    adoptions = {"old": np.array([10.0, 12, 11, 13]), "new": np.array([20.0, 21, 22, 25])}
    costs = {"old": np.full(4, 100.0), "new": np.full(4, 150.0)}
    table = cost_effectiveness(adoptions, costs, "old", budgeted={"old": 100.0, "new": 160.0}).set_index("scenario")
    assert table.loc["new", "incremental_cost_msek"] == pytest.approx(50.0)
    assert table.loc["new", "extra_adoptions"] == pytest.approx(10.5)
    assert table.loc["new", "cost_per_extra_adoption_msek"] == pytest.approx(50.0 / 10.5)
    assert table.loc["new", "budgeted_msek"] == 160.0 and table.loc["new", "status"] == "frontier"
    assert isinstance(table, pd.DataFrame)
