"""The mechanisms that carry the evidence (issue 10): a swamp made by people, money that works as money,
learning and discontinuance, value by need, and the national actors behind awareness and evidence.

Paired tests run the same replication seeds with and without a mechanism (common random numbers) and
require the 95 % interval of the mean paired difference to exclude zero.
"""

import numpy as np
import pytest

import model
from model.dynamics.people import is_election
from model.model import InnovationModel
from model.runner import replication_seed
from model.stages import ADOPTED, PILOTING, STALLED
from model.world.organisations import AGENCY, MUNICIPALITY


def paired(a, b, outcome, reps=30, root=1):
    """Mean and 95 % half-width of outcome(b) - outcome(a) over paired replications."""
    get = outcome if callable(outcome) else (lambda out: out.summary[outcome])
    seeds = [replication_seed(root, r) for r in range(reps)]
    d = np.array([get(model.run(b, s)) - get(model.run(a, s)) for s in seeds])
    return d.mean(), 1.96 * d.std(ddof=1) / np.sqrt(reps)


@pytest.fixture(scope="module")
def short(baseline):
    return model.with_overrides(baseline, {"horizon_years": 6})


# --- a swamp made by people ----------------------------------------------------------------------------
def test_switching_off_the_champion_mechanism_raises_the_pilot_to_scale_rate(short):
    """A pilot whose champion leaves stalls unless another enthusiast takes it over (000 L3322-3326)."""
    off = model.with_overrides(short, {"parameters.stall_no_champion": 0.0})
    mean, half = paired(short, off, "pilot_to_scale_rate")
    assert mean - half > 0, (mean, half)
    always = model.with_overrides(short, {"parameters.champion_takeover": 1.0})
    mean, half = paired(short, always, "pilot_to_scale_rate")
    assert mean - half > 0, (mean, half)


def test_every_champion_is_one_of_the_enthusiasts(short):
    m = InnovationModel(short, seed=3)
    seen = 0
    for _ in range(12):
        m.step()
        champions = (m.state.champion * (m.state.stage == PILOTING)).sum(1)
        # state.previous holds the enthusiasts of the quarter just run (before the next quarter's leavers)
        assert (champions <= m.state.previous).all()
        seen += champions.sum()
    assert seen > 0
    out = model.run(model.with_overrides(short, {"parameters.champion_takeover": 0.0}), seed=3)
    assert out.summary["pilots_stalled_no_champion"] > model.run(short, seed=3).summary["pilots_stalled_no_champion"]


def test_a_new_leadership_reprioritises_for_some_quarters(short):
    scenario = model.with_overrides(short, {"parameters.protector_turnover": 0.0})
    m = InnovationModel(scenario, seed=4)
    counters = [m.state.reprioritise.copy()]
    for _ in range(10):
        m.step()
        counters.append(m.state.reprioritise.copy())
    counters = np.array(counters)
    year, quarter = m.calendar.year_quarter(np.arange(11))
    election = int(np.flatnonzero(is_election(year, quarter))[0])  # 2026 Q3
    changed = counters[election] > 0
    assert changed.any() and not (counters[:election] > 0).any()
    # four quarters of reprioritising for those whose leadership changed, counting down
    assert (counters[election][changed] == 4).all() and (counters[election + 3][changed] == 1).all()
    assert not (counters[election + 4] > 0).any()
    assert not changed[m.orgs.kind == AGENCY].any()  # directors-general are appointed, not elected



def test_switching_off_reprioritisation_raises_the_pilot_to_scale_rate(baseline):
    off = model.with_overrides(baseline, {"parameters.stall_reprioritise": 0.0})  # three elections in ten years
    mean, half = paired(baseline, off, "pilot_to_scale_rate", reps=30)
    assert mean - half > 0, (mean, half)


def test_a_scale_up_holds_dedicated_change_capacity_while_it_is_implemented(short):
    m = InnovationModel(short, seed=5)
    for _ in range(16):
        m.step()
    from model.levers.targeting import free_capacity

    s, inn = m.state, m.innovations
    implementing = (s.stage == ADOPTED) & (s.pilot_age < m.params.scaling_quarters)
    assert implementing.any()
    held = (implementing * inn.scale_need).sum(1)
    later = ((s.stage == ADOPTED) & ~implementing) * inn.adoption_need
    load = (s.stage == PILOTING) @ inn.pilot_need + held + later.sum(1)
    assert np.allclose(free_capacity(m.context), s.capacity + m.effects.capacity_bonus - load)
    assert (inn.scale_need > inn.adoption_need).all()


# --- money ------------------------------------------------------------------------------------------------
def test_scale_up_cost_has_a_fixed_part_so_small_organisations_pay_more_per_inhabitant(baseline):
    m = InnovationModel(baseline, seed=1)
    muni = m.orgs.kind == MUNICIPALITY
    per_inhabitant = m.scale_cost[muni] / m.orgs.population[muni, None]
    small, large = m.orgs.size_band[muni] == 0, m.orgs.size_band[muni] == 4
    j = m.innovation_names.index("digital_home_care")
    assert per_inhabitant[small, j].mean() > 2 * per_inhabitant[large, j].mean()
    fixed, variable = m.innovations.scale_cost_fixed[j], m.innovations.scale_cost_per_10k[j]
    assert np.allclose(m.scale_cost[muni, j], fixed + variable * m.orgs.population[muni] / 1e4)


def test_less_money_means_fewer_pilots_and_scale_ups(short):
    poor = model.with_overrides(short, {"parameters.slack_msek_per_10k": 0.2})
    mean, half = paired(short, poor, "pilots_started", reps=12)
    assert mean + half < 0
    mean, half = paired(short, poor, "pilot_to_scale_rate", reps=20)
    assert mean + half < 0


# --- learning and discontinuance ----------------------------------------------------------------------------
def test_evidence_falls_when_shared_disappointments_outweigh_scale_ups(short):
    names = [i.name for i in short.innovations]
    bad = model.with_overrides(short, {**{f"innovations.{n}.value": 0.15 for n in names},
                                       **{f"innovations.{n}.evidence": 0.6 for n in names},
                                       "parameters.failure_sharing": 1.0})
    out = model.run(bad, seed=2)
    evidence = out.evidence_history
    assert (evidence[-1] < evidence[0]).all()  # every innovation's evidence fell
    assert (np.diff(evidence, axis=0) < 0).any()
    # without a network host (SKR, eSam) failures are not shared, so evidence only rises
    hostless = model.with_overrides(bad, {"world.without": ["skr", "esam"]})
    evidence = model.run(hostless, seed=2).evidence_history
    assert (np.diff(evidence, axis=0) >= -1e-12).all()


def test_organisations_remember_their_own_disappointing_pilots(short):
    names = [i.name for i in short.innovations]
    mixed = model.with_overrides(short, {f"innovations.{n}.value": 0.5 for n in names})
    never = InnovationModel(model.with_overrides(mixed, {"parameters.failure_memory": 0.0}), seed=6)
    never.run_model()
    failed = never.state.failed > 0
    assert failed.sum() > 20
    assert (never.state.stage[failed] == STALLED).all()  # once let down, never again
    forgetful = InnovationModel(model.with_overrides(mixed, {"parameters.failure_memory": 1.0}), seed=6)
    forgetful.run_model()
    again = forgetful.state.failed > 0
    assert (forgetful.state.stage[again] != STALLED).sum() > 5  # without memory they try again


def test_value_differs_by_need_so_some_reject_it(baseline):
    m = InnovationModel(baseline, seed=1)
    j = m.innovation_names.index("digital_home_care")
    muni = np.flatnonzero(m.orgs.kind == MUNICIPALITY)
    density = m.orgs.density[muni]
    fit = m.context.fit[muni, j]
    sparse, dense = density < np.quantile(density, 0.2), density > np.quantile(density, 0.8)
    assert fit[sparse].mean() > fit[dense].mean() + 0.15
    assert np.ptp(m.context.fit[muni, m.innovation_names.index("service_design")]) == 0  # no need term
    out = [model.run(baseline, seed=s) for s in range(3)]
    assert sum(o.summary["pilots_disappointed"] for o in out) > 0
    assert sum(o.summary["adoptions_lost_disappointed"] for o in out) > 0


# --- national actors ----------------------------------------------------------------------------------------
def test_national_networks_and_promotion_depend_on_the_national_actors(short):
    m = InnovationModel(short, seed=1)
    assert m.context.promoters == 5 and m.context.failures_shared
    national = m.ties.labels["national"]
    assert national[m.orgs.index_of("R01")] == m.orgs.index_of("skr")
    assert national[m.orgs.index_of("socialstyrelsen")] == m.orgs.index_of("esam")
    without = InnovationModel(model.with_overrides(short, {"world.without": ["skr"]}), seed=1)
    assert (without.ties.labels["national"][without.orgs.kind != AGENCY] == -1).all()
    assert without.context.promoters == 4
    mean, half = paired(short, model.with_overrides(short, {"world.agencies": False}), "final_adoption", reps=20)
    assert mean + half < 0  # the national level now matters: without its actors adoption is lower
