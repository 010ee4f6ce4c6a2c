"""``spridning compare --lever-effects``: the levers' effect sizes drawn into the comparison's ensemble
(model/calibrate/effects.py), set on each scenario's levers, and the ranking's dependence on them
(ranking_dependence.csv, model/compare/effects.py)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

import model
from model.calibrate.effects import anchors_of, with_lever_effects
from model.calibrate.ensemble import default_posterior
from model.cli import main
from model.levers.anchors import BY_PATH

from ..robust.common import SCENARIOS


@pytest.fixture(scope="module")
def scenarios():
    return [model.load_scenario(SCENARIOS / f) for f in ("baseline.yaml", "lever_peer_review.yaml",
                                                          "lever_change_teams.yaml")]


def test_effect_draws_join_the_posterior_draws_and_reach_each_scenarios_levers(scenarios):
    base, peer, teams = scenarios
    assert [a.name for a in anchors_of(scenarios)] == ["peer_review.scale_bonus", "peer_review.bonus_quarters",
                                                       "peer_review.tie_weight", "change_teams.scale_bonus",
                                                       "change_teams.capacity_left"]
    posterior = default_posterior(base, total=8)
    ensemble = with_lever_effects(posterior, scenarios, 8, seed=3)
    assert len(ensemble.draws) == len(posterior.draws) == 8
    for before, after in zip(posterior.draws, ensemble.draws):
        assert {k: after[k] for k in before} == before  # the posterior's values as they were
    bonus = [d["lever_effects.peer_review.scale_bonus"] for d in ensemble.draws]
    anchor = BY_PATH["lever_effects.peer_review.scale_bonus"]
    assert anchor.low <= min(bonus) and max(bonus) <= anchor.high and np.ptp(bonus) > 0.3 * (anchor.high - anchor.low)
    drawn = ensemble.scenarios(peer)
    assert [s.levers[0].scale_bonus for s in drawn] == pytest.approx(bonus)
    assert all(s.parameters == p.parameters for s, p in zip(drawn, posterior.scenarios(peer)))
    assert not any(s.levers for s in ensemble.scenarios(base))  # a scenario without the lever is unchanged
    point = with_lever_effects(None, scenarios, 64, seed=3)
    assert len(point.draws) == 32 and point.spec.replications == 2
    assert with_lever_effects(None, [base], 8, seed=3) is None  # no lever: nothing to draw


@pytest.mark.slow
def test_compare_with_lever_effects_writes_the_ranking_dependence(tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(SCENARIOS / "lever_peer_review.yaml"), "--baseline", str(SCENARIOS / "baseline.yaml"),
                 "--reps", "4", "--point", "--lever-effects", "--no-report", "--workers", "1", "--quiet",
                 "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "ranking_dependence.csv" in printed
    table = pd.read_csv(out / "ranking_dependence.csv")
    assert set(table.factor) == {"peer_review.scale_bonus", "peer_review.bonus_quarters", "peer_review.tie_weight"}
    assert (table.units == 4).all() and table.holds_low.between(0, 1).all() and table.holds_high.between(0, 1).all()
    assert "final_adoption" in set(table.criterion)
    reps = pd.read_csv(out / "lever_peer_review" / "replications.csv")
    assert reps.draw.nunique() == 4


def test_what_the_memo_says_it_rests_on_follows_the_lever_effects():
    from model.report.headline import rests_on

    plain, drawn = rests_on(40, 40)[0], rests_on(40, 40, lever_effects=True)[0]
    assert "do not include the uncertainty in effect sizes, prices" in plain
    assert "effect sizes over their ranges" in drawn and "do not include the uncertainty in prices" in drawn
    sv = rests_on(40, 0, "sv", lever_effects=True)[0]
    assert "effektstorlekar inom sina intervall" in sv and "osäkerheten i priser eller modellens parametrar" in sv
