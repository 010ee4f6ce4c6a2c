"""One economy (model/economy.py): a krona buys the same things at the same prices whoever pays it."""

import numpy as np
import pytest

import model
from model import economy
from model.model import InnovationModel
from model.runner import replication_seed
from model.world.organisations import MUNICIPALITY

EXTRA_PER_10K = 0.5  # MSEK a year per 10 000 inhabitants, on top of the calibrated own money


def _controlled(baseline):
    """Municipalities and digital home care only; own money without year-to-year noise, so that a krona of
    own money and a krona of a formula grant arrive alike."""
    dhc = next(i for i in baseline.model_dump(mode="python")["innovations"] if i["name"] == "digital_home_care")
    return model.with_overrides(baseline, {"world.regions": False, "innovations": [dhc], "horizon_years": 6,
                                           "parameters.slack_volatility": 0.0,
                                           "world.delivery_msek_per_year": {"vinnova": 100_000}})


def test_a_krona_of_own_money_does_what_a_krona_of_a_formula_grant_does(baseline):
    """The same extra money a year — 0.5 MSEK per 10 000 inhabitants for every municipality — once as own
    money, once as a small-actor grant (by population, no administration, paid each first quarter): the same
    runs (common random numbers) end with the same adoptions, pilots and money spent, and both differ from
    the world without the money."""
    plain = _controlled(baseline)
    m = InnovationModel(plain, seed=0)
    muni = m.orgs.kind == MUNICIPALITY
    assert np.allclose(m.orgs.population[muni], m.scale[muni])
    budget = EXTRA_PER_10K * float(m.scale[muni].sum()) / 1e4
    own = model.with_overrides(plain, {"parameters.slack_msek_per_10k": economy.REFERENCE_OWN_MONEY_PER_10K
                                       + EXTRA_PER_10K})
    grant = model.with_overrides(plain, {"levers": [{
        "type": "small_actor_grants", "budget_msek_per_year": budget, "admin_share": 0.0, "calls_per_year": 1,
        "formula_weight": "population", "target": {"by": "all", "kinds": ["municipality"]}}]})
    keys = ("adoptions_final", "pilots_started", "pilots_scaled", "money_own_msek")
    same, differs = [], []
    for r in range(12):
        seed = replication_seed(11, r)
        a, b, c = (model.run(s, seed).summary for s in (own, grant, plain))
        same.append([a[k] - b[k] for k in keys])
        differs.append(a["adoptions_final"] - c["adoptions_final"])
    same = np.array(same)
    assert np.abs(same[:, :3]).max() == 0, same
    assert np.abs(same[:, 3]).max() < 1e-6 * budget * 6
    differs = np.array(differs)
    assert differs.mean() - 1.96 * differs.std(ddof=1) / np.sqrt(len(differs)) > 0, differs


def test_own_money_at_the_calibrated_level_leaves_the_calibrated_world_and_more_buys_people(baseline):
    m = InnovationModel(baseline, seed=0)
    p = m.params
    assert p.slack_msek_per_10k == economy.REFERENCE_OWN_MONEY_PER_10K
    money, staff = economy.own_money(p, m.scale)
    assert np.allclose(money, m.scale / 1e4 * p.slack_msek_per_10k) and not staff.any()
    richer = InnovationModel(model.with_overrides(baseline, {"parameters.slack_msek_per_10k": 2.0}), seed=0)
    extra = m.scale / 1e4  # 1 MSEK per 10 000 inhabitants more a year
    assert not m.effects.capacity_bonus.any()
    assert richer.state.capacity == pytest.approx(m.state.capacity)  # the starting state is the observed one
    assert richer.effects.capacity_bonus == pytest.approx(p.flexible_staff_share * extra / p.capacity_msek)
    assert richer.state.slack_mean == pytest.approx(m.state.slack_mean + (1 - p.flexible_staff_share) * extra)
    poorer = InnovationModel(model.with_overrides(baseline, {"parameters.slack_msek_per_10k": 0.0}), seed=0)
    total = poorer.state.capacity + poorer.effects.capacity_bonus
    assert (total >= economy.CAPACITY_FLOOR * m.state.capacity - 1e-12).all() and (total < m.state.capacity).all()


def test_where_money_binds_is_counted():
    """In the calibrated world (the shipped defaults) money binds: pilot starts are stopped by it and pilot
    quarters wait for it; with less own money more, with more fewer (paired on common random numbers)."""
    calibrated = model.load_scenario("scenarios/baseline.yaml")
    for key in ("money_blocked_pilot_starts", "money_waiting_pilot_quarters"):
        rows = []
        for r in range(6):
            seed = replication_seed(13, r)
            rows.append([model.run(model.with_overrides(calibrated, {"parameters.slack_msek_per_10k": v}), seed)
                         .summary[key] for v in (0.5, 1.0, 3.0)])
        rows = np.array(rows)
        assert (rows[:, 0] > rows[:, 1]).all() and (rows[:, 1] > rows[:, 2]).all() and rows[:, 1].min() > 100, rows
