"""The outcome catalogue is the one home of scalar outcomes: a run reports exactly its names, and the
summary, the comparison and the terminal read titles, units and directions from it."""

import math

import pytest

import model
from model.outcomes.catalogue import (
    BY_NAME, COMPARED, OUTCOMES, PER_INNOVATION, PRINTED, ScalarOutcome, is_outcome, outcome,
)


@pytest.fixture(scope="module")
def summary():
    scenario = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 2})
    return model.run(scenario, seed=3).summary


def test_a_run_reports_exactly_the_declared_outcomes(summary):
    plain = {k for k in summary if not k.startswith(PER_INNOVATION)}
    assert plain == {o.name for o in OUTCOMES}
    per_innovation = [k for k in summary if k.startswith(PER_INNOVATION)]
    assert per_innovation and all(is_outcome(k) for k in per_innovation)
    assert outcome(per_innovation[0]).format == "percent"


def test_every_outcome_is_fully_declared():
    for o in OUTCOMES:
        assert o.title and o.unit, o.name
        assert o.better in ("higher", "lower", None)
    assert set(PRINTED) <= set(COMPARED) <= set(BY_NAME)
    with pytest.raises(KeyError):
        outcome("final_adoptoin")


def test_values_print_in_their_format():
    share = BY_NAME["final_adoption"]
    assert share.show(0.2113) == "21.1 %"
    assert BY_NAME["gap_small_large"].show(-0.0123, signed=True) == "-1.2 pp"
    assert BY_NAME["gap_small_large"].show(0.0123, signed=True) == "+1.2 pp"
    assert BY_NAME["spend_msek"].show(1234.5) == "1,234 MSEK" or BY_NAME["spend_msek"].show(1234.5) == "1,235 MSEK"
    assert share.show(math.nan) == "n/a"


def test_better_follows_the_declared_direction():
    assert BY_NAME["final_adoption"].is_better(0.3, 0.2) is True
    assert BY_NAME["gap_small_large"].is_better(0.3, 0.2) is False
    assert ScalarOutcome("x", "X", "u", "number", "cost").is_better(1, 2) is None


def test_the_comparison_reports_the_catalogue_outcomes():
    from model.batch import run_scenario
    from model.compare import comparison_table

    scenario = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 1})
    runs = {"a": run_scenario(scenario, 2, 1, 1, progress=False), "b": run_scenario(scenario, 2, 1, 1, progress=False)}
    table = comparison_table(runs, "a")
    assert set(table.outcome) == set(COMPARED) | {"cost_per_extra_adoption_msek"}


def test_the_run_command_prints_the_catalogue_outcomes(tmp_path, capsys):
    from model.cli import main

    assert main(["run", "scenarios/baseline.yaml", "--reps", "2", "--workers", "1", "--quiet",
                 "--set", "horizon_years=1", "--out", str(tmp_path / "r")]) == 0
    printed = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    assert printed == list(PRINTED)
