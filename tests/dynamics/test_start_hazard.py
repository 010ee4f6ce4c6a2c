"""The pilot-start hazard (docs/ODD.md §7.7): the quarter's chance is ``1 - exp(-pilot_start_rate x
factors)``, the factors (enthusiasm, free capacity, social proof, failure memory) scaling a rate, and the life
cycle's shortcut bound (:func:`lifecycle.start_ceilings`) is a true bound of it. Checked against the formula
written out in Python, its known limits, and on random inputs."""

from pathlib import Path

import numpy as np
import pytest

import model
from model.dynamics import events, hazards, lifecycle
from numba import njit

ROOT = Path(__file__).resolve().parents[2]
SIMPLE = lifecycle.Flags(False, False, False)
RELAX_ROWS = (len(events.RELAXABLE) + 2, 1)  # a quarter's relaxations of one innovation: none


@njit
def _chance(r, flags, free, pilot_load, relax_capacity, relax_proof, local, free_enthusiasts, failed, m):
    """start_chance from Python (the hazard itself has no Python entry point: it is inlined where it runs)."""
    return hazards.start_chance(r, flags, free, pilot_load, pilot_load, relax_capacity, relax_proof, local, 0.0,
                                free_enthusiasts, failed, m)


@njit
def _ceilings(r, pressure, relax):
    ceiling = np.empty(pressure.shape[0])
    lifecycle.start_ceilings(r, pressure, relax, ceiling)
    return ceiling


def _rates(**changes) -> lifecycle.Rates:
    params = model.load_scenario(ROOT / "scenarios" / "baseline.yaml").parameters
    return lifecycle.rates(params)._replace(**changes)


def _by_hand(r, free, load, local, enthusiasts, failed) -> float:
    """ODD §7.7 written out: enthusiasm x capacity x social proof x memory scale the rate."""
    enthusiasm = r.enthusiast_floor + (1 - r.enthusiast_floor) * (1 - np.exp(-enthusiasts))
    kappa = min(1.0, max(0.0, free / load))
    social = r.social_proof_floor + (1 - r.social_proof_floor) * (1.0 if local > 0 else 0.0)
    return 1 - np.exp(-r.pilot_start_rate * enthusiasm * kappa * social * r.failure_memory ** failed)


@pytest.mark.parametrize("free, local, enthusiasts, failed", [
    (1.0, 1.0, 1, 0), (0.5, 0.0, 0, 0), (0.25, 2.0, 3, 1), (2.0, 0.0, 1, 2), (0.0, 1.0, 2, 0)])
@pytest.mark.parametrize("rate", [0.05, 0.7, 2.4, 5.0])
def test_the_chance_is_one_minus_exp_of_the_scaled_rate(rate, free, local, enthusiasts, failed):
    r = _rates(pilot_start_rate=rate)
    got = _chance(r, SIMPLE, free, 1.0, 0.0, 0.0, local, enthusiasts, failed, 0.0)
    assert got == pytest.approx(_by_hand(r, free, 1.0, local, enthusiasts, failed), abs=1e-12)


def test_half_the_capacity_no_longer_caps_the_chance_at_half():
    # the path the hazard form opens: a product of chances could not exceed free share x rate (<= 0.5 here)
    r = _rates(pilot_start_rate=5.0, enthusiast_floor=1.0, social_proof_floor=1.0, failure_memory=1.0)
    half = _chance(r, SIMPLE, 0.5, 1.0, 0.0, 0.0, 1.0, 1, 0, 0.0)
    assert half == pytest.approx(1 - np.exp(-2.5), abs=1e-12) and half > 0.9
    # and a small rate is the product form (1 - e^-x ~ x, within x^2 / 2)
    r = _rates(pilot_start_rate=0.02, enthusiast_floor=1.0, social_proof_floor=1.0, failure_memory=1.0)
    small = _chance(r, SIMPLE, 0.5, 1.0, 0.0, 0.0, 1.0, 1, 0, 0.0)
    assert abs(small - 0.01) <= 0.01 ** 2 / 2 + 1e-15


def test_the_life_cycles_ceiling_bounds_the_chance_and_stands_aside_under_a_mandate():
    rng = np.random.default_rng(5)
    for rate in (0.3, 2.4, 5.0):
        r = _rates(pilot_start_rate=rate)
        ceiling = _ceilings(r, np.zeros(1), np.zeros(RELAX_ROWS))[0]
        assert ceiling == pytest.approx(1 - np.exp(-rate), rel=1e-8)
        for _ in range(500):
            x = rng.random(5)
            chance = _chance(r, SIMPLE, 2 * x[0], 1.0, x[1], x[2], float(x[3] > 0.5), int(4 * x[4]),
                             int(3 * x[0]), 0.0)
            assert chance <= ceiling
        assert _ceilings(r, np.ones(1), np.zeros(RELAX_ROWS))[0] == 2.0  # a mandate: no shortcut
