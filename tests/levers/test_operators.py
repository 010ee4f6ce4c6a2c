"""Actors that act: every lever is delivered by an operator from the world's actors, with a yearly delivery
capacity; money beyond it, or without a taker, is reported as unplaced; regions run levers for their own
municipalities from their own money; a lever whose operator is not in the world is a validation error."""

from pathlib import Path

import numpy as np
import pytest

import model
from model.levers import REGISTRY
from model.model import InnovationModel
from model.world.organisations import MUNICIPALITY, REGION

from ..support import MINIMAL
from ..support import assert_scenario_rejected as bad

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def base():
    return model.with_overrides(model.load_scenario(SCENARIOS / "baseline.yaml"), {"horizon_years": 5})


def usage(out, lever=None):
    frame = out.lever_usage
    return frame if lever is None else frame[frame.lever == lever]


def test_every_lever_has_an_operator_from_the_worlds_actors(base):
    defaults = {name: cls.default_operator for name, cls in REGISTRY.items()}
    assert defaults["pilot_grants"] == defaults["scale_up_grants"] == defaults["small_actor_grants"] == "vinnova"
    assert defaults["peer_review"] == defaults["learning_networks"] == defaults["training_networks"] == "skr"
    assert defaults["infrastructure"] == "digg" and defaults["procurement"] == "adda"
    assert defaults["change_teams"] == "rise"
    for name, cls in REGISTRY.items():  # every registered lever: its default operator is in the world
        entry = model.with_overrides(base, {"levers": [{"type": name, "budget_msek_per_year": 1}]}).levers[0]
        assert entry.operator == cls.default_operator, name
    scenario = model.with_overrides(base, {"levers": [{"type": "peer_review", "budget_msek_per_year": 10}]})
    assert scenario.levers[0].operator == "skr"  # the default is filled in and recorded
    assert usage(model.run(scenario, 1))["operator"].eq("skr").all()


def test_a_lever_whose_operator_is_not_in_the_world_is_a_validation_error(tmp_path, capsys):
    lever = "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
    bad(tmp_path, capsys, MINIMAL + "world:\n  agencies: false\n" + lever,
        "levers[0].operator", "'skr' is not in this world (world.agencies: false)")
    bad(tmp_path, capsys, MINIMAL + "world:\n  without: [skr]\n" + lever,
        "levers[0].operator", "world.without lists 'skr'")
    bad(tmp_path, capsys, MINIMAL + lever + "    operator: skrr\n",
        "levers[0].operator", "unknown operator 'skrr'", "did you mean 'skr'")
    bad(tmp_path, capsys, MINIMAL + lever + "    operator: digg\n",
        "levers[0].operator", "'digg' (infrastructure_provider) does not run peer_review")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: infrastructure\n    budget_msek_per_year: 5\n"
        "    operator: regions\n", "levers[0].operator", "regions cannot operate infrastructure")
    bad(tmp_path, capsys, MINIMAL + "world:\n  regions: false\n" + lever + "    operator: regions\n",
        "levers[0].operator", "this world has no regions")
    bad(tmp_path, capsys, MINIMAL + "world:\n  without: [skrr]\n", "world.without", "unknown agency 'skrr'")


def test_money_beyond_the_operators_capacity_is_unplaced(base):
    # DIGG delivers 150 MSEK a year: of 500 a year, 350 is unplaced for lack of capacity
    scenario = model.with_overrides(base, {"levers": [{"type": "infrastructure", "budget_msek_per_year": 500}]})
    out = model.run(scenario, 1)
    year = usage(out).iloc[0]
    assert year.budget_msek == 500 and year.delivered_msek == pytest.approx(150)
    assert year.unplaced_capacity_msek == pytest.approx(350) and year.used_msek == pytest.approx(150)
    assert out.summary["spend_msek"] == pytest.approx(150 * 5)
    assert out.summary["unplaced_capacity_msek"] == pytest.approx(350 * 5)
    # two levers of one operator share its capacity in proportion to their budgets
    shared = model.with_overrides(base, {"levers": [
        {"type": "learning_networks", "budget_msek_per_year": 200},
        {"type": "training_networks", "budget_msek_per_year": 100}]})  # SKR: 150 of 300
    frame = usage(model.run(shared, 1))
    first = frame[frame.year == 2026].set_index("lever")
    assert first.loc["learning_networks", "delivered_msek"] == pytest.approx(100)
    assert first.loc["training_networks", "delivered_msek"] == pytest.approx(50)


def test_money_that_finds_no_taker_is_unplaced_not_spent(base):
    # peer reviews for 34 northern municipalities under 20 000: few of them ask
    entry = {"type": "peer_review", "budget_msek_per_year": 20,
             "target": {"by": "region", "regions": ["Norrbotten", "Västerbotten", "Jämtland", "Västernorrland"],
                        "size_bands": ["<10k", "10-20k"]}}
    out = model.run(model.with_overrides(base, {"levers": [entry]}), 1)
    frame = usage(out)
    assert (frame.unplaced_no_taker_msek > 0).all()
    assert frame.placed.sum() < 0.5 * frame.bought.sum()
    assert out.summary["spend_msek"] == pytest.approx(frame.used_msek.sum())
    assert out.summary["spend_msek"] + out.summary["unplaced_msek"] == pytest.approx(out.summary["budget_msek"])
    assert np.allclose(frame.used_msek, frame.placed * 0.25)


def test_removing_an_operator_removes_its_levers_effect(base):
    entry = {"type": "change_teams", "budget_msek_per_year": 60}
    with_teams = model.with_overrides(base, {"levers": [entry]})
    no_capacity = model.with_overrides(with_teams, {"world.delivery_msek_per_year": {"rise": 0}})
    plain = model.with_overrides(base, {"world.delivery_msek_per_year": {"rise": 0}})
    for seed in (1, 2):
        a, b = model.run(plain, seed), model.run(no_capacity, seed)
        assert np.array_equal(a.stage_history, b.stage_history)
        assert b.summary["spend_msek"] == 0 and b.summary["unplaced_capacity_msek"] == pytest.approx(60 * 5)
    effect = [model.run(with_teams, s).summary["pilot_to_scale_rate"] - model.run(base, s).summary["pilot_to_scale_rate"]
              for s in range(12)]
    assert np.mean(effect) > 0  # with its operator the lever does something


def test_regions_run_levers_for_their_own_municipalities_from_their_own_money(base):
    entry = {"type": "change_teams", "budget_msek_per_year": 30, "operator": "regions", "name": "regional teams"}
    m = InnovationModel(model.with_overrides(base, {"levers": [entry]}), seed=3)
    parts = m.levers
    assert len(parts) == 21 and all(p.operator == "regions" for p in parts)
    assert sum(p.budget for p in parts) == pytest.approx(30)
    before = m.state.money_left.copy()
    m.step()
    regions = m.orgs.kind == REGION
    paid = before[regions] - m.state.money_left[regions]
    assert (paid > 0).all()  # every region paid its part from its own money
    for _ in range(7):
        m.step()
    for part in parts:
        visited = np.flatnonzero(part.visited)
        assert (m.orgs.county[visited] == m.orgs.county[part.region]).all()
        assert (m.orgs.kind[visited] == MUNICIPALITY).all()
    record = m.context.ledger.usage["regional teams", 2026]
    assert record.operator == "regions" and record.budget == pytest.approx(30)
    assert 0 < record.delivered <= 30
