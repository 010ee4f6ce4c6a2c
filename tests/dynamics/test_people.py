"""People and money: exact quantile draws, the stationary number of enthusiasts, and draws that do not
depend on the state (common random numbers across scenarios)."""

import numpy as np
import pytest
from scipy import stats

import model
from tests.support import mechanism_world
from model.model import InnovationModel
from model.dynamics.people import binomial_quantile, is_election, poisson_quantile


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
