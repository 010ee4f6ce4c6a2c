"""The stage machine and the dynamics: invariants, reproducibility and directions of effect."""

import numpy as np
import pytest

import model
from model.dynamics.lifecycle import TALLY
from model.model import InnovationModel
from model.stages import ADOPTED, PILOTING, STAGED_MOVES, STALLED, UNAWARE, allowed_moves


def histories(scenario, seeds):
    return [model.run(scenario, seed=s) for s in seeds]


def test_counts_are_conserved_and_no_stage_is_skipped(baseline):
    for out in histories(baseline, range(5)):
        h = out.stage_history
        n, k = out.applicable.shape
        counts = np.stack([(h == s).sum((1, 2)) for s in range(6)], axis=1)
        assert (counts.sum(1) == n * k).all()
        # organisations an innovation does not apply to never leave 'unaware'
        assert (h[:, ~out.applicable] == UNAWARE).all()
        before, after = h[:-1], h[1:]
        moved = before != after
        pairs = set(zip(before[moved].tolist(), after[moved].tolist()))
        assert pairs <= STAGED_MOVES, f"illegal moves {pairs - STAGED_MOVES}"
        assert moved.sum() > 100  # the run actually did something


def test_one_step_lifecycle_only_makes_its_own_moves():
    scenario = model.load_scenario("scenarios/bass.yaml")
    h = model.run(scenario, seed=2).stage_history
    moved = h[:-1] != h[1:]
    pairs = set(zip(h[:-1][moved].tolist(), h[1:][moved].tolist()))
    assert pairs and pairs <= allowed_moves("one_step")


def test_same_seed_gives_identical_results_and_different_seeds_differ(baseline):
    a, b, c = model.run(baseline, seed=11), model.run(baseline, seed=11), model.run(baseline, seed=12)
    assert np.array_equal(a.stage_history, b.stage_history)
    assert a.summary == pytest.approx(b.summary, nan_ok=True)
    assert a.timeseries.equals(b.timeseries)
    assert not np.array_equal(a.stage_history, c.stage_history)


def test_replications_are_the_same_on_one_or_many_processes(baseline):
    one = model.replicate(baseline, replications=4, seed=5, workers=1)
    many = model.replicate(baseline, replications=4, seed=5, workers=2)
    for x, y in zip(one, many):
        assert np.array_equal(x.stage_history, y.stage_history)
    assert not np.array_equal(one[0].stage_history, one[1].stage_history)


def test_the_pilot_swamp_emerges_from_the_mechanisms(baseline):
    """Most pilots are not scaled (000 L4618-4620: it is rare), and the share that scales moves with
    complexity."""
    rates = [model.run(baseline, seed=s).summary["pilot_to_scale_rate"] for s in range(10)]
    assert 0.2 < np.mean(rates) < 0.45
    roomy = model.with_overrides(baseline, {"parameters.scale_complexity_weight": 0.0})
    easier = [model.run(roomy, seed=s).summary["pilot_to_scale_rate"] for s in range(10)]
    assert np.mean(easier) > np.mean(rates) + 0.04


def assert_effect(paired_difference, base, changed, outcome, sign, reps=30):
    mean, se = paired_difference(base, changed, outcome, reps=reps)
    assert sign * mean > 3 * se, f"{outcome}: paired difference {mean:.4f} +- {se:.4f}"


def test_more_capacity_means_faster_adoption(baseline, paired_difference):
    more = model.with_overrides(baseline, {"parameters.capacity_scale": 3.0})
    assert_effect(paired_difference, baseline, more, "final_adoption", +1)


def test_no_enthusiasts_means_fewer_pilots(baseline, paired_difference):
    none = model.with_overrides(baseline, {"parameters.enthusiast_arrival_rate": 0.0})
    assert_effect(paired_difference, baseline, none, "pilots_started", -1)
    out = model.run(none, seed=1)
    assert out.summary["pilots_started"] < 0.25 * model.run(baseline, seed=1).summary["pilots_started"]


def test_losing_protectors_stalls_more_pilots(baseline, paired_difference):
    turbulent = model.with_overrides(baseline, {"parameters.protector_turnover": 0.25,
                                                "parameters.protector_change_at_election": 1.0})
    assert_effect(paired_difference, baseline, turbulent, "pilots_stalled", +1)


def test_small_municipalities_lag_large_ones_in_the_baseline(baseline):
    gaps = np.array([model.run(baseline, seed=s).summary["gap_small_large"] for s in range(20)])
    assert gaps.mean() > 3 * gaps.std(ddof=1) / np.sqrt(len(gaps))
    assert (gaps > 0).mean() > 0.9


def test_complex_contagion_needs_enough_adopting_ties(baseline, paired_difference):
    """Under complex contagion social proof is full only from the threshold on: raising it slows pilots."""
    easy = model.with_overrides(baseline, {"mechanisms.contagion": "complex", "parameters.complex_threshold": 1})
    hard = model.with_overrides(easy, {"parameters.complex_threshold": 10})
    assert_effect(paired_difference, easy, hard, "pilots_started", -1)
    # a threshold nobody reaches leaves only the floor of social proof
    never = model.with_overrides(easy, {"parameters.social_proof_floor": 0.0, "parameters.complex_threshold": 10,
                                        "world.networks.national": False})
    assert model.run(never, seed=1).summary["pilots_started"] < model.run(easy, seed=1).summary["pilots_started"]


def test_an_election_quarter_changes_protectors(baseline):
    m = InnovationModel(model.with_overrides(baseline, {"parameters.protector_turnover": 0.0}), seed=3)
    leadership = [m.state.protector.copy()]  # in place at the start of each quarter
    for _ in range(12):
        m.step()
        leadership.append(m.state.protector.copy())
    changes = [int((a != b).sum()) for a, b in zip(leadership, leadership[1:])]
    # quarter index 2 is 2026 Q3, and 2027-2028 have no election: only its leadership is new
    assert changes[1] > 0 and sum(changes) == changes[1]


def test_piloting_needs_free_capacity(baseline):
    m = InnovationModel(model.with_overrides(baseline, {"parameters.capacity_scale": 0.1}), seed=1)
    m.run_model()
    small = m.orgs.population < 5000
    # pilots started in the run (the baseline's first pilots are there from the start, capacity or not)
    ever_piloted = ((m.stage_history[1:] == PILOTING) & (m.stage_history[0] != PILOTING)).any(0).any(1)
    assert ever_piloted[small & (m.orgs.kind == 0)].mean() < 0.2
    assert ((m.stage_history == ADOPTED) | (m.stage_history == STALLED)).any()


def test_running_the_whole_horizon_at_once_equals_stepping_quarter_by_quarter(baseline):
    whole = InnovationModel(baseline, seed=21)
    whole.run_model()  # no levers: one compiled call for all quarters
    stepped = InnovationModel(baseline, seed=21)
    while stepped.running:
        stepped.step()
    assert np.array_equal(whole.stage_history, stepped.stage_history)
    assert np.array_equal(whole.context.record.tally, stepped.context.record.tally)
    assert np.array_equal(whole.state.money_left, stepped.state.money_left)
    assert whole.steps == stepped.steps == baseline.steps and whole.quarter == stepped.quarter


def test_the_tally_agrees_with_the_stage_history(baseline):
    out_model = InnovationModel(baseline, seed=4)
    out_model.run_model()
    h = out_model.stage_history
    for column, (a, b) in {"pilots_started": (1, 2), "pilots_scaled": (2, 3), "pilots_stalled": (2, 4),
                           "adoptions_dropped": (3, 5)}.items():
        moved = ((h[:-1] == a) & (h[1:] == b)).sum((1, 2))
        assert np.array_equal(out_model.context.record.tally[:, TALLY.index(column)], moved), column
    adopted = ((h[1:] == ADOPTED) & out_model.applicable).sum((1, 2))
    assert np.array_equal(out_model.context.record.tally[:, TALLY.index("adopted")], adopted)


def test_every_running_pilot_faces_the_stall_hazard_also_when_due_or_in_limbo(baseline):
    """Due pilots (in their last quarter or in limbo) stall with the stall hazard first and are then
    abandoned with (1 - p_scale)(1 - pilot_extension): here 0.3 + 0.7 * 0.05 = 0.335 (an earlier version
    exempted them from the hazard: 0.05)."""
    quiet = {f"parameters.{name}": 0.0 for name in
             ("stall_no_champion", "stall_reprioritise", "stall_overload", "stall_no_money")}
    scenario = model.with_overrides(baseline, {**quiet, "parameters.stall_base": 0.3,
                                               "parameters.scale_base_logit": -8.0,
                                               "parameters.scale_capacity_weight": 0.0,
                                               "parameters.pilot_extension": 0.95})
    m = InnovationModel(scenario, seed=6)
    due = m.applicable.copy()
    m.state.stage[due] = PILOTING
    m.state.pilot_age[due] = 10  # long past their planned length: in limbo
    m.step()
    stalled = (m.state.stage[due] == STALLED).mean()
    assert 0.30 < stalled < 0.37


def test_running_pilots_pay_each_quarter_and_never_with_money_they_do_not_have(baseline):
    """A running pilot pays a quarter of its yearly cost every quarter it runs (no double counting, no
    forgiven shortfall): own money never goes below zero, and a pilot that cannot pay waits that quarter
    (its age does not advance)."""
    m = InnovationModel(baseline, seed=8)
    inn = m.innovations
    checked = 0
    for t in range(12):
        before_stage, before_money = m.state.stage.copy(), m.state.money_left.copy()
        m.step()
        assert (m.state.money_left >= 0).all()
        if (t + 1) % 4 == 0:  # the next quarter is a Q1: a new budget replaced the money
            continue
        running = before_stage == PILOTING  # each pays this quarter's cost, whatever then happens to it
        quarterly = (running * inn.pilot_cost[None, :] / 4.0).sum(1)
        only_pilots = running.any(1) & ~((before_stage == ADOPTED) | (before_stage == PILOTING - 1)).any(1)
        rich = only_pilots & (before_money > quarterly + 1e-9)
        assert np.allclose(m.state.money_left[rich], before_money[rich] - quarterly[rich])
        checked += rich.sum()
    assert checked > 20


def test_a_pilot_that_cannot_pay_waits_and_may_stall(baseline):
    poor = model.with_overrides(baseline, {"parameters.stall_no_money": 0.0, "horizon_years": 1})
    m = InnovationModel(poor, seed=2)
    j = m.innovation_names.index("remote_care")
    regions = np.flatnonzero(m.orgs.kind == 1)
    m.state.stage[regions, j] = PILOTING
    m.state.pilot_age[regions, j] = 0
    m.state.champion[regions, j] = 1
    m.state.money_left[regions[:5]] = 0.0  # these cannot pay this quarter's running cost
    m.step()
    assert (m.state.pilot_age[regions[:5], j] == 0).all()  # they waited
    paid = regions[5:][m.state.stage[regions[5:], j] == PILOTING]
    assert (m.state.pilot_age[paid, j] == 1).all()


def test_less_slack_means_fewer_pilots_and_more_stalled(baseline, paired_difference):
    poor = model.with_overrides(baseline, {"parameters.slack_msek_per_10k": 0.2})
    d_started, se = paired_difference(baseline, poor, "pilots_started", reps=12)
    assert d_started < -4 * se
    d_rate, se = paired_difference(baseline, poor, "pilot_to_scale_rate", reps=12)
    assert d_rate < -3 * se
