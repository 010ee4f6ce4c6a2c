"""Complex contagion as defined (Centola & Macy 2007; Centola 2010): a threshold on adopting ties among
clustered local ties. With equal influence, complex contagion spreads slower than simple contagion over
long random ties and gains on clustered ties.

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


def final_share(s, reps=10) -> float:
    return float(np.mean([model.run(s, seed).summary["final_adoption"] for seed in range(reps)]))


@pytest.fixture(scope="module")
def spread():
    return {(c, rw): final_share(scenario(c, rw)) for c in ("simple", "complex") for rw in (0.0, 1.0)}


def test_complex_contagion_spreads_slower_than_simple_over_long_random_ties(spread):
    assert spread["complex", 1.0] < spread["simple", 1.0] - 0.3
    # simple contagion is faster over long ties than over clustered ones (shorter paths) ...
    assert spread["simple", 1.0] > spread["simple", 0.0] + 0.1


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


def test_the_threshold_counts_only_local_ties_weighted_by_strength(baseline):
    """Complex contagion's social proof reads local ties (neighbours, the county at county_tie_strength,
    lever-made ties), not the national networks or SKR groups; as a count or as a fraction."""
    m = InnovationModel(model.with_overrides(baseline, {"mechanisms.contagion": "complex"}), seed=1)
    n, k = m.applicable.shape
    one = np.zeros((n, k))
    stockholm, solna = m.orgs.index_of("0180"), m.orgs.index_of("0184")
    one[stockholm] = 1.0
    _, _, local = m.ties.signals(one)
    assert local[solna, 0] == pytest.approx(1.0 + 0.5)  # a land border and the county
    gothenburg = m.orgs.index_of("1480")  # same SKR group (A1) and maybe the same national network
    assert local[gothenburg, 0] == 0.0
    fraction = InnovationModel(model.with_overrides(baseline, {"mechanisms.contagion": "complex",
                                                              "mechanisms.threshold": "fraction"}), seed=1)
    _, _, share = fraction.ties.signals(one)
    assert 0 < share[solna, 0] < 1 and share[gothenburg, 0] == 0.0


def test_complex_contagion_is_no_longer_faster_than_simple_in_the_baseline(baseline):
    complex_ = model.with_overrides(baseline, {"mechanisms.contagion": "complex"})
    simple = np.mean([model.run(baseline, s).summary["final_adoption"] for s in range(8)])
    complex_mean = np.mean([model.run(complex_, s).summary["final_adoption"] for s in range(8)])
    assert complex_mean < simple + 0.02
