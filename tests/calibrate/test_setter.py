"""The fit's quick scenario setter makes exactly the scenarios ``with_overrides`` makes."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np

from model.calibrate.plan import load_calibration
from model.calibrate.setter import FastSimulator, ScenarioSetter
from model.calibrate.simulate import Simulator, overrides
from model.scenario import with_overrides

SHIPPED = Path(__file__).resolve().parents[2] / "calibrations" / "welfare_technology.yaml"


def test_the_setter_makes_with_overrides_scenarios_and_leaves_the_original_alone():
    plan = load_calibration(SHIPPED)  # parameters, a mandate's pressure and a crisis's relaxation (a mapping)
    before = copy.deepcopy(plan.scenario.model_dump())
    setter = ScenarioSetter(plan.scenario, plan.fitted)
    assert setter.fast
    rng = np.random.default_rng(8)
    for _ in range(25):
        changes = overrides(plan.fitted, {f.name: rng.uniform(f.low, f.high) for f in plan.fitted})
        ours, theirs = setter(changes), with_overrides(plan.scenario, changes, source="calibration")
        assert ours == theirs and ours.files == theirs.files
        assert ours.model_dump() == theirs.model_dump()
    assert plan.scenario.model_dump() == before


def test_the_fast_simulator_measures_what_the_simulator_measures(problem):
    plan = load_calibration(problem)
    values = {f.name: (f.low + f.high) / 3 for f in plan.fitted}
    measured = []
    for kind in (Simulator, FastSimulator):
        np.random.seed(5)
        measured.append(kind(plan.scenario, plan.fitted, plan.targets, 2)(values))
    assert measured[0] == measured[1]


def test_a_value_the_whole_scenario_refuses_at_a_prior_end_leaves_every_scenario_to_with_overrides(problem):
    plan = load_calibration(problem)
    wide = [replace(f, high=f.high * 1e9) for f in plan.fitted]  # beyond what the model allows
    assert not ScenarioSetter(plan.scenario, wide).fast
    assert ScenarioSetter(plan.scenario, plan.fitted).fast
