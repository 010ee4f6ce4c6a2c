"""Simple and complex contagion as defined (Centola & Macy 2007; Centola 2010): the same proof ties with the
same weights, social proof full from one adopting tie (simple) or from a threshold of several (complex).
With equal influence, complex contagion spreads slower than simple contagion over long random ties and gains
on clustered ties; in the calibrated baseline world it spreads less than simple contagion.

The experiment: the 290 municipalities tied only by their real land borders (a clustered, nearly planar
network), against the same network with every tie rewired into a random long tie by double edge swaps
(each municipality keeps its number of ties: the same influence, spread over the country). Everyone hears
of the innovation at once, a pilot starts only with social proof and always scales, so the spread is the
contagion alone.
"""

import numpy as np
import pytest

import model
from model.model import InnovationModel
from tests.conftest import SCENARIOS
from model.scenario import parse_scenario


def scenario(contagion: str, rewire: float, threshold: str = "count"):
    return parse_scenario({
        "name": "contagion", "horizon_years": 5,
        "world": {"regions": False, "agencies": False,
                  "networks": {"neighbours": True, "county": False, "skr_group": False, "national": False,
                               "rewire": rewire}},
        "mechanisms": {"contagion": contagion, "threshold": threshold},
        "parameters": {"p_external": 0.3, "beta_neighbour": 0.01, "pilot_start_rate": 0.5, "enthusiast_floor": 1.0,
                       "social_proof_floor": 0.0, "stall_base": 0.0, "stall_no_champion": 0.0,
                       "stall_reprioritise": 0.0, "stall_overload": 0.0, "stall_no_money": 0.0,
                       "scale_base_logit": 2.0, "capacity_scale": 5.0, "drop_base": 0.0, "drop_no_protector": 0.0,
                       "drop_no_enthusiast": 0.0, "drop_overload": 0.0, "drop_disappointed": 0.0,
                       "initial_adopters": 12, "complex_threshold": 2, "complex_threshold_share": 0.34},
        "innovations": [{"name": "x", "pilot_quarters": 1, "value": 1.0, "pilot_cost_msek": 0.0,
                         "scale_cost_fixed_msek": 0.0, "scale_cost_msek_per_10k": 0.0, "complexity": 0.0,
                         "evidence": 1.0}],
    })


def shares(s, reps=10) -> tuple[float, float]:
    """Mean adoption share after three years (quarter 12) and at the end (five years)."""
    runs = [model.run(s, seed) for seed in range(reps)]
    at_3 = [r.timeseries.query("group_type == 'overall' and step == 12").adoption_share.mean() for r in runs]
    return float(np.mean(at_3)), float(np.mean([r.summary["final_adoption"] for r in runs]))


@pytest.fixture(scope="module")
def spread():
    """Final share (five years) and share after three years, by contagion and share of ties rewired."""
    # 30 replications: with 10 the clustered-rewired gap of complex contagion (0.09) was within noise of 0.05
    both = {(c, rw): shares(scenario(c, rw), reps=30) for c in ("simple", "complex") for rw in (0.0, 1.0)}
    return {key: final for key, (_, final) in both.items()} | {
        ("year 3", *key): early for key, (early, _) in both.items()}


def test_complex_contagion_spreads_slower_than_simple_over_long_random_ties(spread):
    assert spread["complex", 1.0] < spread["simple", 1.0] - 0.3
    # simple contagion is faster over long ties than over clustered ones (shorter paths); read after three
    # years, as one adopting tie suffices and it reaches nearly everyone in five on either network ...
    assert spread["year 3", "simple", 1.0] > spread["year 3", "simple", 0.0] + 0.1


def test_complex_contagion_gains_on_clustered_ties(spread):
    # ... complex contagion the other way round: clustered ties reinforce each other
    assert spread["complex", 0.0] > spread["complex", 1.0] + 0.05
    assert spread["complex", 0.0] / spread["simple", 0.0] > 1.5 * spread["complex", 1.0] / spread["simple", 1.0]


def test_rewiring_keeps_every_organisations_number_of_ties():
    clustered = InnovationModel(scenario("complex", 0.0), seed=1).ties.neighbour
    rewired = InnovationModel(scenario("complex", 1.0), seed=1).ties.neighbour
    assert np.array_equal(np.asarray(clustered.sum(1)).ravel(), np.asarray(rewired.sum(1)).ravel())
    assert (rewired != rewired.T).nnz == 0 and rewired.diagonal().sum() == 0
    shared = clustered.multiply(rewired).sum() / clustered.sum()
    assert shared < 0.2  # nearly every land-border tie became a long tie


def test_both_contagions_read_the_same_proof_ties_with_the_same_weights(baseline):
    """Social proof reads land borders (weight 1) and lever-made ties, and county ties only at
    county_tie_strength (0 by default), never the SKR groups or national networks: the same count and
    share under simple and complex contagion, as a count or as a fraction."""
    one = None
    signals = {}
    for contagion in ("simple", "complex"):
        for threshold in ("count", "fraction"):
            m = InnovationModel(model.with_overrides(baseline, {"mechanisms.contagion": contagion,
                                                                "mechanisms.threshold": threshold}), seed=1)
            if one is None:
                one = np.zeros(m.applicable.shape)
                stockholm, solna, gothenburg = (m.orgs.index_of(c) for c in ("0180", "0184", "1480"))
                one[stockholm] = 1.0
            _, share, count = m.ties.signals(one)
            signals[contagion, threshold] = share.copy(), count.copy()
    first = signals["simple", "count"]
    assert all(np.array_equal(first[0], s[0]) and np.array_equal(first[1], s[1]) for s in signals.values())
    share, count = first
    assert count[solna, 0] == pytest.approx(1.0)  # a land border; the county tie carries awareness only
    assert 0 < share[solna, 0] < 1
    assert count[gothenburg, 0] == 0.0  # same SKR group (A1), maybe the same national network: no proof
    county = InnovationModel(model.with_overrides(baseline, {"parameters.county_tie_strength": 0.5}), seed=1)
    _, _, count = county.ties.signals(one)
    assert count[solna, 0] == pytest.approx(1.0 + 0.5)  # a land border and the county at its strength


@pytest.mark.slow
def test_complex_contagion_spreads_less_than_simple_in_the_calibrated_baseline():
    """The shipped baseline at its calibrated defaults, 40 paired replications on common random numbers:
    the 95 % interval of final_adoption(complex) - final_adoption(simple) lies below zero (issue 20:
    measured -0.0069, interval -0.0092 to -0.0046; on main, before, +0.011)."""
    simple = model.load_scenario(SCENARIOS / "baseline.yaml")
    complex_ = model.with_overrides(simple, {"mechanisms.contagion": "complex"})
    diffs = np.array([model.run(complex_, s).summary["final_adoption"] - model.run(simple, s).summary["final_adoption"]
                      for s in range(40)])
    assert diffs.mean() + 1.96 * diffs.std(ddof=1) / np.sqrt(len(diffs)) < 0
