"""Levers' quarters run inside the compiled quarter loop give the runs of their quarters in Python, bit for
bit (issue 21: levers decided in compiled code; model/levers/compiled.py).

A run whose every acting lever has a compiled quarter (``Lever.compiled``: every lever kind and earmarked
state grants, a target with or without a call, run by a national operator or by the regions) runs the rest
of the run in one compiled call (``InnovationModel._run_compiled``). Each case runs a scenario both ways on
the same seeds — the compiled call, and quarter by quarter in Python (``InnovationModel.step``) — and asks
for the same stage history, records, effects, lever state, ledger (every field, every record, in the same
order) and next draw of the lever generator; and that the compiled call was taken (or, where a lever cannot
be compiled, not taken).
"""

from __future__ import annotations

import numpy as np
import pytest

import model
from model.levers import compiled
from model.model import InnovationModel
from tests.levers.test_compiled_levers import CASES as ORACLE_CASES
from tests.levers.test_compiled_levers import SCENARIOS, _compare, _lever
from tests.levers.test_compiled_levers import _state as _run_state
from tests.levers.test_grant_kernels import VARIANTS as GRANT_VARIANTS


def _teams(**changes) -> dict:
    lever = model.load_scenario(SCENARIOS / "lever_change_teams.yaml").levers[0].model_dump(exclude_none=True)
    return {**lever, **changes}


def _kind(scenario: str, **changes) -> dict:
    """The lever of ``scenarios/<scenario>.yaml``, with ``changes``."""
    lever = model.load_scenario(SCENARIOS / f"{scenario}.yaml").levers[0].model_dump(exclude_none=True)
    return {**lever, **changes}


def _review(**changes) -> dict:
    return _kind("lever_peer_review", **changes)


def _earmarked(**changes) -> dict:
    """The earmarked grant of ``scenarios/event_earmarked_grant.yaml``, with ``changes``."""
    event = model.load_scenario(SCENARIOS / "event_earmarked_grant.yaml").events[0].model_dump(exclude_none=True)
    return {**event, **changes}


def _with_levers(*levers) -> model.Scenario:
    return model.with_overrides(model.load_scenario(SCENARIOS / "lever_change_teams.yaml"), {"levers": list(levers)})


CASES = {
    "change_teams": lambda: _lever("lever_change_teams"),
    "capacity_left_and_repeat_visits": lambda: _lever("lever_change_teams", capacity_left=0.05, repeat_visits=True,
                                                      budget_msek_per_year=40),
    "random_order": lambda: _lever("lever_change_teams", target={"by": "random"}, budget_msek_per_year=40),
    "half_the_pool": lambda: _lever("lever_change_teams", target={"by": "random", "share": 0.5},
                                    request_lead_quarters=3, stay_quarters=6),
    # more money than its operator can deliver, and than takers ask for: unplaced money of both kinds
    "more_than_delivered": lambda: _lever("lever_change_teams", budget_msek_per_year=5000, start_year=2027,
                                          duration_years=3, target={"by": "capacity", "count": 40},
                                          repeat_visits=True),
    # two change-team levers drawing from one lever generator in turn, one of them starting later
    "two_levers": lambda: _with_levers(_teams(name="teams a"),
                                       _teams(name="teams b", start_year=2029, budget_msek_per_year=12,
                                              target={"by": "random"})),
    "peer_review": lambda: _lever("lever_peer_review"),
    "peer_review_by_capacity_many": lambda: _lever("lever_peer_review", target={"by": "capacity"},
                                                   budget_msek_per_year=40),
    "peer_review_no_ties": lambda: _lever("lever_peer_review", tie_weight=0.0, target={"by": "random",
                                                                                       "share": 0.5}),
    # reviews and teams in one quarter, in the scenario's order, then teams first
    "peer_review_and_change_teams": lambda: _with_levers(_review(budget_msek_per_year=20), _teams()),
    "change_teams_and_peer_review": lambda: _with_levers(_teams(), _review(budget_msek_per_year=20)),
    "procurement": lambda: _lever("lever_procurement"),
    "procurement_by_capacity": lambda: _lever("lever_procurement", target={"by": "capacity", "share": 0.5}),
    # a second framework from 2028 on takes half the operator's capacity: fewer places, the last to join leave
    "procurement_fewer_places": lambda: _with_levers(_kind("lever_procurement", name="framework a"),
                                                     _kind("lever_procurement", name="framework b", start_year=2028,
                                                           budget_msek_per_year=500)),
    "training_networks": lambda: _lever("lever_training_networks"),
    # taking part takes more time than many members have free: some members do not take part
    "training_networks_short_of_time": lambda: _lever("lever_training_networks", time_cost=0.3,
                                                      target={"by": "capacity"}),
    "learning_networks": lambda: _lever("lever_learning_networks"),
    "learning_networks_no_groups": lambda: _lever("lever_learning_networks", group_size=0),
    # groups of two, members by capacity, some years with fewer places (a second network from 2028 on)
    "learning_networks_pairs": lambda: _with_levers(
        _kind("lever_learning_networks", name="network a", group_size=2, target={"by": "capacity"}),
        _kind("lever_learning_networks", name="network b", start_year=2028, budget_msek_per_year=300)),
    "portfolio_sustaingov": lambda: model.load_scenario(SCENARIOS / "portfolio_sustaingov.yaml"),
    "infrastructure": lambda: _lever("lever_infrastructure"),
    # built from the start with no lag, for two years, lowering costs only by its level
    "infrastructure_no_lag": lambda: _lever("lever_infrastructure", lag_years=0, duration_years=2, load_reduction=0.0),
    "portfolio_infrastructure_first": lambda: model.load_scenario(SCENARIOS / "portfolio_infrastructure_first.yaml"),
    # placements as the NumPy oracle's cases make them: mature hosts, too few senders
    **{name: ORACLE_CASES[name]
       for name in ("job_shadowing", "job_shadowing_mature_hosts", "job_shadowing_few_senders")},
    "job_shadowing_random_hosts_no_ties": lambda: _lever("lever_job_shadowing", target={"by": "random"},
                                                         budget_msek_per_year=60, sender_maturity_quantile=0.2,
                                                         tie_weight=0.0),
    # reviews, teams, networks and placements together (portfolio_equality_first without its grants)
    "equality_first_without_grants": lambda: _with_levers(_teams(), _review(), _kind("lever_training_networks"),
                                                          _kind("lever_job_shadowing")),
    "small_actor_grants": lambda: _lever("lever_small_actor_grants"),
    # by population, four instalments a year (staff for the rest of each year), half of it staff, from 2028
    "small_actor_grants_quarterly": lambda: _lever("lever_small_actor_grants", formula_weight="population",
                                                   calls_per_year=4, staff_share=0.5, start_year=2028),
    "portfolio_equality_first": lambda: model.load_scenario(SCENARIOS / "portfolio_equality_first.yaml"),
    "pilot_grants": lambda: _lever("lever_pilot_grants"),
    "scale_up_grants": lambda: _lever("lever_scale_up_grants"),
    # the grant kernels' own cases (tests.levers.test_grant_kernels): costs and loads lowered by infrastructure
    # first; by need, not tied to a start, a limit, the overhead in own money, beside learning groups; no
    # capacity overhead; a share of the pool, no staff, one call a year
    **{f"grants: {variant}": (lambda levers=levers: _with_levers(*levers))
       for variant, levers in GRANT_VARIANTS.items()},
    "portfolio_scale_up": lambda: model.load_scenario(SCENARIOS / "portfolio_scale_up.yaml"),
    # members chosen by a call: the applicants' overhead in own money, in time (beside the time taking part
    # takes), a limit on those chosen, no overhead in time
    "training_networks_by_call": lambda: _lever("lever_training_networks", target={
        "by": "application", "application_overhead_msek": 0.02}),
    "learning_networks_by_call_limited": lambda: _lever("lever_learning_networks", target={
        "by": "application", "count": 30, "application_overhead_capacity": 0.2}),
    "procurement_by_call": lambda: _lever("lever_procurement", target={
        "by": "application", "application_overhead_capacity": 0.0, "application_overhead_msek": 0.05}),
    "portfolio_status_quo": lambda: model.load_scenario(SCENARIOS / "portfolio_status_quo.yaml"),
    "earmarked_grant": lambda: model.load_scenario(SCENARIOS / "event_earmarked_grant.yaml"),
    # equal shares to those who have started, from the run's second year to past its end, beside change teams
    # (its operator's capacity shared with none of them)
    "earmarked_grant_started_with_teams": lambda: model.with_overrides(
        _with_levers(_teams()), {"events": [_earmarked(split="equal", condition="started", start_year=2027,
                                                       years=20, kinds=["municipality", "region"])]}),
    # run by the regions, each paying its part from its own money as the run has it in the year's first quarter
    **{f"{kind}_by_the_regions": (lambda kind=kind: _lever(f"lever_{kind}", operator="regions"))
       for kind in ("change_teams", "peer_review", "learning_networks", "training_networks", "job_shadowing")},
    # a region's part beside a national one, a call's applicants paying own money the regions also pay from;
    # some regions' own money short of their part in some years
    "regions_and_a_call": lambda: _with_levers(
        _teams(operator="regions", budget_msek_per_year=600),
        _review(target={"by": "application", "application_overhead_msek": 0.3})),
    # teams and reviews chosen by a call: overhead in time and own money, a limit; both drawing in turn
    "change_teams_by_call": lambda: _lever("lever_change_teams", budget_msek_per_year=40, target={
        "by": "application", "application_overhead_msek": 0.01}),
    "peer_review_by_call_limited": lambda: _lever("lever_peer_review", budget_msek_per_year=20, target={
        "by": "application", "count": 6, "application_overhead_capacity": 0.2}),
    "reviews_and_teams_by_call": lambda: _with_levers(
        _review(budget_msek_per_year=20, target={"by": "application"}),
        _teams(target={"by": "application", "kinds": ["municipality"]})),
}


def _state(m: InnovationModel) -> dict:
    """What a run leaves (tests.levers.test_compiled_levers), with the sparse rows the tie signals read."""
    ties = m.context.ties
    return {**_run_state(m), "lever rows": ties.lever_indptr, "lever columns": ties.lever_indices,
            "lever weights": ties.lever_weights, "inverse denominator": ties.inverse_denominator,
            "tie versions": m.effects.lever_ties_version}


@pytest.fixture
def taken(monkeypatch) -> list:
    """What every ``model.levers.compiled.run`` of the test returned."""
    said = []
    run = compiled.run

    def spy(*args):
        said.append(run(*args))
        return said[-1]

    monkeypatch.setattr(compiled, "run", spy)
    return said


def _stepped(scenario, seed: int, quarters: int | None = None) -> InnovationModel:
    m = InnovationModel(scenario, seed=seed)
    for _ in range(m.n_steps if quarters is None else quarters):
        m.step()
    return m


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_compiled_run_gives_the_run_of_its_quarters_in_python(case, taken):
    scenario = CASES[case]()
    for seed in (0, 7):
        whole = InnovationModel(scenario, seed=seed)
        whole.run_model()
        assert taken == [True]
        taken.clear()
        _compare(_state(whole), _state(_stepped(scenario, seed)), f"{case} seed {seed}")
        placed = {}
        for lever in whole.levers:  # a lever the regions run: some region's part placed something
            placed[lever.name] = placed.get(lever.name, 0) + _placed(lever)
        assert all(count > 0 for count in placed.values()), placed


def _placed(lever) -> int:
    """What the lever placed over the run: visits, reviews, or members now."""
    if hasattr(lever, "event"):  # an earmarked grant: the organisations it paid, every year
        return sum(use.placed for use in lever._uses.values())
    for name in ("visits", "reviews", "member_count", "gain", "pairs", "grants"):  # networks: members now
        if hasattr(lever, name):
            found = getattr(lever, name)
            return len(found) if isinstance(found, list) else found
    raise AttributeError(type(lever).__name__)


def test_the_cases_reach_what_they_are_for():
    """Capacity left behind and repeat visits; money unplaced for lack of capacity and of takers; the
    second lever's visits; ties made or not; fewer places; pairs; instalments. (The placements' cases are
    the oracle's: tests.levers.test_compiled_levers checks what they reach.)"""
    m = InnovationModel(CASES["capacity_left_and_repeat_visits"](), seed=0)
    m.run_model()
    assert m.effects.capacity_bonus.max() > 0 and m.levers[0].visits > m.levers[0].visited.sum()
    m = InnovationModel(CASES["more_than_delivered"](), seed=0)
    m.run_model()
    records = list(m.context.ledger.usage.values())
    assert all(u.unplaced_capacity > 0 and u.unplaced_no_taker > 0 for u in records)
    m = InnovationModel(CASES["two_levers"](), seed=0)
    m.run_model()
    assert m.levers[1].visits > 0 and {u.lever for u in m.context.ledger.usage.values()} == {"teams a", "teams b"}
    m = InnovationModel(CASES["peer_review"](), seed=0)
    m.run_model()
    assert m.effects.has_lever_ties and m.effects.lever_ties.any()
    m = InnovationModel(CASES["procurement_fewer_places"](), seed=0)
    m.run_model()
    placed = [u.placed for u in m.context.ledger.usage.values() if u.lever == "framework a"]
    assert placed[2] < placed[1]  # 2028: fewer members than in 2027
    m = InnovationModel(CASES["training_networks_short_of_time"](), seed=0)
    m.run_model()
    training = m.levers[0]
    assert 0 < training.quarters_taken_part.sum() < training.quarters_member.sum()
    m = InnovationModel(CASES["learning_networks_pairs"](), seed=0)
    m.run_model()
    network = m.levers[0]
    in_groups = np.bincount(network.group[network.group >= 0])
    assert network._groups_made > 1 and in_groups.max() == 2 and m.effects.has_lever_ties  # pairs, tied
    placed = [u.placed for u in m.context.ledger.usage.values() if u.lever == "network a"]
    assert placed[2] < placed[1]  # 2028: fewer members than in 2027
    m = InnovationModel(CASES["small_actor_grants_quarterly"](), seed=0)
    for _ in range(9):  # into 2028's first instalment: own money added, staff lent
        m.step()
    grants = m.levers[0]
    assert grants.grants > 0 and grants.awarded_msek > 0 and grants.staff.max() > 0
    m = InnovationModel(CASES["peer_review_no_ties"](), seed=0)
    m.run_model()
    assert m.levers[0].reviews > 0 and not m.effects.has_lever_ties
    m = _stepped(CASES["learning_networks_by_call_limited"](), 0, quarters=1)  # applicants gave time
    assert 0 < m.levers[0].member_count <= 30 and m.levers[0]._temp_capacity.max() == 0.2
    charged = _stepped(CASES["procurement_by_call"](), 0, quarters=1)  # applicants paid from their own money
    free = _stepped(_lever("lever_procurement", target={"by": "application", "application_overhead_capacity": 0.0}),
                    0, quarters=1)
    assert charged.levers[0].member_count > 0
    assert (charged.context.state.money_left < free.context.state.money_left).sum() > charged.levers[0].member_count
    m = InnovationModel(CASES["earmarked_grant_started_with_teams"](), seed=0)  # more have started each year
    m.run_model()
    paid = [(u.placed, u.returned) for u in m.context.ledger.usage.values() if u.lever != "change_teams"]
    assert len(paid) == 9 and paid[0][0] < paid[-1][0] < 311 and all(back > 0 for _, back in paid)
    m = InnovationModel(CASES["regions_and_a_call"](), seed=0)
    m.run_model()
    short = [year for lever in m.levers if lever.region is not None for year, paid in lever.delivered.items()
             if paid < lever.budget]
    assert 0 < len(short) < 5 * 21  # own money short of a region's part in some years, not in all
    m = InnovationModel(CASES["peer_review_by_call_limited"](), seed=0)  # at most 6 chosen a quarter
    m.run_model()
    placed = [u.placed for u in m.context.ledger.usage.values()]
    assert all(0 < count <= 6 * 4 for count in placed) and max(placed) > 6
    charged = _stepped(CASES["change_teams_by_call"](), 0, quarters=7)  # within a year: own money is yearly
    free = _stepped(_lever("lever_change_teams", budget_msek_per_year=40, target={"by": "application"}), 0, quarters=7)
    assert charged.levers[0].visits > 0
    assert (charged.context.state.money_left < free.context.state.money_left).any()


NOT_TIED = "grants: pilot grants by need, not tied to a start, limited, overhead in money, beside know-how"


@pytest.mark.parametrize("case", ["capacity_left_and_repeat_visits", NOT_TIED])
@pytest.mark.parametrize("before", [1, 6, 23])
def test_a_compiled_run_after_quarters_in_python_takes_their_books_on(case, before, taken):
    """Quarters stepped in Python first (a dashboard's), then the rest in one compiled call: the pot, the
    year's ledger record, the units counted and the lever's arrays carry on as in a run stepped throughout;
    for grants, the money carried to the year's next round, the grants running and the applications and
    money returned by year."""
    scenario = CASES[case]()
    m = _stepped(scenario, 3, quarters=before)
    assert taken == []
    m.run_model()
    assert taken == [True]
    _compare(_state(m), _state(_stepped(scenario, 3)), f"after {before} quarters")


def test_a_compiled_run_to_a_quarter_stops_there(taken):
    """``run_model(until)`` (the calibration's fit) stops the compiled call at that quarter: the run so far
    is that of as many quarters stepped, and the ledger holds the years reached only."""
    scenario = CASES["change_teams"]()
    m = InnovationModel(scenario, seed=5)
    m.run_model(until=14)  # the lever's third year, 2029, of five
    assert taken == [True] and m.quarter == 14
    stepped = _stepped(scenario, 5, quarters=14)
    a, b = _state(m), _state(stepped)
    for state in (a, b):  # the records' rows written: those after row 14 are not (InnovationModel.run_model)
        for key, value in state.items():
            if isinstance(value, np.ndarray) and value.ndim and value.shape[0] == m.n_steps + 1:
                state[key] = value[:15]
    _compare(a, b, "until 14")
    assert [u.year for u in m.context.ledger.usage.values()] == [2026, 2027, 2028, 2029]


def test_a_lever_without_a_compiled_quarter_keeps_the_others_in_python(taken, monkeypatch):
    """Change teams and reviews beside pilot grants that (here) have no compiled quarter: the run goes quarter
    by quarter, the same run."""
    from model.levers.funding import PilotGrants

    monkeypatch.setattr(PilotGrants, "compiled", lambda self, ctx, t: None)
    scenario = _with_levers(_teams(), _kind("lever_pilot_grants"), _review())
    m = InnovationModel(scenario, seed=2)
    m.run_model()
    assert taken == [False]
    _compare(_state(m), _state(_stepped(scenario, 2)), "with a lever in Python")


@pytest.mark.parametrize("case", ["portfolio_status_quo", "learning_networks_by_call_limited", NOT_TIED,
                                  "regions_and_a_call"])
@pytest.mark.parametrize("until", [5, 14])
def test_a_compiled_run_stopped_and_resumed_is_the_run_in_one_call(case, until, taken):
    """``run_model(until)`` then ``run_model()`` (a dashboard's pause): what the levers took back at the stop —
    capacity a call's applicants gave, grants funded, money carried — carries the second call on."""
    scenario = CASES[case]()
    m = InnovationModel(scenario, seed=4)
    m.run_model(until=until)
    m.run_model()
    assert taken == [True, True]
    whole = InnovationModel(scenario, seed=4)
    whole.run_model()
    _compare(_state(m), _state(whole), f"{case} resumed at {until}")
