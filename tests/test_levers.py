"""Policy levers: the contract (zero budget = no lever), targeting, spending, validation, shipped files, listing.

How strongly each lever moves its outcome is in ``test_levers_effects.py``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

import model
from model.cli import main
from model.levers import REGISTRY
from model.dynamics import quarters
from model.model import InnovationModel
from model.stages import PILOTING
from model.world.organisations import AGENCY, MUNICIPALITY, REGION

from .support import assert_scenario_rejected as bad
from .support import unseeded

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(SCENARIOS.glob("lever_*.yaml")) + sorted(SCENARIOS.glob("portfolio_*.yaml"))
#: every registered lever (a new lever is in every test below that enumerates levers, without a list to edit)
LEVER_TYPES = tuple(sorted(REGISTRY))
#: levers whose only effect is the money they hand out (grants): no intensity to set to zero
MONEY_ONLY = {"pilot_grants", "scale_up_grants", "small_actor_grants"}

#: each lever's effect sizes set to zero (with a target that makes nobody pay an application overhead)
ZERO_INTENSITY = {
    "peer_review": {"scale_bonus": 0.0, "tie_weight": 0.0},
    "change_teams": {"scale_bonus": 0.0, "capacity_left": 0.0},
    "infrastructure": {"max_gain": 0.0},
    "learning_networks": {"tie_strength": 1.0, "p_external_boost": 0.0, "failure_sharing_boost": 0.0,
                          "group_size": 0},
    "procurement": {"call_off_discount": 0.0, "load_reduction": 0.0},
    "training_networks": {"load_cut": 0.0, "time_cost": 0.0},
    "job_shadowing": {"load_cut": 0.0, "sender_time_cost": 0.0, "host_time_cost": 0.0, "tie_weight": 0.0},
}


@pytest.fixture(scope="module")
def base() -> model.Scenario:
    return model.load_scenario(SCENARIOS / "baseline.yaml")


def with_levers(scenario, levers, **overrides):
    return model.with_overrides(scenario, {"levers": levers, **overrides})


MONEY = ("spend_msek", "budget_msek", "unplaced_msek", "unplaced_capacity_msek", "unplaced_no_taker_msek")


def same_run(a, b) -> None:
    assert np.array_equal(a.stage_history, b.stage_history)
    sa, sb = dict(a.summary), dict(b.summary)
    for key in MONEY:
        sa.pop(key), sb.pop(key)
    assert sa.keys() == sb.keys()
    for key in sa:
        assert sa[key] == sb[key] or (math.isnan(sa[key]) and math.isnan(sb[key])), key


# --- the registry and what each lever declares -----------------------------------------------------
def test_every_lever_is_registered_with_its_description():
    assert len(LEVER_TYPES) >= 10  # the levers of docs/levers.md are all registered
    for name, cls in REGISTRY.items():
        assert cls.type_name() == name
        assert cls.description and "\n" not in cls.description
        assert re.search(r"00[0-4] L\d+", cls.evidence), name  # seed file and lines
        # SustainGov's numeric sub-scores are not in the text: only "unscored" or a cited statement
        assert "unscored" in cls.scores or re.search(r"000 L\d+", cls.scores), name
        assert not re.search(r"\b[1-5](\.\d+)?\s*/\s*5\b", cls.scores), name
        assert cls.Params.model_config.get("extra") == "forbid"
        for field in cls.unit_cost_fields:
            assert field in cls.Params.model_fields
    ids = {name: REGISTRY[name].ids() for name in LEVER_TYPES}
    assert ids["peer_review"] == (2,) and ids["change_teams"] == (15,) and ids["procurement"] == (19,)
    assert ids["training_networks"] == (26,) and ids["job_shadowing"] == (11,)
    assert ids["small_actor_grants"] == (27,) and set(ids["infrastructure"]) == {7, 8}
    assert {12, 16, 21} == set(ids["learning_networks"])


# --- zero budget and zero intensity: identical to the baseline ------------------------------------------
def test_zero_budget_levers_give_the_baseline_exactly(base):
    short = model.with_overrides(base, {"horizon_years": 6})
    levers = [{"type": t, "budget_msek_per_year": 0} for t in LEVER_TYPES]
    zero = with_levers(short, levers)
    for seed in (1, 2):
        a, b = model.run(short, seed), model.run(zero, seed)
        same_run(a, b)
        assert b.summary["spend_msek"] == 0.0 and b.spend.empty and b.lever_usage.empty


@pytest.mark.parametrize("lever", LEVER_TYPES)
def test_each_lever_at_zero_budget_is_the_baseline(base, lever):
    short = model.with_overrides(base, {"horizon_years": 5})
    a = model.run(short, 3)
    b = model.run(with_levers(short, [{"type": lever, "budget_msek_per_year": 0}]), 3)
    same_run(a, b)


def test_every_lever_has_a_zero_intensity_or_is_money_only():
    """A new lever must say how its effects are switched off (ZERO_INTENSITY) or that it only hands out money."""
    assert set(ZERO_INTENSITY) | MONEY_ONLY == set(REGISTRY)
    assert not set(ZERO_INTENSITY) & MONEY_ONLY
    for lever, zero in ZERO_INTENSITY.items():
        assert set(zero) <= set(REGISTRY[lever].Params.model_fields), lever


@pytest.mark.parametrize("lever", sorted(ZERO_INTENSITY))
def test_each_lever_at_zero_intensity_is_the_baseline_but_spends(base, lever):
    short = model.with_overrides(base, {"horizon_years": 5})
    entry = {"type": lever, "budget_msek_per_year": 40, "duration_years": 3, "target": {"by": "all"},
             **ZERO_INTENSITY[lever]}
    a, b = model.run(short, 4), model.run(with_levers(short, [entry]), 4)
    same_run(a, b)
    assert b.summary["budget_msek"] == pytest.approx(40 * 3)
    assert b.summary["spend_msek"] + b.summary["unplaced_msek"] == pytest.approx(40 * 3)


# --- targeting reaches exactly whom it says ---------------------------------------------------------------
def stepped(scenario, seed=5, quarters=1) -> InnovationModel:
    m = InnovationModel(scenario, seed=seed)
    for _ in range(quarters):
        m.step()
    return m


def test_size_band_targeting_reaches_exactly_those_bands(base):
    entry = {"type": "small_actor_grants", "budget_msek_per_year": 50,
             "target": {"by": "size_band", "size_bands": ["<10k", "50-100k"]}}
    without = stepped(unseeded(base))
    m = stepped(unseeded(with_levers(base, [entry])))
    orgs, lever = m.orgs, m.levers[0]
    inside = (orgs.kind == MUNICIPALITY) & np.isin(orgs.size_band, [0, 3])
    assert np.array_equal(lever.staff > 0, inside)
    # formula, equal weights: everyone reached gets the same: half as money for the year (on top of what
    # the organisation had: compare the run without), half as project staff for the year
    extra = m.state.money_left - without.state.money_left
    assert np.array_equal(extra > 1e-9, inside)
    assert np.allclose(lever.staff[inside], lever.staff[inside][0])
    assert lever.awarded_msek == pytest.approx(50 * (1 - 0.05))
    assert (lever.staff * m.params.capacity_msek).sum() == pytest.approx(50 * 0.95 * 0.5)


def test_region_targeting_reaches_only_that_county(base):
    entry = {"type": "learning_networks", "budget_msek_per_year": 100, "group_size": 0,
             "target": {"by": "region", "regions": ["Norrbottens län"], "kinds": ["municipality", "region"]}}
    m = stepped(with_levers(base, [entry]))
    orgs = m.orgs
    county = orgs.counties.index("Norrbottens län")
    inside = (orgs.county == county) & ((orgs.kind == MUNICIPALITY) | (orgs.kind == REGION))
    assert inside.sum() == 15  # 14 municipalities and Region Norrbotten
    assert np.array_equal(m.effects.tie_strength > 1, inside)
    assert np.array_equal(m.effects.p_external_boost > 0, inside)
    # the same county by code and by region name
    for label in ("25", "R25", "Region Norrbotten"):
        entry["target"]["regions"] = [label]
        other = stepped(with_levers(base, [entry]))
        assert np.array_equal(other.effects.tie_strength > 1, inside), label


def test_capacity_targeting_takes_the_neediest_first(base):
    entry = {"type": "training_networks", "budget_msek_per_year": 30, "time_cost": 0.0,
             "target": {"by": "capacity", "count": 40}}
    m = stepped(unseeded(with_levers(base, [entry])))
    members = m.levers[0].members
    assert members.sum() == 40
    muni = np.flatnonzero(m.orgs.kind == MUNICIPALITY)
    weakest = muni[np.argsort(m.state.capacity[muni], kind="stable")[:40]]
    assert set(np.flatnonzero(members)) == set(weakest)
    assert np.array_equal(m.levers[0].skill > 0, members)


def test_random_targeting_draws_a_share_of_the_eligible(base):
    entry = {"type": "procurement", "budget_msek_per_year": 100,
             "target": {"by": "random", "share": 0.5, "kinds": ["region"]}}
    m = stepped(with_levers(base, [entry]))
    members = m.levers[0].members
    assert members.sum() == round(0.5 * 21)
    assert (m.orgs.kind[members] == REGION).all()


def test_calls_fund_named_pilots_that_start_and_charge_each_applicant_once_per_round(base):
    # after two years everyone has heard of something, so many can apply
    entry = {"type": "pilot_grants", "budget_msek_per_year": 20, "start_year": 2028,
             "target": {"by": "application", "kinds": ["municipality"],
                        "application_overhead_msek": 0.05, "application_overhead_capacity": 0.05}}
    m = stepped(with_levers(base, [entry]), quarters=8)
    # the first quarter of 2028 (people and the new budget are in place): the first round
    t = 8
    year, quarter = m.year_quarter(t)
    before = m.state.money_left.copy()
    m.effects.reset_quarter()
    lever, e = m.levers[0], m.effects
    lever.act(m.context, t, year, quarter)
    m.effects.settle_money(m.state.money_left)  # what the quarter's dynamics do first
    winners = lever.recipients
    funded = e.funded_start
    assert 0 < winners.sum() == funded.sum()  # one grant, for one named innovation, per winner
    assert np.array_equal(funded.any(1), winners)
    assert (m.state.stage[funded] == PILOTING - 1).all()  # they know of it and are not piloting it yet
    assert (e.grant_msek[funded] > 0).all() and (e.grant_msek[~funded] == 0).all()
    assert lever.awarded_msek <= 20 * 0.95 / 2 + 1e-9  # two rounds a year share the money
    assert (m.orgs.kind[winners] == MUNICIPALITY).all()
    muni = m.orgs.kind == MUNICIPALITY
    assert np.median(m.state.capacity[winners]) > np.median(m.state.capacity[muni])
    # every applicant paid for applying once: capacity for this quarter and money for the rest of the year
    applicants = e.capacity_bonus < 0
    assert (applicants & ~winners).any() and winners[muni].sum() < applicants.sum() == lever.applications
    assert np.all(e.capacity_bonus[applicants] == pytest.approx(-0.05))
    assert np.allclose(m.state.money_left[applicants], np.maximum(before[applicants] - 0.05, 0.0))
    assert np.array_equal(m.state.money_left[~applicants], before[~applicants])
    assert not (applicants & ~muni).any()
    # the funded pilots start this quarter; the grant pays their running costs and lends project staff
    quarters.advance(m.context, t, t + 1)
    assert (m.state.stage[funded | (lever.funded & (m.state.stage == PILOTING))] == PILOTING).all()
    assert not e.funded_start.any()
    m.quarter = t + 1
    m.step()  # the next quarter (no round): the staff of running funded pilots is lent
    assert (e.capacity_bonus[winners] > 0).all()


def test_kinds_default_to_municipalities(base):
    entry = {"type": "learning_networks", "budget_msek_per_year": 200}
    m = stepped(with_levers(base, [entry]))
    assert np.array_equal(m.effects.tie_strength > 1, m.orgs.kind == MUNICIPALITY)
    assert not (m.effects.tie_strength[m.orgs.kind == AGENCY] > 1).any()


# --- spending --------------------------------------------------------------------------------------------
def test_budget_is_budget_times_active_years_and_splits_into_used_and_unplaced(base):
    scen = model.load_scenario(SCENARIOS / "portfolio_infrastructure_first.yaml")
    out = model.run(scen, 1)
    usage = out.lever_usage
    per_lever = usage.groupby("lever")["budget_msek"].sum()
    expected = {"infrastructure": 100 * 5, "training_networks": 30 * 2, "learning_networks": 40 * 2,
                "procurement": 30 * 2, "peer_review": 35 * 3, "change_teams": 65 * 3}
    assert set(per_lever.index) == set(expected)
    for name, msek in expected.items():
        assert per_lever[name] == pytest.approx(msek, rel=1e-12)
    per_year = usage.groupby("year")["budget_msek"].sum()
    assert list(per_year.index) == [2026, 2027, 2028, 2029, 2030]
    assert np.allclose(per_year.to_numpy(), 200)
    assert out.summary["budget_msek"] == pytest.approx(1000, rel=1e-12)
    parts = usage[["used_msek", "unplaced_capacity_msek", "unplaced_no_taker_msek"]].sum(axis=1)
    assert np.allclose(parts, usage["budget_msek"])
    assert out.summary["spend_msek"] == pytest.approx(usage["used_msek"].sum())
    assert out.spend["msek"].sum() == pytest.approx(out.summary["spend_msek"])


def test_money_stops_at_the_horizon(base):
    entry = {"type": "peer_review", "budget_msek_per_year": 7.3, "start_year": 2027, "duration_years": 20}
    out = model.run(with_levers(base, [entry], horizon_years=4), 2)
    assert out.summary["budget_msek"] == pytest.approx(7.3 * 3)  # 2027, 2028, 2029
    assert sorted(out.lever_usage["year"]) == [2027, 2028, 2029]


def test_validated_levers_record_their_defaults(base):
    scen = with_levers(base, [{"type": "peer_review", "budget_msek_per_year": 5}])
    # the scenario holds the validated parameter object; the manifest records every default
    params = scen.levers[0]
    assert type(params).__name__ == "PeerReviewParams" and params.cost_per_review_msek == 0.25
    entry = scen.resolved()["levers"][0]
    assert entry["name"] == "peer_review" and entry["cost_per_review_msek"] == 0.25
    assert entry["target"]["by"] == "all" and entry["target"]["kinds"] == ["municipality"]
    # and the filled-in entry is itself valid (overrides and sweeps re-validate it)
    again = model.with_overrides(scen, {"levers.peer_review.cost_per_review_msek": 0.5})
    assert again.levers[0].cost_per_review_msek == 0.5


# --- shipped scenario files ------------------------------------------------------------------------------
def test_every_lever_has_its_own_scenario_and_the_portfolios_exist():
    names = {p.stem for p in SHIPPED}
    for lever in LEVER_TYPES:
        assert f"lever_{lever}" in names
    for portfolio in ("status_quo", "sustaingov", "equality_first", "scale_up", "infrastructure_first"):
        assert f"portfolio_{portfolio}" in names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_validates_and_runs(path, base, capsys):
    assert main(["validate", str(path)]) == 0
    scen = model.load_scenario(path)
    assert scen.levers
    # a copy of the baseline's world, so comparisons run on common random numbers
    for key in ("start_year", "horizon_years", "seed", "world", "mechanisms", "parameters", "innovations"):
        assert getattr(scen, key) == getattr(base, key), f"{path.name}: {key} differs from baseline.yaml"
    if path.stem.startswith("portfolio_"):
        assert scen.budget_msek_per_year == 200
        out = model.run(scen, 0)
        assert out.summary["budget_msek"] == pytest.approx(200 * 5)
        # the shipped portfolios place most of their money (fewer takers since the innovations start at
        # their 2026 stages: part of the municipalities already pilot or use them)
        assert out.summary["spend_msek"] > 0.75 * 200 * 5
    short = model.with_overrides(scen, {"horizon_years": 3})  # the staircase starts levers in 2028
    out = model.run(short, 0)
    assert out.summary["spend_msek"] > 0
    assert 0 <= out.summary["final_adoption"] <= 1
    assert "# " in path.read_text(encoding="utf-8")  # commented for the analyst


# --- bad lever configurations ------------------------------------------------------------------------------
MINIMAL = "name: t\nhorizon_years: 5\ninnovations:\n  - name: x\n"




def test_unknown_lever_suggests_the_closest(tmp_path, capsys):
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: peer_reveiw\n    budget_msek_per_year: 5\n",
        "levers[0].type", "unknown lever 'peer_reveiw'", "did you mean 'peer_review'", "change_teams")


def test_misspelt_parameter_suggests_the_closest(tmp_path, capsys):
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
        "    cost_per_reviw_msek: 0.3\n",
        "levers[0].cost_per_reviw_msek", "unknown key", "did you mean 'cost_per_review_msek'")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: change_teams\n    budget_msek_per_year: 5\n"
        "    target:\n      by: capacity\n      sizebands: ['<10k']\n",
        "levers[0].target.sizebands", "did you mean 'size_bands'")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: change_teams\n    budget_msek_per_year: 5\n"
        "    target:\n      by: capasity\n", "levers[0].target.by", "did you mean 'capacity'")


def test_negative_budget(tmp_path, capsys):
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: procurement\n    budget_msek_per_year: -5\n",
        "levers[0].budget_msek_per_year", "greater than or equal to 0", "-5")


def test_missing_budget(tmp_path, capsys):
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: procurement\n",
        "levers[0].budget_msek_per_year", "required")


def test_start_after_the_horizon_or_before_the_start(tmp_path, capsys):
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
        "    start_year: 2031\n", "levers[0].start_year", "after the horizon", "2026-2030")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
        "    start_year: 2020\n", "levers[0].start_year", "before the scenario starts")


def test_portfolio_over_budget(tmp_path, capsys):
    text = (MINIMAL + "budget_msek_per_year: 200\nlevers:\n"
            "  - type: peer_review\n    budget_msek_per_year: 100\n"
            "  - type: change_teams\n    budget_msek_per_year: 150\n    start_year: 2028\n")
    message = bad(tmp_path, capsys, text, "budget_msek_per_year: portfolio spends 250 MSEK/year, over the budget of 200",
                  "2028-2030")
    assert "2026" not in message.split("over the budget")[1]
    # within budget when the levers do not overlap in time
    ok = text.replace("start_year: 2028\n", "start_year: 2028\n") .replace(
        "budget_msek_per_year: 100\n", "budget_msek_per_year: 100\n    duration_years: 2\n")
    path = tmp_path / "ok.yaml"
    path.write_text(ok, encoding="utf-8")
    assert model.load_scenario(path).budget_msek_per_year == 200


def test_other_bad_targets_and_names(tmp_path, capsys):
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: change_teams\n    budget_msek_per_year: 5\n"
        "    target:\n      by: size_band\n", "levers[0].target", "needs size_bands")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: change_teams\n    budget_msek_per_year: 5\n"
        "    target:\n      by: region\n      regions: [Norrbotens län]\n",
        "unknown region 'Norrbotens län'", "did you mean 'Norrbottens län'")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: change_teams\n    budget_msek_per_year: 5\n"
        "    target:\n      size_bands: ['<5k']\n", "levers[0].target.size_bands[0]", "'<10k'")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: peer_review\n    budget_msek_per_year: 5\n"
        "  - type: peer_review\n    budget_msek_per_year: 5\n", "levers[1].name", "already used")
    bad(tmp_path, capsys, MINIMAL + "levers:\n  - type: pilot_grants\n    budget_msek_per_year: 5\n"
        "    target:\n      by: capacity\n", "target.by must be application")


# --- `spridning levers` and the documentation ----------------------------------------------------------------
def test_levers_command_lists_every_lever(capsys):
    assert main(["levers"]) == 0
    out = capsys.readouterr().out
    for name, cls in REGISTRY.items():
        assert name in out and cls.description.split(":")[0][:40] in out.replace("\n    ", " ")
        for field in cls.Params.model_fields:
            assert field in out, (name, field)
    assert "SustainGov ID 2" in out and "unit cost" in out and "[MSEK per review]" in out
    assert main(["levers", "peer_review", "--markdown"]) == 0
    md = capsys.readouterr().out
    assert "| `cost_per_review_msek` | 0.25 | MSEK per review |" in md
    assert main(["levers", "peer_reveiw"]) == 2
    assert "did you mean 'peer_review'" in capsys.readouterr().err


def test_docs_describe_every_lever_and_parameter():
    from model.levers.listing import END, START, markdown

    text = (ROOT / "docs" / "levers.md").read_text(encoding="utf-8")
    tables = text.split(START, 1)[1].split(END, 1)[0]
    assert tables.strip() == markdown().strip(), (
        "docs/levers.md parameter tables are out of date: run `python -m model.levers.listing --write`")
    for name, cls in REGISTRY.items():
        assert f"`{name}`" in text, name
        for field in cls.Params.model_fields:
            assert f"`{field}`" in text, (name, field)
        for i in cls.ids():
            assert f"ID {i}" in text or f"IDs {i}" in text, (name, i)
    assert "unscored" in text


def test_scenario_yaml_comments_do_not_hide_keys():
    # every lever entry in the shipped files is plain YAML the schema accepts (no key hidden in a comment)
    for path in SHIPPED:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in data["levers"]:
            assert entry["type"] in REGISTRY
