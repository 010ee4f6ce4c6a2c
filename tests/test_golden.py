"""The code reproduces the recorded golden outputs (tests/golden/record.py says what is recorded and how to
regenerate it: ``make golden``; tests/golden/compare.py how closely: integers exactly, floats to a few ulp).
A failure lists what changed: scenario, table, column, row, both values and the difference."""

import numpy as np
import pandas as pd
import pytest

from tests.golden import compare
from tests.golden import record as golden

RECORDED, TABLES = golden.load()


def _recorded(table: str, scenario: str) -> pd.DataFrame:
    """The scenario's rows and columns of a recorded table."""
    frame = TABLES[table]
    columns = RECORDED["scenarios"][scenario]["columns"][table]
    return frame.loc[frame["scenario"] == scenario, columns].reset_index(drop=True)


def _check(problems: list[str]) -> None:
    if problems:
        pytest.fail("differs from the golden record (if on purpose: make golden, and say why in the commit):\n  "
                    + "\n  ".join(problems), pytrace=False)


@pytest.mark.parametrize("name", sorted(RECORDED["scenarios"]))
def test_scenario_reproduces_golden_outputs(name):
    got = golden.run_scenario(golden.ROOT / "scenarios" / f"{name}.yaml")
    expected = RECORDED["scenarios"][name]
    problems = compare.compare_values(f"{name} summary", expected["summary"], got["summary"])
    problems += compare.compare_frames(f"{name} spend", golden.json_table(expected["spend"]),
                                       golden.json_table(got["spend"]), golden.KEYS["spend"])
    for table in ("timeseries", "municipalities"):
        problems += compare.compare_frames(f"{name} {table}", _recorded(table, name),
                                           got[table].reset_index(drop=True), golden.KEYS[table])
    history = golden.stage_history(got["stages"], got["shape"])
    problems += compare.compare_stages(f"{name} stage history",
                                       golden.stage_history(_recorded("stages", name), expected["shape"]), history)
    _check(problems)


def test_every_shipped_scenario_has_a_golden_record():
    shipped = {p.stem for p in golden.shipped_scenarios()}
    assert shipped == set(RECORDED["scenarios"])
    for table in golden.TABLES:
        assert set(TABLES[table]["scenario"]) == shipped, table


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(golden.EXPERIMENTS))
def test_sensitivity_indices_reproduce_golden_outputs(kind):
    expected = golden.json_table(RECORDED["experiments"][kind]["indices"])
    _check(compare.compare_frames(f"{kind} indices.csv", expected, golden.run_experiment(kind), golden.KEYS["indices"]))


def test_stage_histories_are_recorded_as_changes_that_rebuild_them():
    rng = np.random.default_rng(0)
    history = np.cumsum(rng.random((9, 5, 3)) < 0.2, axis=0).astype(np.int8) % 6
    changes = golden.stage_changes(history)
    assert len(changes) < history.size
    np.testing.assert_array_equal(golden.stage_history(changes, history.shape), history)


def test_floats_match_within_a_few_ulp_and_differences_are_reported_with_both_values():
    x = 0.1 + 0.2
    assert compare.close(x, np.nextafter(x, 1))
    assert compare.close(np.nan, np.nan)
    assert compare.close(0.0, 0.0)
    assert not compare.close(x, x * (1 + 1e-9))
    assert not compare.close(0.0, 1e-300)  # near zero the relative tolerance is what holds
    [problem] = compare.compare_values("baseline summary", {"gini": x}, {"gini": x * (1 + 1e-9)})
    assert problem.startswith("baseline summary: gini: recorded 0.30000000000000004, now 0.300000000")
    assert "difference +3e-10" in problem
    frame = pd.DataFrame({"step": [0, 1, 2], "innovation": ["a", "a", "a"], "share": [0.5, 0.25, 0.125]})
    changed = frame.assign(share=[0.5, 0.25, 0.126])
    [problem] = compare.compare_frames("baseline timeseries", frame, changed, ["step", "innovation"])
    assert problem.startswith("baseline timeseries: share at step=2, innovation=a: recorded 0.125, now 0.126")
    stages = np.zeros((3, 2, 1), dtype=np.int8)
    moved = stages.copy()
    moved[2, 1, 0] = 3
    problems = compare.compare_stages("baseline stage history", stages, moved)
    assert "quarter 2, organisation 1, innovation 0: recorded unaware, now adopted" in problems[1]
