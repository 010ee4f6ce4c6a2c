"""Lever effect parameters as uncertainties of ``spridning robust``: drawn over their documented ranges
(model/levers/anchors.py) in every world by default, set on every lever of their type, and read by the
value of information and the ranking-dependence table (model/compare/dependence.py)."""

from __future__ import annotations

import numpy as np
import pytest

import model.runner
from model.compare.dependence import ranking_dependence
from model.levers.anchors import BY_PATH, PREFIX
from model.robust.evaluate import evaluator, make_job
from model.robust.study import load_experiment
from model.robust.voi import voi_table
from model.robust.worlds import LEVER_EFFECT_WORLDS

from .common import SCENARIOS, write

PEER = ["peer_review.scale_bonus", "peer_review.bonus_quarters", "peer_review.tie_weight"]


def experiment(tmp_path, **changes):
    data = {"name": "effects", "baseline": str(SCENARIOS / "baseline.yaml"),
            "portfolios": [str(SCENARIOS / "lever_peer_review.yaml"), str(SCENARIOS / "lever_change_teams.yaml")],
            "replications": 1, "seed": 5}
    data.update(changes)
    return load_experiment(write(tmp_path, {k: v for k, v in data.items() if v is not None}), probe_runs=False)


def effect_columns(plan) -> list[int]:
    return [j for j, f in enumerate(plan.worlds.factors) if f.path.startswith(PREFIX)]


def test_default_worlds_vary_the_portfolios_lever_effects_over_their_ranges(tmp_path):
    plan = experiment(tmp_path)
    names = [plan.worlds.names[j] for j in effect_columns(plan)]
    assert names == PEER + ["change_teams.scale_bonus", "change_teams.capacity_left"]
    assert len(plan.worlds.factors) > len(names)  # with the posterior's calibrated parameters
    for j in effect_columns(plan):
        anchor = BY_PATH[plan.worlds.factors[j].path]
        x = plan.worlds.values[:, j]
        assert anchor.low <= x.min() and x.max() <= anchor.high
        # a Latin hypercube: every fifth of the range is drawn about as often
        counts = np.histogram(x, bins=5, range=(anchor.low, anchor.high))[0]
        assert counts.min() >= 0.6 * len(x) / 5 if not anchor.integer else len(np.unique(x)) >= 3
    assert any("lever effects" in n for n in plan.worlds.notes)
    # adding the lever effects leaves the posterior's own columns as they were
    bare = experiment(tmp_path, lever_effects=False)
    assert not effect_columns(bare)
    assert np.array_equal(bare.worlds.values, plan.worlds.values[:, :len(bare.worlds.factors)])


def test_given_worlds_get_lever_effects_only_when_asked(tmp_path):
    given = dict(factors=[{"path": "parameters.p_external", "bounds": [0.005, 0.03]}],
                 worlds={"sampler": "lhs", "n": 16})
    assert not effect_columns(experiment(tmp_path, **given))
    plan = experiment(tmp_path, lever_effects=True, **given)
    assert plan.worlds.n == 16 and len(effect_columns(plan)) == 5
    point = experiment(tmp_path, lever_effects=True, worlds=None)
    assert point.worlds.n > 1
    alone = experiment(tmp_path, lever_effects=True, portfolios=[str(SCENARIOS / "lever_peer_review.yaml")])
    assert [f.name for f in alone.worlds.factors if f.path.startswith(PREFIX)] == PEER


def test_a_world_sets_its_effect_values_on_the_portfolios_levers(tmp_path, monkeypatch):
    plan = experiment(tmp_path)
    seen = []
    monkeypatch.setattr(model.runner, "run", lambda scenario, seed: seen.append(scenario) or
                        type("R", (), {"summary": {}})())
    evaluate = evaluator(make_job(plan, key="lever-effects-test"))
    world = plan.worlds.values[3]
    for k in range(len(plan.portfolios)):
        evaluate(k, world, np.random.SeedSequence(1))
    values = dict(zip(plan.worlds.names, world))
    base, peer, teams = seen
    assert not base.levers
    assert peer.levers[0].scale_bonus == pytest.approx(values["peer_review.scale_bonus"])
    assert peer.levers[0].bonus_quarters == round(values["peer_review.bonus_quarters"])
    assert teams.levers[0].capacity_left == pytest.approx(values["change_teams.capacity_left"])


def test_value_of_information_includes_the_lever_effects(tmp_path):
    plan = experiment(tmp_path)
    names = plan.worlds.names
    bonus = plan.worlds.values[:, names.index("peer_review.scale_bonus")]
    # peer review wins when its bonus is above 0.4, change teams otherwise; the baseline never
    score = np.column_stack([np.zeros_like(bonus), bonus, np.full_like(bonus, 0.4)])
    table = voi_table({"final_adoption": score}, {"final_adoption": "higher"}, plan.worlds.values, names,
                      plan.names, plan.worlds.weights, resamples=50)
    top = table.sort_values("evppi", ascending=False).iloc[0]
    assert top.parameter == "peer_review.scale_bonus" and top.evppi > 0.5 * top.evpi > 0


def test_ranking_dependence_on_a_tiny_case():
    # unit i has effect x_i = 0, 0.1, ..., 1; portfolio A scores x, B 0.45, C 0.2: A is best on average
    # (0.5) and in the 6 units with x >= 0.5; B in the 5 below. The median split is at x = 0.5.
    x = np.linspace(0.0, 1.0, 11)
    noise = np.array([0.3, 0.9, 0.1, 0.5, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0, 1.0])
    values = np.column_stack([x, np.full_like(x, 0.45), np.full_like(x, 0.2)])
    table = ranking_dependence(values, "higher", np.column_stack([noise, x]), ["other", "effect"], ["A", "B", "C"],
                               criterion="score")
    first = table.iloc[0]  # sorted by |swing|: the effect first
    assert first.factor == "effect" and first.best == "A" and first.share_holds == pytest.approx(6 / 11)
    assert first.split_at == 0.5 and first.best_low == "B" and first.best_high == "A" and first.reverses
    assert first.holds_low == pytest.approx(1 / 6) and first.holds_high == 1.0
    assert first.swing == pytest.approx(5 / 6)
    # no dependence would swing more than z sqrt(p (1 - p) (1/6 + 1/5)), z the Šidák quantile for the two
    # factors (2.24; 1.96 for one): 2.24 x 0.30 = 0.68
    z = 2.2365
    assert first.noise95 == pytest.approx(z * np.sqrt(6 / 11 * 5 / 11 * (1 / 6 + 1 / 5)), rel=1e-4)
    assert first.clear  # 0.83 > 0.68
    alone = ranking_dependence(values, "higher", x[:, None], ["effect"], ["A", "B", "C"]).iloc[0]
    assert alone.noise95 == pytest.approx(1.96 * np.sqrt(6 / 11 * 5 / 11 * (1 / 6 + 1 / 5)), rel=1e-3)
    other = table.iloc[1]
    assert other.factor == "other" and other.holds_low == pytest.approx(3 / 6) and other.holds_high == pytest.approx(3 / 5)
    assert other.best_low == "B" and other.best_high == "A"  # A averages 0.43 in the low half: below B
    assert not other.clear  # a swing of 0.1 in 11 units is noise
    lower = ranking_dependence(-values, "lower", x[:, None], ["effect"], ["A", "B", "C"])
    assert lower.iloc[0].swing == pytest.approx(first.swing)
    # a portfolio without any value (the baseline's cost per extra adoption) is left out, not every unit
    with_nan = np.column_stack([np.full_like(x, np.nan), values])
    assert ranking_dependence(with_nan, "higher", x[:, None], ["effect"], ["base", "A", "B", "C"]).iloc[0].swing \
        == pytest.approx(5 / 6)


def test_the_summary_names_what_the_ranking_depends_on():
    from model.robust.outputs import _dependence_md

    x = np.linspace(0.0, 1.0, 11)
    values = np.column_stack([x, np.full_like(x, 0.45)])
    table = ranking_dependence(values, "higher", x[:, None], ["peer_review.scale_bonus"], ["A", "B"], criterion="score")
    text = "\n".join(_dependence_md(table))
    assert "**score**: A best in 55 % of worlds" in text
    assert "| peer_review.scale_bonus | 17 % | 100 % | B / A | yes |" in text
