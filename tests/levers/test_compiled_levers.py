"""Levers decided in compiled code give the runs the vectorised rules gave, bit for bit (issue 21, point 1).

Job shadowing, peer reviews, change teams, training and learning networks do each quarter's work in
compiled kernels (model/levers/knowhow_kernel.py, decisions_kernel.py, reviewers.py). The
rules they replaced are kept as oracles in tests/levers/oracles.py (the levers' previous NumPy ``step``);
each case here runs a scenario with the shipped levers and with the oracles on the same seeds and asks for
the same stage history, records, effects, ties, lever state, ledger and random stream. The cases reach the
rare branches too: a host that is itself a mature municipality, hosts left without a free sender,
capacity left behind by change teams, repeat visits, levers run by the regions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import model
from model.model import InnovationModel
from tests.levers.oracles import OLD, levers_of

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _lever(name: str, **changes):
    scenario = model.load_scenario(SCENARIOS / f"{name}.yaml")
    lever = scenario.levers[0].model_dump(exclude_none=True)
    return model.with_overrides(scenario, {"levers": [{**lever, **changes}]})


CASES = {
    "job_shadowing": lambda: _lever("lever_job_shadowing"),
    # nearly every municipality sends: hosts are mature too (a host never sends to itself)
    "job_shadowing_mature_hosts": lambda: _lever("lever_job_shadowing", sender_maturity_quantile=0.0,
                                                 budget_msek_per_year=30),
    # a handful of senders for many placements: hosts are left without a free sender
    "job_shadowing_few_senders": lambda: _lever("lever_job_shadowing", sender_maturity_quantile=0.98,
                                                budget_msek_per_year=30),
    # hosts in random order, more placements a quarter than the compiled scan takes in one go (16)
    "job_shadowing_random_hosts": lambda: _lever("lever_job_shadowing", target={"by": "random"},
                                                 budget_msek_per_year=60, sender_maturity_quantile=0.2),
    "peer_review": lambda: _lever("lever_peer_review"),
    "peer_review_regions": lambda: _lever("lever_peer_review", operator="regions"),
    "change_teams": lambda: _lever("lever_change_teams"),
    "change_teams_capacity_repeat": lambda: _lever("lever_change_teams", capacity_left=0.05, repeat_visits=True,
                                                   budget_msek_per_year=40),
    "change_teams_random_order": lambda: _lever("lever_change_teams", target={"by": "random"},
                                                budget_msek_per_year=40),
    "training_networks": lambda: _lever("lever_training_networks"),
    "training_networks_short_of_time": lambda: _lever("lever_training_networks", time_cost=0.3),
    "learning_networks": lambda: _lever("lever_learning_networks"),
    "learning_networks_no_groups": lambda: _lever("lever_learning_networks", group_size=0),
    "portfolio_sustaingov": lambda: model.load_scenario(SCENARIOS / "portfolio_sustaingov.yaml"),
}


def _state(m: InnovationModel) -> dict:
    """Everything a run leaves that a lever could have changed."""
    record = m.context.record
    out = {"stage_history": m.stage_history, "capacity_bonus": m.effects.capacity_bonus,
           "money_left": m.context.state.money_left, "next_draw": m.context.rng_levers.random(),
           "ledger": [(u.lever, u.year, u.budget, u.delivered, u.used, u.returned, u.placed, u.bought, u.applications,
                       u.takers.tolist()) for u in m.context.ledger.usage.values()],
           "grant_msek": m.effects.grant_msek, "funded_start": m.effects.funded_start,
           "ties": m.effects.lever_ties if m.effects.has_lever_ties else None}
    for part in ("tally", "evidence", "covered", "scale_count", "scale_durations"):
        out[part] = getattr(record, part)
    for i, lever in enumerate(m.levers):
        for name, value in vars(lever).items():
            public = not name.startswith("_")  # private bookkeeping differs (the oracle keeps none)
            if public and isinstance(value, (np.ndarray, int, float, list)):
                out[f"lever {i} {name}"] = value
    return out


def _compare(a: dict, b: dict, label: str) -> None:
    """The two runs' states (:func:`_state`) are the same, key by key, arrays bit for bit."""
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key], err_msg=f"{label}: {key}")
        else:
            assert a[key] == b[key], f"{label}: {key}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_lever_gives_the_runs_of_the_vectorised_rule(case):
    scenario = CASES[case]()
    for seed in (0, 7):
        new = InnovationModel(scenario, seed=seed)
        new.run_model()
        with levers_of(*OLD):
            old = InnovationModel(scenario, seed=seed)
        oracles = {cls.type_name(): cls for cls in OLD}
        assert all(type(lever) is oracles.get(lever.p.type, type(lever)) for lever in old.levers)
        assert any(type(lever) in OLD for lever in old.levers)
        old.run_model()
        _compare(_state(new), _state(old), f"{case} seed {seed}")


def test_the_cases_reach_the_rare_branches():
    """The cases above are not vacuous: mature hosts, hosts without a sender, capacity left behind."""
    m = InnovationModel(CASES["job_shadowing_mature_hosts"](), seed=0)
    m.run_model()
    shadowing = m.levers[0]
    assert any(shadowing.mature[h] for h, _ in shadowing.pairs)
    assert all(h != s for h, s in shadowing.pairs)
    m = InnovationModel(CASES["job_shadowing_few_senders"](), seed=0)
    m.run_model()
    shadowing = m.levers[0]
    assert 0 < len(shadowing.pairs) < sum(u.bought for u in m.context.ledger.usage.values())
    m = InnovationModel(CASES["change_teams_capacity_repeat"](), seed=0)
    m.run_model()
    assert m.effects.capacity_bonus.max() > 0 and m.levers[0].visits > m.levers[0].visited.sum()


@pytest.mark.parametrize("target", [{"by": "all"}, {"by": "capacity"}, {"by": "random", "share": 0.5}])
def test_a_peer_review_quarter_in_one_compiled_call_gives_the_run_of_the_python_choice(target, monkeypatch):
    """Who asks, the target's choice, the draws and the reviews in one compiled call with the run's lever
    generator (model.levers.reviewers.quarter) give the run of the choice made in Python
    (Targeting.choose) and the draws made there: the same run, ties, lever state and next draw; also with
    many reviews a quarter (more than the compiled scan of the first places takes for a Python sort)."""
    from model.levers.peer_review import PeerReview

    scenario = _lever("lever_peer_review", target=target, budget_msek_per_year=40)
    for seed in (0, 7):
        new = InnovationModel(scenario, seed=seed)
        new.run_model()
        with monkeypatch.context() as patch:
            patch.setattr(PeerReview, "_ask_and_review_compiled", PeerReview._ask_and_review)
            patch.setattr(PeerReview, "compiled", lambda self, ctx, t: None)  # quarter by quarter, in Python
            old = InnovationModel(scenario, seed=seed)
            old.run_model()
        assert new.levers[0].reviews > 0
        _compare(_state(new), _state(old), f"{target} seed {seed}")


def _pair_everyone(chosen, askable, u_pilot, u_reviewer, stage, applicable, kind):
    """The reviewers as the rule reads: every organisation's key (its uniform plus 2 for an adopter of the
    same kind, 1 for another adopter), the first largest."""
    from model.stages import ADOPTED

    ks = np.argmax(u_pilot + askable[chosen], axis=1)
    adopter = (applicable & (stage == ADOPTED))[:, ks].T  # (c, n)
    priority = np.where(adopter, np.where(kind[None, :] == kind[chosen][:, None], 2.0, 1.0), 0.0)
    key = u_reviewer + priority
    reviewers = np.argmax(key, axis=1)
    return ks, reviewers, key[np.arange(len(chosen)), reviewers] >= 1.0


@pytest.mark.parametrize("seed", range(8))
def test_a_review_s_reviewer_is_the_first_largest_key_of_every_organisation(seed):
    """reviewers.pair gives the reviewers every organisation's keys give, the first of equals — also where
    nobody, or nobody of the same kind, has adopted, and where a same-kind key rounds to exactly 2 and ties
    with an adopter of another kind whose u + 1 rounds up to 2 (a shortcut that looked at the same-kind
    adopters alone would get this wrong; tried, it was no faster: 11 against 9.4 µs for 21 reviews)."""
    from model.levers.reviewers import pair
    from model.stages import ADOPTED

    rng = np.random.default_rng(seed)
    n, k, c = 60, 3, 12
    stage = rng.integers(0, 5, (n, k)).astype(np.int8)
    if seed == 1:
        stage[:, 0] = 0  # nobody has adopted innovation 0
    applicable = rng.random((n, k)) < 0.9
    kind = rng.integers(0, 3, n)
    chosen = np.sort(rng.choice(n, c, replace=False))
    askable = rng.random((n, k)) < 0.5
    u_pilot, u_reviewer = rng.random((c, k)), rng.random((c, n))
    if seed == 2:  # ties at 2.0: a same-kind adopter with u = 0 after another-kind adopter with u = 1 - 2**-53
        u_reviewer[:] = 0.5
        for a, me in enumerate(chosen):
            j = np.argmax(u_pilot[a] + askable[me])
            adopters = np.flatnonzero(applicable[:, j] & (stage[:, j] == ADOPTED))
            other = adopters[kind[adopters] != kind[me]]
            same = adopters[kind[adopters] == kind[me]]
            u_reviewer[a, adopters] = 0.0
            if len(other) and len(same):
                u_reviewer[a, other[0]], u_reviewer[a, same[-1]] = 1 - 2.0 ** -53, 0.0
    got = pair(chosen, askable, u_pilot, u_reviewer, stage, applicable, kind)
    expected = _pair_everyone(chosen, askable, u_pilot, u_reviewer, stage, applicable, kind)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)
    if seed == 1:
        assert not got[2][got[0] == 0].any()  # no adopter: not found
