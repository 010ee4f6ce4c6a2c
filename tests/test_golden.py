"""The code reproduces the recorded golden outputs bit for bit (tests/golden/record.py says how and when
to regenerate them)."""

import json

import pytest

from tests.golden import record as golden

RECORDED = json.loads(golden.GOLDEN.read_text())


@pytest.mark.parametrize("name", sorted(RECORDED["scenarios"]))
def test_scenario_reproduces_golden_outputs(name):
    got = golden.scenario_record(golden.ROOT / "scenarios" / f"{name}.yaml")
    expected = RECORDED["scenarios"][name]
    assert got["summary"] == expected["summary"]
    for part in ("stage_history", "timeseries", "municipalities", "spend"):
        assert got[part] == expected[part], part


def test_every_shipped_scenario_has_a_golden_record():
    shipped = {p.stem for p in (golden.ROOT / "scenarios").glob("*.yaml")}
    assert shipped == set(RECORDED["scenarios"])


@pytest.mark.parametrize("kind", sorted(golden.EXPERIMENTS))
def test_sensitivity_indices_reproduce_golden_outputs(kind):
    assert golden.experiment_record(kind) == RECORDED["experiments"][kind]
