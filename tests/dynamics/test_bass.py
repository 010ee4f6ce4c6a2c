"""The Bass reduction: homogeneous organisations, a complete network and one-step adoption (docs/bass.md)."""

import numpy as np
import pytest

import model
from model.stages import ADOPTED
from tests.conftest import SCENARIOS


def bass_curve(p: float, q: float, t: np.ndarray) -> np.ndarray:
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


@pytest.fixture(scope="module")
def bass_runs():
    scenario = model.load_scenario(SCENARIOS / "bass.yaml")
    curves = np.array([(model.run(scenario, seed=s).stage_history[:, :, 0] == ADOPTED).mean(1) for s in range(80)])
    n = 290
    p = -np.log1p(-scenario.parameters.p_external)
    q = -n * np.log1p(-scenario.parameters.beta_national)
    return curves, p, q


def discrete_bass(p: float, q: float, steps: int) -> np.ndarray:
    """The Bass model stepped a quarter at a time with the hazard held fixed within the quarter."""
    f = [0.0]
    for _ in range(steps - 1):
        f.append(f[-1] + (1 - f[-1]) * (1 - np.exp(-(p + q * f[-1]))))
    return np.array(f)


def test_mean_adoption_follows_the_quarterly_bass_recursion(bass_runs):
    curves, p, q = bass_runs
    gap = np.abs(curves.mean(0) - discrete_bass(p, q, curves.shape[1]))
    assert gap.max() < 0.025, f"largest gap to the quarterly Bass recursion {gap.max():.3f}"


def test_mean_adoption_follows_the_closed_form_bass_curve(bass_runs):
    """Quarterly steps lag the continuous curve by about 0.02 at most (docs/bass.md)."""
    curves, p, q = bass_runs
    t = np.arange(curves.shape[1])
    gap = np.abs(curves.mean(0) - bass_curve(p, q, t))
    assert gap.max() < 0.05, f"largest gap to the Bass curve {gap.max():.3f}"


def test_the_comparison_can_tell_a_wrong_curve(bass_runs):
    """The tolerance above is tight enough to reject a Bass curve with q off by a half."""
    curves, p, q = bass_runs
    t = np.arange(curves.shape[1])
    assert np.abs(curves.mean(0) - bass_curve(p, 1.5 * q, t)).max() > 0.1
    assert np.abs(curves.mean(0) - discrete_bass(2 * p, q, len(t))).max() > 0.05


def test_without_imitation_adoption_is_the_exponential_of_external_influence():
    """q = 0: each organisation adopts at constant hazard p, so F(t) = 1 - exp(-p t)."""
    scenario = model.with_overrides(model.load_scenario(SCENARIOS / "bass.yaml"),
                                    {"parameters.beta_national": 0.0, "parameters.p_external": 0.05})
    curves = np.array([(model.run(scenario, seed=s).stage_history[:, :, 0] == ADOPTED).mean(1) for s in range(20)])
    t = np.arange(curves.shape[1])
    expected = 1 - (1 - 0.05) ** t
    assert np.abs(curves.mean(0) - expected).max() < 0.02
