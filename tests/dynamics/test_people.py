"""People and money: exact quantile draws, the stationary number of enthusiasts, and draws that do not
depend on the state (common random numbers across scenarios)."""

import types

import numpy as np
import pytest
from scipy import stats

import model
from tests.support import mechanism_world
from model.model import InnovationModel
from model.dynamics import people
from model.dynamics.people import (LEAVER_ROWS, arrival_quantile, binomial_quantile, is_election, leaver_quantile,
                                  poisson_quantile)


@pytest.mark.parametrize("lam", [0.05, 0.7, 3.0, 25.0])
def test_poisson_quantile_is_scipys_inverse_cdf(lam):
    u = np.linspace(0.0005, 0.9995, 400)
    ours = [poisson_quantile(x, lam, np.exp(-lam)) for x in u]
    assert ours == list(stats.poisson.ppf(u, lam).astype(int))


@pytest.mark.parametrize("n,p", [(0, 0.3), (1, 0.08), (7, 0.08), (40, 0.5), (12, 1.0)])
def test_binomial_quantile_is_scipys_inverse_cdf(n, p):
    u = np.linspace(0.0005, 0.9995, 400)
    ours = [binomial_quantile(x, n, p) for x in u]
    assert ours == list(stats.binom.ppf(u, n, p).astype(int))


@pytest.mark.parametrize("p", [0.08, 0.3, 0.0, 1.0])
def test_leaver_table_gives_the_binomial_quantiles_bit_for_bit(p):
    """The run's table of leaver probabilities (rows filled when first asked for, counts past its rows or
    quantiles past its terms left to the loop) gives what :func:`binomial_quantile` gives, draw by draw."""
    rng = np.random.default_rng(5)
    tables = people.rates(_parameters(enthusiast_leave_rate=p), 1).tables
    u = np.concatenate([rng.random(20_000), 1.0 - rng.random(200) * 1e-15, [0.0, 1.0], tables.leavers[0, :3]])
    n = rng.integers(-1, LEAVER_ROWS + 100, len(u)).astype(np.int32)
    n[:5000] = rng.integers(0, 40, 5000)  # the usual counts, asked for again and again
    ours = [leaver_quantile(u[i], n[i], p, tables.leavers, tables.leavers_ready) for i in range(len(u))]
    assert ours == [binomial_quantile(u[i], n[i], p) for i in range(len(u))]


def test_arrival_table_gives_the_poisson_quantiles_bit_for_bit():
    """Each organisation's row of arrival probabilities gives what :func:`poisson_quantile` gives for its
    rate, draw by draw: small and large rates (quantiles past the row: the loop), a rate of zero, and a rate
    so small that the loop's tail test ends inside the row (left to the loop)."""
    rng = np.random.default_rng(6)
    lam = np.array([0.3, 1.6, 4.7, 25.0, 0.0, 1e-70, 1e-3])
    tables = people.rates(_parameters(), len(lam)).tables
    u = np.concatenate([rng.random(5000), 1.0 - rng.random(100) * 1e-15, [0.0, 1.0]])
    for i in range(len(lam)):
        ours = [arrival_quantile(x, i, lam[i], np.exp(-lam[i]), tables.arrivals, tables.arrivals_ready)
                for x in u]
        assert ours == [poisson_quantile(x, lam[i], np.exp(-lam[i])) for x in u]
    assert list(tables.arrivals_ready) == [1, 1, 1, 1, -1, -1, 1]


def _parameters(**values):
    """The people kernel's parameters (all 0.5 unless given)."""
    return types.SimpleNamespace(**{**{f: 0.5 for f in people.PeopleRates._fields[:-1]}, **values})


def test_enthusiasts_stay_at_their_stationary_mean(baseline):
    """Arrivals Poisson(a), departures Binomial(E, l): the stationary mean is a / l (docs/ODD.md §7.2)."""
    counts = []
    for seed in range(6):
        m = InnovationModel(baseline, seed=seed)
        for _ in range(baseline.steps):
            m.step()
            counts.append(m.state.enthusiasts.sum())
        expected = (m.state.arrival_rate / baseline.parameters.enthusiast_leave_rate).sum()
    assert np.mean(counts) == pytest.approx(expected, rel=0.03)


def test_people_are_the_same_in_every_scenario_with_the_same_seed(baseline):
    """Levers and parameters of the life cycle change no one's career: enthusiasts, leadership and
    slack follow the same draws (common random numbers), whatever happens to innovations."""
    busy = model.with_overrides(baseline, {"parameters.pilot_start_rate": 0.9, "parameters.p_external": 0.2})
    with_lever = mechanism_world(model.load_scenario("scenarios/portfolio_sustaingov.yaml"))  # as the fixture
    runs = [InnovationModel(s, seed=13) for s in (baseline, busy, with_lever)]
    for _ in range(baseline.steps - 1):
        for m in runs:
            m.step()
        first = runs[0].state
        for other in runs[1:]:
            assert np.array_equal(first.enthusiasts, other.state.enthusiasts)
            assert np.array_equal(first.protector, other.state.protector)
            assert np.array_equal(first.slack, other.state.slack)
    assert not np.array_equal(runs[0].stage_history, runs[1].stage_history)


def test_elections_are_every_fourth_september():
    years = np.array([2022, 2026, 2026, 2027, 2030, 2034])
    quarters = np.array([3, 3, 2, 3, 3, 3])
    assert is_election(years, quarters).tolist() == [True, True, False, False, True, True]
