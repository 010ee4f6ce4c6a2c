"""Ties between portfolios and worlds without a value: every place that picks a best portfolio names all
tied ones, rank shares add up to 1, Kendall's W is corrected for ties, and a "never" outcome (catalogue:
``missing="never"``) counts a world without a value as worse than any value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.robust.metrics import (competition_ranks, missing_notes, pairwise_table, rank_tables, regret,
                                  regret_table, satisficing_notes, satisficing_table, tied_places)
from model.robust.outputs import findings, good_enough
from model.robust.plan import never_when_missing
from model.robust.schema import Threshold
from model.robust.study import run_experiment

from .common import toy_experiment, write

# B and C tie in every world, A is last; higher is better
TIED = np.array([[0.1, 0.5, 0.5], [0.2, 0.9, 0.9], [0.0, 0.3, 0.3], [0.1, 0.4, 0.4]])
ABC = ["A", "B", "C"]


def test_tied_places_share_the_places_they_take():
    first, last = tied_places(np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]]))
    assert first.tolist() == [[3, 1, 1, 4], [1, 1, 1, 1]]
    assert last.tolist() == [[3, 2, 2, 4], [4, 4, 4, 4]]
    assert competition_ranks([0.2, 0.5, 0.5 + 1e-15, 0.1], higher_first=True).tolist() == [3, 1, 1, 4]
    assert competition_ranks([np.inf, 1.0, np.inf, np.nan], higher_first=False).tolist() == [2, 1, 2, 4]


def test_ranks_rows_and_places_add_up_to_one_and_w_is_corrected_for_ties():
    ranks, stability = rank_tables({"y": TIED}, {"y": "higher"}, np.ones(4), ABC)
    shares = ranks.set_index("portfolio")[["rank_1", "rank_2", "rank_3"]]
    assert np.allclose(shares.sum(axis=1), 1.0) and np.allclose(shares.sum(axis=0), 1.0)
    assert shares.loc["B"].tolist() == [0.5, 0.5, 0.0] and shares.loc["A", "rank_3"] == 1.0
    assert ranks.set_index("portfolio").loc["B", "mean_rank"] == 1.5
    s = stability.iloc[0]
    assert s.kendall_w == pytest.approx(1.0)  # without the correction: 0.75
    assert s.most_often_best == "B, C" and s.share_best == 1.0 and s.tied_best == 2


def test_kendall_w_without_ties_and_when_everything_ties():
    rng = np.random.default_rng(1)
    m = rng.normal(size=(30, 4))
    from scipy.stats import rankdata

    r = rankdata(-m, axis=1)
    textbook = 12 * ((r.sum(axis=0) - 30 * 5 / 2) ** 2).sum() / (30 ** 2 * (4 ** 3 - 4))
    _, stability = rank_tables({"y": m}, {"y": "higher"}, np.ones(30), list("abcd"))
    assert stability.kendall_w.iloc[0] == pytest.approx(textbook)
    _, flat = rank_tables({"y": np.ones((5, 3))}, {"y": "higher"}, np.ones(5), ABC)
    assert np.isnan(flat.kendall_w.iloc[0]) and flat.most_often_best.iloc[0] == "A, B, C"


def test_regret_ties_all_share_minimax_and_best():
    table, _ = regret_table({"y": TIED}, {"y": "higher"}, np.ones(4), ABC, resamples=20)
    t = table.set_index("portfolio")
    assert t.loc["B", "rank_max_regret"] == t.loc["C", "rank_max_regret"] == 1 and t.loc["A", "rank_max_regret"] == 3
    assert t.loc["B", "share_best"] == t.loc["C", "share_best"] == 1.0 and t.loc["A", "share_best"] == 0.0


def test_satisficing_ties_and_nobody_good_enough():
    sat = satisficing_table({"y": TIED}, {"y": Threshold(min=0.45)}, np.ones(4), ABC)
    assert sat.set_index("portfolio")["rank"].tolist() == [3, 1, 1]
    assert good_enough(sat)[0].startswith("most often good enough: B and C (tied), 50% of worlds")
    never = satisficing_table({"y": TIED}, {"y": Threshold(min=0.95)}, np.ones(4), ABC)
    assert good_enough(never)[0].startswith("no portfolio meets the thresholds in any world")
    assert "no portfolio meets the thresholds" in satisficing_notes(never)[0]
    always = satisficing_table({"y": TIED}, {"y": Threshold(min=-1.0)}, np.ones(4), ABC)
    assert "every portfolio meets the thresholds in every world" in satisficing_notes(always)[0]


# 'gamble' reaches the goal (lower is better) only in world 0; 'steady' everywhere
NEVER = np.array([[6.0, 5.0], [7.0, np.nan], [8.0, np.nan], [6.5, np.nan]])


def test_never_counts_as_worse_than_any_value():
    assert never_when_missing("time_to_50_years") and not never_when_missing("pilot_to_scale_rate")
    r = regret(NEVER, "lower")
    assert np.isnan(r[1, 1])  # without the rule the world has no regret for gamble
    table, _ = regret_table({"t": NEVER}, {"t": "lower"}, np.ones(4), ["steady", "gamble"], resamples=20, never={"t"})
    t = table.set_index("portfolio")
    assert t.loc["steady", "rank_max_regret"] == 1 and np.isinf(t.loc["gamble", "max_regret"])
    assert t.loc["gamble", "share_best"] == 0.25 and t.loc["steady", "share_best"] == 0.75  # they add up to 1
    assert t.loc["gamble", "worlds_never"] == 3 and t.loc["gamble", "worlds_no_gain"] == 0
    pair = pairwise_table({"t": NEVER}, {"t": "lower"}, np.ones(4), ["steady", "gamble"], never={"t"})
    assert pair.set_index("a").loc["steady", "share_a_better"] == 0.75
    _, stability = rank_tables({"t": NEVER}, {"t": "lower"}, np.ones(4), ["steady", "gamble"], never={"t"})
    assert stability.worlds.iloc[0] == 4 and stability.most_often_best.iloc[0] == "steady"
    # every portfolio never reaching it in a world: a tie, no regret
    both = regret(np.array([[np.inf, np.inf], [1.0, np.inf]]), "lower")
    assert both.tolist() == [[0.0, 0.0], [0.0, np.inf]]


def test_a_missing_value_without_a_meaning_is_left_out_and_said():
    notes = missing_notes({"t": NEVER}, {"t": "lower"}, ["steady", "gamble"])
    assert notes[0] == ("t: gamble has no value (NaN) in 3 of 4 worlds; its regret and 'best in' are computed over "
                        "the other 1 worlds only")
    assert "ranks and ranking stability use the 1 of 4 worlds" in notes[1]
    table, _ = regret_table({"t": NEVER}, {"t": "lower"}, np.ones(4), ["steady", "gamble"], resamples=20)
    assert table.set_index("portfolio").loc["steady", "share_best"] == 0.75  # world 0: gamble is best
    said = missing_notes({"t": NEVER}, {"t": "lower"}, ["steady", "gamble"], never={"t"})
    assert said == ["t: gamble has no value in 3 of 4 worlds (never reached within the horizon); regret, ranks and "
                    "'A beats B' count those worlds as worse than any value"]


def _ties_experiment(**changes) -> dict:
    tied = {"name": "twin", "constants": {"level": 0.0, "slope": 1.0, "spend": 10.0}}
    exp = toy_experiment(**changes)
    exp["portfolios"] = exp["portfolios"] + [tied]
    return exp


def test_end_to_end_ties_are_named_in_the_summary_and_printout(tmp_path):
    result = run_experiment(write(tmp_path, _ties_experiment()), tmp_path / "out", workers=1, progress=False,
                            charts=False)
    ranks = pd.read_csv(tmp_path / "out" / "ranks.csv")
    assert np.allclose(ranks.filter(like="rank_").sum(axis=1), 1.0)
    stability = pd.read_csv(tmp_path / "out" / "ranking_stability.csv")
    # LHS: rising (and its twin) is best for u > 1/2, falling for u < 1/2 -- in exactly half the worlds each
    assert stability.most_often_best.iloc[0] == "rising, falling, twin" and stability.share_best.iloc[0] == pytest.approx(0.5)
    lines = findings(result)
    assert lines[0] == "minimax regret on score: flat"
    assert lines[1].startswith("most often good enough: rising, falling and twin (tied), 40% of worlds")
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "| score | " in summary and "rising, falling, twin" in summary


def test_the_baselines_missing_cost_is_not_a_warning():
    from model.robust.schema import COST

    cost = np.array([[np.nan, 2.0, 3.0], [np.nan, 1.0, np.nan]])
    notes = missing_notes({COST: cost}, {COST: "lower"}, ABC)
    assert notes == [f"{COST}: C has no value (NaN) in 1 of 2 worlds; its regret and 'best in' are computed over "
                     "the other 1 worlds only",
                     f"{COST}: ranks and ranking stability use the 1 of 2 worlds in which every portfolio has a value"]
