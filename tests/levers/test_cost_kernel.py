"""The compiled lower costs (model/levers/cost_kernel.py) do what the NumPy rules they replaced did, bit for
bit, and infrastructure's quarters in the compiled loop (model/levers/compiled.py, the gain in use worked out
before the run) give the run of its quarters stepped in Python."""

from pathlib import Path

import numpy as np
import pytest

import model
from model.levers.cost_kernel import call_off, lower_costs
from model.model import InnovationModel
from model.scenario import parse_scenario
from model.stages import ADOPTED

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _call_off_numpy(stage, applicable, members, cost, load, fixed_cost_factor, load_factor):
    """The NumPy rule of Procurement.step before it was compiled (main c35d141)."""
    covered = (((stage == ADOPTED) & applicable) & members[:, None]).any(0)
    if covered.any():
        cells = members[:, None] & covered[None, :]
        np.multiply(fixed_cost_factor, cost, out=fixed_cost_factor, where=cells)
        np.multiply(load_factor, load, out=load_factor, where=cells)


@pytest.mark.parametrize("seed", range(12))
def test_call_off_multiplies_the_members_cells_of_innovations_a_member_adopted_as_numpy_did(seed):
    rng = np.random.default_rng(seed)
    n, k = 40, 5
    stage = rng.integers(0, ADOPTED + 2, size=(n, k)).astype(np.int8)
    applicable = rng.random((n, k)) < 0.8
    members = rng.random(n) < [0.0, 0.05, 0.3, 1.0][seed % 4]
    start = rng.uniform(0.2, 1.5, size=(2, n, k))
    cost, load = 1.0 - rng.random(), 1.0 - rng.random()
    expected = start.copy()
    _call_off_numpy(stage, applicable, members, cost, load, expected[0], expected[1])
    got = start.copy()
    covered = call_off(stage, applicable, members, ADOPTED, cost, load, got[0], got[1])
    assert np.array_equal(got, expected)  # bit for bit
    assert covered == int((((stage == ADOPTED) & applicable) & members[:, None]).any(0).sum())
    assert (covered > 0) == (not np.array_equal(got, start)) or cost == load == 1.0


@pytest.mark.parametrize("seed", range(6))
def test_lower_costs_multiplies_where_the_cells_are_as_numpy_did(seed):
    rng = np.random.default_rng(seed)
    cells = rng.random((30, 4)) < 0.4
    start = rng.uniform(0.2, 1.5, size=(2, 30, 4))
    cost, load = 1.0 - 0.5 * rng.random(), 1.0 - 0.5 * rng.random()
    expected = start.copy()
    np.multiply(expected[0], cost, out=expected[0], where=cells)
    np.multiply(expected[1], load, out=expected[1], where=cells)
    got = start.copy()
    lower_costs(cells, cost, load, got[0], got[1])
    assert np.array_equal(got, expected)
    assert np.array_equal(got[:, ~cells], start[:, ~cells])


def _run(scenario, seed):
    m = InnovationModel(scenario, seed=seed)
    calls = []
    step = m.step
    m.step = lambda: (calls.append(m.quarter), step())
    m.run_model()
    return m, calls


@pytest.mark.parametrize("changes", [
    {},
    {"lag_years": 0},
    {"lag_years": 3, "budget_msek_per_year": 33.3, "duration_years": 3},  # sums with rounding
    {"start_year": 2028, "duration_years": 2, "build_msek": 77.7},
    {"operator": "inera", "budget_msek_per_year": 700.0, "max_gain": 0.9},  # beyond the operator's capacity
])
def test_infrastructure_in_the_compiled_loop_gives_the_run_of_its_quarters_stepped(changes, monkeypatch):
    """The whole run in one compiled call (the gain in use each quarter worked out before it, from the money
    the lever will spend) gives the run of a model called quarter by quarter: the gain's sums with rounding,
    no lag, a later start, money beyond the operator's capacity."""
    data = model.load_scenario(SCENARIOS / "lever_infrastructure.yaml").model_dump(mode="json", exclude_none=True)
    data["levers"][0].update(changes)
    scenario = parse_scenario(data)
    fast, fast_calls = _run(scenario, 5)
    monkeypatch.setattr(InnovationModel, "_run_compiled", lambda self, end: False)
    slow, slow_calls = _run(scenario, 5)
    assert slow_calls == list(range(40))  # the reference: every quarter stepped
    assert fast_calls == [], "the run was not one compiled call"
    assert np.array_equal(fast.stage_history, slow.stage_history)
    assert np.array_equal(fast.context.record.evidence, slow.context.record.evidence)
    assert np.array_equal(fast.state.money_left, slow.state.money_left)
    assert fast.effects.infrastructure_gain == slow.effects.infrastructure_gain
    assert np.array_equal(fast.effects.fixed_cost_factor, slow.effects.fixed_cost_factor)
    assert fast.steps == slow.steps == 40
    for key, use in slow.context.ledger.usage.items():
        other = fast.context.ledger.usage[key]
        assert (use.budget, use.delivered, use.used, use.bought, use.placed) == (
            other.budget, other.delivered, other.used, other.bought, other.placed)
        assert np.array_equal(use.takers, other.takers)
