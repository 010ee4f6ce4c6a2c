"""The fit's runs stop at the last target's quarter: a run stopped at a quarter has the stage history of the
full run up to it, and the fit's simulator gives exactly the targets the full runs give."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import model
from model.calibrate.plan import load_calibration
from model.calibrate.scale import model_values
from model.calibrate.setter import FastSimulator
from model.calibrate.simulate import target_values
from model.runner import run_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["baseline", "portfolio_sustaingov", "lever_infrastructure",
                                  "history_welfare_technology"])
def test_a_run_stopped_at_a_quarter_has_the_full_runs_stage_history_up_to_it(name):
    scenario = model.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    full = run_model(scenario, seed=5).context.record
    for until in (0, 13, 37):
        stopped = run_model(scenario, seed=5, until=until)
        assert stopped.quarter == until and stopped.running  # not finished: nothing booked at the end
        np.testing.assert_array_equal(stopped.context.record.stage_history[:until + 1],
                                      full.stage_history[:until + 1])
        np.testing.assert_array_equal(stopped.context.record.tally[:until], full.tally[:until])
    assert not run_model(scenario, seed=5, until=10 ** 6).running  # past the horizon: the whole run


def test_the_fits_simulator_gives_the_targets_of_full_runs():
    plan = load_calibration(ROOT / "calibrations" / "welfare_technology.yaml")
    simulator = FastSimulator(plan.scenario, plan.fitted, plan.targets)
    assert max(t.step for t in plan.targets) < plan.scenario.steps  # it stops early: the test means something
    rng = np.random.default_rng(3)
    for candidate in range(3):
        sampled = {f.name: float(rng.normal()) for f in plan.fitted}
        np.random.seed(candidate)
        got = simulator(sampled)
        np.random.seed(candidate)
        root = int(np.random.randint(0, 2**62, dtype=np.int64))
        scenario = simulator.scenario_for(model_values(simulator.fitted, sampled))
        full = run_model(scenario, np.random.SeedSequence(root, spawn_key=(0,)))
        assert full.quarter == plan.scenario.steps
        assert got == target_values(full, plan.targets)
