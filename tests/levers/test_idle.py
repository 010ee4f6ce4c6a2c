"""Levers whose work is over stop being called, and that changes nothing: every shipped scenario with levers
gives bit-identical histories, spending and outcomes whether idle levers are retired or called to the end."""

from pathlib import Path

import numpy as np
import pytest

import model
from model.levers.base import Lever
from model.model import InnovationModel

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
WITH_LEVERS = sorted(p for p in SCENARIOS.glob("*.yaml")
                     if any(lever.budget_msek_per_year > 0 for lever in model.load_scenario(p).levers)
                     or model.load_scenario(p).events)


def _finished(scenario, seed):
    m = InnovationModel(scenario, seed=seed)
    m.run_model()
    return m


@pytest.mark.parametrize("path", WITH_LEVERS, ids=lambda p: p.stem)
def test_retiring_idle_levers_changes_nothing(path, monkeypatch):
    scenario = model.load_scenario(path)
    retired = _finished(scenario, 11)
    monkeypatch.setattr(Lever, "idle", lambda self, ctx, t, year: False)  # every lever called every quarter
    called = _finished(scenario, 11)
    assert np.array_equal(retired.stage_history, called.stage_history)
    assert np.array_equal(retired.context.record.evidence, called.context.record.evidence)
    assert np.array_equal(retired.effects.capacity_bonus, called.effects.capacity_bonus)
    assert retired.context.ledger.usage.keys() == called.context.ledger.usage.keys()
    for key, use in retired.context.ledger.usage.items():
        other = called.context.ledger.usage[key]
        assert (use.used, use.returned, use.placed, use.bought) == (other.used, other.returned, other.placed,
                                                                    other.bought)
        assert np.array_equal(use.takers, other.takers)


def test_a_five_year_programme_stops_acting_soon_after_its_years():
    scenario = model.load_scenario(SCENARIOS / "lever_peer_review.yaml")  # 2026-2030 in a 2026-2035 run
    m = InnovationModel(scenario, seed=2)
    while m.acting_levers:
        m.step()
    # its last reviews are in 2030's fourth quarter (index 19); their bonus lasts bonus_quarters after that
    bonus = scenario.levers[0].bonus_quarters
    assert 20 <= m.quarter <= 20 + bonus + 1
    m.run_model()  # the rest in one compiled call
    assert m.quarter == m.n_steps and not m.running


def test_a_lever_that_does_not_say_when_it_is_done_is_never_retired():
    class Quiet(Lever):
        def step(self, ctx, t, year, quarter, active):
            pass

    scenario = model.load_scenario(SCENARIOS / "lever_peer_review.yaml")
    m = InnovationModel(scenario, seed=2)
    lever = Quiet(scenario.levers[0], m.context)
    assert not lever.idle(m.context, 39, m.calendar.end_year - 1)  # the default: lingering
