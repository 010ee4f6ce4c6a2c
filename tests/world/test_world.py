"""The world: real organisations, their attributes and ties, and the Mesa agents that view them."""

import networkx as nx
import numpy as np
import pytest

import model
from model.model import InnovationModel
from model.world.networks import draw_national_members
from model.world.agents import Agency, Municipality, Region
from model.world.organisations import AGENCY, MUNICIPALITY, REGION, load_organisations


def test_the_world_holds_290_municipalities_21_regions_and_the_agencies():
    orgs = load_organisations()
    assert (orgs.kind == MUNICIPALITY).sum() == 290
    assert (orgs.kind == REGION).sum() == 21
    assert (orgs.kind == AGENCY).sum() == 13
    # SCB's total population on 2024-12-31 (model/data/SOURCES.md)
    assert orgs.population[orgs.kind == MUNICIPALITY].sum() == 10_587_710
    assert orgs.population[orgs.kind == REGION].sum() == 10_587_710
    assert orgs.name[orgs.index_of("0180")] == "Stockholm"
    assert orgs.name[orgs.index_of("R01")] == "Region Stockholm"
    assert "network_host" in orgs.roles[orgs.index_of("skr")]


def test_size_bands_follow_the_official_statistics():
    orgs = load_organisations()
    muni = orgs.kind == MUNICIPALITY
    small = (orgs.population[muni] < 10_000).mean()
    under_20k = (orgs.population[muni] < 20_000).mean()
    # evidence digest: about 25 % under 10 000 and about 57 % under 20 000 (004 L1833-1838)
    assert 0.2 < small < 0.3 and 0.5 < under_20k < 0.62
    assert set(orgs.size_band[muni]) == {0, 1, 2, 3, 4}


def test_networks_are_the_real_neighbours_counties_and_groups(baseline):
    m = InnovationModel(baseline, seed=1)
    neighbours = m.graph("neighbour")
    muni_nodes = [c for c in neighbours if neighbours.nodes[c]["kind"] == MUNICIPALITY]
    sub = neighbours.subgraph(muni_nodes)
    assert sub.number_of_edges() == 728
    assert sorted(len(c) for c in nx.connected_components(sub))[-1] == 283
    assert neighbours.degree("0980") == 0  # Gotland is an island
    county = m.graph("county")
    assert county.has_edge("0180", "R01") and not county.has_edge("0180", "R03")
    skr = m.graph("skr_group")
    assert skr.has_edge("0180", "1480")  # Stockholm and Göteborg are both A1
    national = m.graph("national")
    assert national.has_edge("skr", "R01")  # regions and agencies always take part


def test_networks_are_drawn_from_the_models_generator(baseline):
    a = InnovationModel(baseline, seed=3).ties.clique_labels
    b = InnovationModel(baseline, seed=3).ties.clique_labels
    c = InnovationModel(baseline, seed=4).ties.clique_labels
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_organisations_are_mesa_agents_viewing_the_state_arrays(baseline):
    m = InnovationModel(baseline, seed=1)
    assert len(m.agents) == m.n
    assert len(m.agents_by_type[Municipality]) == 290
    assert len(m.agents_by_type[Region]) == 21
    assert len(m.agents_by_type[Agency]) == 13
    stockholm = m.organisation("0180")
    small = m.organisation("2403")  # Bjurholm, Sweden's smallest municipality
    assert stockholm.capacity > small.capacity
    m.state.enthusiasts[stockholm.index] = 7
    assert stockholm.enthusiasts == 7  # a view, not a copy
    m.run_model()
    assert stockholm.stage("service_design") in {"unaware", "aware", "piloting", "adopted", "stalled", "dropped"}


def test_capacity_grows_with_size_but_less_than_proportionally(baseline):
    m = InnovationModel(baseline, seed=1)
    muni = m.orgs.kind == MUNICIPALITY
    pop, cap = m.orgs.population[muni], m.state.capacity[muni]
    slope = np.polyfit(np.log(pop), np.log(cap), 1)[0]
    assert 0.3 < slope < 0.7  # capacity_elasticity 0.5
    assert np.corrcoef(np.log(pop), m.state.maturity[muni])[0, 1] > 0.3


def test_graphs_follow_the_worlds_network_switches(baseline):
    off = model.with_overrides(baseline, {"world.networks.neighbours": False, "world.networks.county": False})
    m = InnovationModel(off, seed=1)
    assert m.graph("neighbour").number_of_edges() == 0
    assert m.graph("county").number_of_edges() == 0
    assert m.graph("skr_group").number_of_edges() > 0
    with pytest.raises(KeyError, match="known: neighbour"):
        m.graph("friendship")


def test_social_proof_counts_only_ties_the_innovation_applies_to(baseline):
    """With every applicable organisation adopted, the share of adopting ties is exactly 1 for everyone
    with at least one applicable tie, although many have ties to agencies it does not apply to."""
    m = InnovationModel(baseline, seed=2)
    _, share, _ = m.ties.signals(m.applicable.astype(float))
    has_ties = m.ties.inverse_denominator > 0
    assert has_ties.any() and np.allclose(share[has_ties], 1.0)
    # and with half of them adopted it lies strictly between 0 and 1
    half = m.applicable & (np.arange(m.n)[:, None] % 2 == 0)
    _, share, _ = m.ties.signals(half.astype(float))
    inside = share[has_ties]
    assert (inside >= 0).all() and (inside <= 1).all() and 0.2 < inside.mean() < 0.8


def test_homogeneous_world_gives_every_municipality_the_same_odds_of_national_networks():
    orgs = load_organisations(True, True)
    muni = orgs.kind == MUNICIPALITY
    flat = np.full(orgs.n, orgs.median_population)
    members = draw_national_members(orgs, flat, 0.3, np.random.default_rng(7))
    u = np.random.default_rng(7).random(orgs.n)
    assert np.array_equal(members[muni], u[muni] < 0.3)
    real = draw_national_members(orgs, orgs.population.astype(float), 0.3, np.random.default_rng(7))
    assert real[orgs.index_of("0180")] and not np.array_equal(real[muni], members[muni])


def test_lever_ties_reach_the_dynamics_exactly_as_levers_made_them():
    scenario = model.load_scenario("scenarios/lever_peer_review.yaml")
    m = InnovationModel(scenario, seed=2)
    for _ in range(12):
        m.step()
    ties = m.ties
    ties.refresh()
    dense = np.zeros((m.n, m.n))
    for i in range(m.n):
        span = slice(ties.lever_indptr[i], ties.lever_indptr[i + 1])
        dense[i, ties.lever_indices[span]] = ties.lever_weights[span]
    assert m.effects.has_lever_ties and np.array_equal(dense, m.effects.lever_ties)
    assert np.array_equal(dense, dense.T)  # ties are mutual
    assert m.graph("lever").number_of_edges() == int((dense > 0).sum()) // 2


def test_agencies_can_be_left_out_and_carry_hosts_and_delivery_capacity():
    orgs = load_organisations(True, True, ("skr", "digg"))
    assert orgs.n == 324 - 2 and "skr" not in orgs.code and orgs.key == (True, True, ("digg", "skr"))
    full = load_organisations()
    skr = full.index_of("skr")
    assert full.hosts[skr] == ("municipality", "region") and full.hosts[full.index_of("esam")] == ("agency",)
    assert full.delivery_msek[skr] > 0 and full.delivery_msek[full.index_of("riksrevisionen")] == 0
    assert (full.delivery_msek[full.kind != AGENCY] == 0).all()
    assert not full.elected[full.kind == AGENCY].any() and full.elected[full.kind != AGENCY].all()


def test_population_density_comes_from_the_land_area():
    orgs = load_organisations()
    stockholm, arjeplog = orgs.index_of("0180"), orgs.index_of("2506")
    assert orgs.density[stockholm] > 4000 and orgs.density[arjeplog] < 1
    region = orgs.index_of("R25")
    muni = (orgs.kind == MUNICIPALITY) & (orgs.county == orgs.county[region])
    assert orgs.population[region] / orgs.density[region] == pytest.approx(
        (orgs.population[muni] / orgs.density[muni]).sum())
    assert np.isnan(orgs.density[orgs.kind == AGENCY]).all()
