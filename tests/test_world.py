"""The world: real organisations, their attributes and ties, and the Mesa agents that view them."""

import networkx as nx
import numpy as np

import model
from model.model import InnovationModel
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
