"""The memo's first lines say how much money was unplaced and why, per portfolio (lever_usage.csv)."""

from __future__ import annotations

import pandas as pd

from model.report.memo import unplaced_lines


def _usage(lever: str, budget: float, capacity: float, no_taker: float, reps: int = 2) -> pd.DataFrame:
    rows = [dict(lever=lever, year=y, replication=r, budget_msek=budget / 5, unplaced_capacity_msek=capacity / 5,
                 unplaced_no_taker_msek=no_taker / 5 + (r - 0.5)) for y in range(2026, 2031) for r in range(reps)]
    return pd.DataFrame(rows)


def test_unplaced_money_is_stated_per_portfolio_with_its_reason_and_lever():
    usage = {"baseline": None, "teams": _usage("change_teams", 300, 0, 235),
             "mixed": pd.concat([_usage("peer_review", 100, 40, 0), _usage("networks", 50, 0, 0)]),
             "full": _usage("networks", 50, 0, 0)}
    lines = unplaced_lines(usage, {"teams": "Change teams in Norrland"})
    assert lines[1] == "**Money that could not be placed** (mean per replication, lever_usage.csv):"
    assert "- **Change teams in Norrland**: 235 of 300 MSEK unplaced: 235 found no taker (change_teams: 235)" in lines
    assert "- **mixed**: 40.00 of 150 MSEK unplaced: 40.00 beyond the operator's capacity (peer_review: 40.00)" in lines
    assert "- **full**: all 50.00 MSEK placed" in lines
    sv = unplaced_lines(usage, lang="sv")
    assert "- **teams**: 235 av 300 mnkr oplacerade: 235 fann ingen mottagare (change_teams: 235)" in sv


def test_nothing_is_said_when_all_money_was_placed():
    assert unplaced_lines({"full": _usage("networks", 50, 0, 0), "old": pd.DataFrame({"lever": ["x"]})}) == []
