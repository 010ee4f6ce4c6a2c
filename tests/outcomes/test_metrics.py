"""Equality metrics against hand-computed values."""

import numpy as np
import pytest

import model
from model.outcomes.collect import population_weighted_share
from model.outcomes.metrics import gini, theil, theil_decomposition
from model.stages import ADOPTED
from model.world.organisations import MUNICIPALITY, REGION


def test_gini_of_hand_computed_vectors():
    assert gini(np.array([1, 1, 1, 1])) == 0.0
    # one of four holds everything: mean |xi - xj| = 6/16 * 4 ... = 0.75 of the total -> G = (n - 1) / n
    assert gini(np.array([0, 0, 0, 4])) == pytest.approx(0.75)
    # x = (1, 2, 3): sum |xi - xj| over ordered pairs = 8, n^2 = 9, mean 2 -> 8 / 9 / 4
    assert gini(np.array([1.0, 2.0, 3.0])) == pytest.approx(8 / 9 / 4)
    assert gini(np.zeros(5)) == 0.0


def test_theil_of_hand_computed_vectors():
    assert theil(np.array([2.0, 2.0])) == 0.0
    # x = (1, 3), mean 2: (0.5 ln 0.5 + 1.5 ln 1.5) / 2
    assert theil(np.array([1.0, 3.0])) == pytest.approx((0.5 * np.log(0.5) + 1.5 * np.log(1.5)) / 2)
    # all in one of n: ln n
    assert theil(np.array([0, 0, 0, 5.0])) == pytest.approx(np.log(4))


def test_theil_decomposes_exactly_into_between_and_within():
    x = np.array([1.0, 3.0, 2.0, 2.0, 0.0, 6.0])
    groups = np.array([0, 0, 1, 1, 2, 2])
    total, between, within = theil_decomposition(x, groups)
    assert total == pytest.approx(between + within, abs=1e-12)
    # hand computation: mean 7/3; group means 2, 2, 3; shares 4/14, 4/14, 6/14
    mu = 14 / 6
    expected_between = 2 * (4 / 14) * np.log(2 / mu) + (6 / 14) * np.log(3 / mu)
    expected_within = (4 / 14) * theil(np.array([1.0, 3.0])) + (6 / 14) * theil(np.array([0.0, 6.0]))
    assert between == pytest.approx(expected_between)
    assert within == pytest.approx(expected_within)


def test_equal_groups_have_no_between_part():
    x = np.array([1.0, 3.0, 1.0, 3.0])
    _, between, within = theil_decomposition(x, np.array([0, 0, 1, 1]))
    assert between == pytest.approx(0.0, abs=1e-12) and within == pytest.approx(theil(x))


def test_the_small_large_gap_is_the_same_in_the_summary_and_the_time_series(baseline):
    """The summary's mean of municipality shares and the time series' pooled share per size band agree,
    because every innovation that applies to one municipality applies to all of them."""
    out = model.run(baseline, seed=3)
    ts = out.timeseries
    last = ts[(ts.step == ts.step.max()) & (ts.innovation == "all") & (ts.group_type == "size_band")]
    band = last.set_index("group")["adoption_share"]
    assert band[">100k"] - band["<10k"] == pytest.approx(out.summary["gap_small_large"])
    assert band["<10k"] == pytest.approx(out.summary["adoption_small"])


def test_population_weighting_is_the_mean_of_municipal_and_regional_coverage(baseline):
    out = model.run(baseline, seed=3)
    orgs, final, app = out.orgs, out.stage_history[-1] == ADOPTED, out.applicable
    k = next(j for j in range(app.shape[1]) if app[orgs.kind == MUNICIPALITY, j].all()
             and app[orgs.kind == REGION, j].all())
    pop = orgs.population
    cover = [(pop * final[:, k])[orgs.kind == kind].sum() / pop[orgs.kind == kind].sum()
             for kind in (MUNICIPALITY, REGION)]
    expected = population_weighted_share(orgs, app[:, [k]], final[:, [k]])
    assert expected == pytest.approx(np.mean(cover), rel=1e-2)


def test_gini_is_exact_and_independent_of_order():
    """The Gini is correctly rounded from exact sums, so it has the same bits on every machine and for any
    order of the input (a BLAS dot product's rounding depends on the CPU: tests/golden needs this)."""
    from fractions import Fraction

    rng = np.random.default_rng(3)
    x = rng.integers(0, 40, size=290) / rng.integers(1, 41, size=290)
    xs = sorted(Fraction(v) for v in x)
    n = len(xs)
    exact = sum((2 * i - n - 1) * v for i, v in enumerate(xs, start=1)) / (n * sum(xs))
    assert abs(gini(x) - float(exact)) <= 4 * np.spacing(float(exact))
    for _ in range(5):
        assert gini(rng.permutation(x)) == gini(x)
