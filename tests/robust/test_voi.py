"""Value of information on decisions with known answers.

The toy decision: two options, ``NB_1 = 0`` and ``NB_2 = phi1 + phi2`` with ``phi1, phi2, phi3 ~ N(0, 1)``
independent. Then EVPI = E[max(0, phi1 + phi2)] = sqrt(2) / sqrt(2 pi) = 1 / sqrt(pi); EVPPI(phi1) =
E[max(0, E[NB_2 | phi1])] = E[max(0, phi1)] = 1 / sqrt(2 pi); EVPPI(phi3) = 0 (phi3 plays no part). With
noise ``NB_2 + N(0, 1)`` EVPPI(phi1) is unchanged while the EVPI computed from the noisy values grows to
E[max(0, N(0, 3))] = sqrt(3) / sqrt(2 pi).

Tolerances: the estimator ``mean max(0, S) - max(0, mean S)`` of E[max(0, S)] (S ~ N(0, s^2), n draws) errs
by at most the Monte Carlo error of its first term (standard deviation ``s sqrt(1/2 - 1/(2 pi))``) plus that
of ``mean S`` (standard deviation ``s``), each over sqrt(n); the tests allow 4 such standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from model.robust.study import run_experiment
from model.robust.voi import evpi, evppi, oriented, smooth, usable, value_of_information, voi_table

from .common import toy_experiment, write

N = 20_000
SD_POSITIVE_PART = math.sqrt(0.5 - 1 / (2 * math.pi))  # sd of max(0, Z), Z ~ N(0, 1)


def tolerance(s: float, n: int = N) -> float:
    """4 Monte Carlo standard errors of the EVPI estimator of E[max(0, S)], S ~ N(0, s^2)."""
    return 4 * s * (SD_POSITIVE_PART + 1) / math.sqrt(n)


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(20261206)
    phi = rng.standard_normal((N, 3))
    nb = np.column_stack([np.zeros(N), phi[:, 0] + phi[:, 1]])
    noisy = nb + np.column_stack([np.zeros(N), rng.standard_normal(N)])
    return phi, nb, noisy


@pytest.mark.slow
def test_evpi_of_the_toy_decision(toy):
    _, nb, _ = toy
    assert evpi(nb) == pytest.approx(1 / math.sqrt(math.pi), abs=tolerance(math.sqrt(2)))


@pytest.mark.slow
def test_evppi_of_each_parameter_of_the_toy_decision(toy):
    phi, nb, _ = toy
    total = evpi(nb)
    found = [evppi(phi[:, j], nb, total=total, resamples=200, rng=np.random.default_rng(j)) for j in range(3)]
    for j in (0, 1):
        assert found[j].value == pytest.approx(1 / math.sqrt(2 * math.pi), abs=tolerance(1.0))
        # against the same sample's estimate with the true E[NB_2 | phi_j] = phi_j + mean of the other: the
        # regression's own error is far smaller than the Monte Carlo error
        other = phi[:, 1 - j].mean()
        oracle = np.maximum(0, phi[:, j] + other).mean() - max(0.0, nb[:, 1].mean())
        assert found[j].value == pytest.approx(oracle, abs=0.01)
        assert found[j].low <= found[j].value <= found[j].high and 0 < found[j].se < 0.02
    assert found[2].value < 0.02 and found[2].low < 0.005  # an irrelevant parameter: about 0
    assert all(f.value <= total for f in found)


@pytest.mark.slow
def test_noise_inflates_evpi_but_not_evppi(toy):
    phi, _, noisy = toy
    naive = evpi(noisy)
    assert naive == pytest.approx(math.sqrt(3) / math.sqrt(2 * math.pi), abs=tolerance(math.sqrt(3)))
    assert naive > 1 / math.sqrt(math.pi) + tolerance(math.sqrt(2))
    found = evppi(phi[:, 0], noisy, resamples=200, rng=np.random.default_rng(5))
    assert found.value == pytest.approx(1 / math.sqrt(2 * math.pi), abs=tolerance(1.0))


def test_a_discrete_parameter_is_regressed_on_its_groups():
    # NB_2 = phi - 0.5 + noise with phi in {0, 1}: EVPPI(phi) = E[max(0, phi - 0.5)] = 0.25
    rng = np.random.default_rng(3)
    phi = rng.integers(0, 2, 4000).astype(float)
    nb = np.column_stack([np.zeros(4000), phi - 0.5 + 0.5 * rng.standard_normal(4000)])
    fit = smooth(phi, nb)
    assert fit.basis.shape == (4000, 2)  # one indicator per value
    assert evppi(phi, nb, resamples=100).value == pytest.approx(0.25, abs=4 * 0.5 / math.sqrt(2000) + 0.01)


def test_evppi_is_clipped_to_the_evpi_and_says_so():
    rng = np.random.default_rng(4)
    phi = rng.standard_normal(500)
    nb = np.column_stack([np.zeros(500), phi])
    found = evppi(phi, nb, total=0.1, resamples=50)
    assert found.clipped and found.value == 0.1 and found.raw > 0.3
    assert evppi(np.full(500, 2.0), nb).value == 0.0  # a parameter that does not vary tells nothing


def test_weights_count_as_repeated_worlds():
    rng = np.random.default_rng(6)
    nb = rng.standard_normal((50, 3))
    weights = rng.integers(1, 4, 50).astype(float)
    assert evpi(nb, weights) == pytest.approx(evpi(np.repeat(nb, weights.astype(int), axis=0)))


def test_lower_is_better_is_turned_round_and_gaps_are_left_out():
    rng = np.random.default_rng(7)
    x = rng.uniform(size=(200, 1))
    cost = np.column_stack([np.full(200, np.nan), np.full(200, 1.0), 2 * x[:, 0], np.full(200, 0.5)])
    cost[3, 3] = np.inf  # spends and gains nothing in one world
    cost[5, 2] = np.nan
    assert (oriented(cost, "lower")[:, 1] == -1).all()
    keep, worlds, notes = usable(oriented(cost, "lower"), ["base", "one", "rising", "sometimes"])
    assert list(keep) == [1, 2] and worlds.sum() == 199
    assert any("base" in n for n in notes) and any("sometimes" in n for n in notes)
    table, _ = value_of_information(cost, "lower", x, ["x"], ["base", "one", "rising", "sometimes"], resamples=50)
    # 'rising' (cost 2x) beats 'one' where x < 0.5: EVPI = E[max(0, 1 - 2x)] = 1/4 for x ~ U(0, 1)
    assert table.chosen_now[0] == "one"
    assert table.evpi[0] == pytest.approx(0.25, abs=0.03) and table.evppi[0] == pytest.approx(table.evpi[0], abs=0.01)
    with pytest.raises(ValueError, match="better"):
        oriented(cost, "sideways")


def test_table_of_every_criterion():
    x = np.linspace(0, 1, 40)[:, None]
    values = {"score": np.column_stack([np.full(40, 0.5), x[:, 0], 1 - x[:, 0]]), "flat": np.ones((40, 3))}
    table = voi_table(values, {"score": "higher", "flat": "higher"}, x, ["u"], ["a", "b", "c"], resamples=50)
    assert list(table.criterion) == ["score", "flat"] and list(table.columns[:3]) == ["criterion", "better", "unit"]
    assert table.evpi[0] == pytest.approx(np.maximum(x[:, 0], 1 - x[:, 0]).mean() - 0.5)
    assert table.evpi[1] == 0 and table.evppi[1] == 0
    assert voi_table(values, {"score": "higher"}, np.zeros((40, 0)), [], ["a", "b", "c"]).empty


@pytest.mark.slow
def test_robust_writes_the_value_of_information(tmp_path):
    # flat 0.5, rising u, falling 1 - u over u ~ U(0, 1): EVPI = E[max(u, 1 - u)] - 0.5 = 1/4, all of it u's
    path = write(tmp_path, toy_experiment(worlds={"sampler": "lhs", "n": 64}))
    result = run_experiment(path, tmp_path / "out", workers=1, progress=False)
    out = tmp_path / "out"
    table = pd.read_csv(out / "value_of_information.csv")
    row = table.iloc[0]
    assert (row.criterion, row.parameter) == ("score", "u")
    assert row.evpi == pytest.approx(0.25, abs=0.01) and row.evppi == pytest.approx(row.evpi, rel=0.02)
    assert row.evppi_low <= row.evppi <= row.evppi_high and row.share_of_evpi > 0.95
    assert (out / "charts" / "value_of_information.png").stat().st_size > 5000
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Value of information" in summary and "Measuring **u** first would be worth most" in summary
    from model.robust import robustness_section

    assert "Value of information" in robustness_section(out)
    assert "value_of_information.csv" in result.manifest["files"]


def test_a_ratio_without_gain_everywhere_has_no_value_of_information():
    cost = np.array([[np.nan, 1.0, np.inf], [np.nan, np.inf, 3.0]] * 5)  # each portfolio gains nothing somewhere
    table, notes = value_of_information(cost, "lower", np.arange(10.0)[:, None], ["x"], ["base", "b", "c"])
    assert table.empty and "choice on expected value undefined" in notes[0]
    few = np.array([[1.0, 2.0], [2.0, 1.0]])
    table, notes = value_of_information(few, "lower", np.zeros((2, 1)), ["x"], ["a", "b"])
    assert table.empty and "at least 2 and 4 are needed" in notes[-1]


def test_the_headline_names_no_unknown_when_the_largest_evppi_may_be_zero():
    """A headline must not name a 'most valuable' unknown whose EVPPI interval includes no gain."""
    import pandas as pd

    from model.robust.voi_text import headline

    rows = pd.DataFrame([
        dict(parameter="a", evppi=0.001, evppi_low=0.0, evppi_high=0.001, clipped=True, share_of_evpi=1.0,
             evpi=0.001, chosen_now="p1"),
        dict(parameter="b", evppi=0.0, evppi_low=0.0, evppi_high=0.001, clipped=False, share_of_evpi=0.0,
             evpi=0.001, chosen_now="p1"),
    ])
    text = headline("final_adoption", rows)
    assert "No single unknown is surely worth measuring first" in text and "would be worth most" not in text
    assert "capped at the EVPI" in text and "0.10 pp" in text
    sure = rows.assign(evppi_low=[0.0005, 0.0], clipped=[False, False])
    assert "Measuring **a** first would be worth most" in headline("final_adoption", sure)
