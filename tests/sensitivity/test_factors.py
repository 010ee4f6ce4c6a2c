"""Factors resolved (model.sensitivity.factors and .plan): paths, bounds, distributions and labels are
checked before anything runs; Morris never samples the infinite ends of an unbounded distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.errors import InputError
from model.sensitivity import load_experiment
from model.sensitivity.factors import ResolvedFactor, check_sampled

from .common import FUNCS, ROOT, assert_refused, function_exp, scenario_exp, write

CASES = {
    "factor path not in the scenario": (
        scenario_exp(factors=["parameters.p_externl", "parameters.pilot_start_rate"]),
        ["factors[0].path", "'parameters.p_externl' does not exist", "did you mean 'p_external'?",
         "baseline.yaml"]),
    "innovation that is not in the scenario": (
        scenario_exp(factors=[{"path": "innovations.ai_casewrk.complexity", "bounds": [0.1, 0.9]},
                              "parameters.p_external"]),
        ["factors[0].path", "no item 'ai_casewrk'", "did you mean 'ai_casework'?", "items: digital_home_care"]),
    "a switch is not a number": (
        scenario_exp(factors=[{"path": "world.networks.neighbours", "bounds": [0, 1]}, "parameters.p_external"]),
        ["factors[0].path", "yes/no switch"]),
    "bounds low >= high": (
        scenario_exp(factors=[{"path": "parameters.p_external", "bounds": [0.3, 0.1]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].bounds", "low (0.3) must be below high (0.1)"]),
    "bounds beyond the parameter's range": (
        scenario_exp(factors=[{"path": "parameters.p_external", "bounds": [0.0, 0.8]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].bounds", "beyond what the model allows (0 to 0.5"]),
    "bounds beyond an innovation field's range": (
        scenario_exp(factors=[{"path": "innovations.ai_casework.complexity", "bounds": [0.5, 1.5]},
                              "parameters.p_external"]),
        ["factors[0].bounds", "does not allow 1.5", "complexity"]),
    "bounds required off the parameter table": (
        scenario_exp(factors=["innovations.ai_casework.complexity", "parameters.p_external"]),
        ["factors[0].bounds", "required", "give bounds: [low, high]"]),
    "wrong number of bounds for a distribution": (
        scenario_exp(factors=[{"path": "parameters.p_external", "dist": "triang", "bounds": [0, 0.1]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].bounds", "'triang' takes 3 numbers"]),
    "unbounded distribution leaves the allowed range": (
        scenario_exp(factors=[{"path": "parameters.p_external", "dist": "norm", "bounds": [0.02, 0.05]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].bounds", "sampled values", "truncnorm"]),
    "a single factor": (
        scenario_exp(factors=["parameters.p_external"]),
        ["at least two factors"]),
    "a wildcard with bounds": (
        scenario_exp(factors=[{"path": "parameters.*", "bounds": [0, 1]}]),
        ["factors[0].bounds", "'parameters.*' takes every parameter"]),
    "function module missing": (
        function_exp(model="no_such_module_xyz:f"),
        ["model: cannot import module 'no_such_module_xyz'"]),
    "function missing in module": (
        function_exp(model=f"{FUNCS}:ishigam"),
        ["has no function 'ishigam'", "did you mean 'ishigami'?"]),
    "function factor without bounds": (
        function_exp(factors=["x1", "x2", "x3"]),
        ["factors[0].bounds: required with 'model'"]),
    "a function factor whose path, its default label, is a column of the run files": (
        function_exp(factors=[{"path": "x1", "bounds": [-3, 3]}, {"path": "run", "bounds": [0, 1]}]),
        ["factors[1].name: the label 'run' is reserved", "choose another name"]),
    "a group named like a factor without a group": (
        function_exp(factors=[{"path": "x1", "bounds": [-3, 3], "group": "x3"}, {"path": "x2", "bounds": [-3, 3]},
                              {"path": "x3", "bounds": [-3, 3]}]),
        ["factors[2]: the factor 'x3' has no group, but a group of other factors is called 'x3'"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_factor_gives_a_clear_error(tmp_path, capsys, case):
    data, expected = CASES[case]
    assert_refused(tmp_path, capsys, data, *expected)


# --- Morris samples the ends of the unit interval --------------------------------------------------------
@pytest.mark.parametrize("dist, bounds, ends, instead", [
    ("norm", [0.05, 0.01], "'norm' has no bounds, and Morris samples the ends of the range (levels 0 and 1), "
                           "where it is -inf/+inf", "use 'truncnorm' [low, high, mean, sd]"),
    ("lognorm", [-3.0, 0.5], "'lognorm' has no upper bound, and Morris samples the ends of the range (levels 0 "
                             "and 1), where it is 0/+inf", "'logunif' [low, high]"),
])
def test_morris_refuses_a_distribution_without_bounds(tmp_path, capsys, dist, bounds, ends, instead):
    data = scenario_exp(method="morris", factors=[
        "parameters.pilot_start_rate", {"path": "parameters.p_external", "dist": dist, "bounds": bounds}])
    assert_refused(tmp_path, capsys, data, "factors[1].dist: ", ends, instead)


def test_morris_refuses_an_unbounded_function_factor_too(tmp_path, capsys):
    data = function_exp(method="morris", N=4, factors=[
        {"path": "x1", "bounds": [0, 1]}, {"path": "x2", "bounds": [0, 1]},
        {"path": "x3", "dist": "norm", "bounds": [0, 1]}])
    assert_refused(tmp_path, capsys, data, "factors[2].dist: 'norm' has no bounds")


def test_morris_accepts_bounded_distributions(tmp_path):
    data = function_exp(method="morris", N=4, factors=[
        {"path": "x1", "dist": "truncnorm", "bounds": [-3, 3, 0, 1]}, {"path": "x2", "dist": "logunif",
                                                                      "bounds": [0.1, 3]},
        {"path": "x3", "dist": "triang", "bounds": [-3, 3, 0.5]}])
    plan = load_experiment(write(tmp_path, data))
    X, _ = plan.sample()
    assert np.isfinite(X).all()


def test_sobol_with_norm_samples_finite_values(tmp_path):
    """Sobol' sequences (scrambled or skipped as SALib draws them) stay inside (0, 1): finite draws."""
    for sampler in ("sobol", "saltelli"):
        data = function_exp(sampler=sampler, factors=[
            {"path": "x1", "dist": "norm", "bounds": [0, 1]}, {"path": "x2", "dist": "lognorm", "bounds": [0, 1]},
            {"path": "x3", "bounds": [0, 1]}])
        plan = load_experiment(write(tmp_path, data))
        X, _ = plan.sample()
        assert np.isfinite(X).all()


def test_an_infinite_draw_is_refused_before_a_run():
    """Should a sampler ever reach an end of the unit interval, the infinite value never reaches a run."""
    factors = [ResolvedFactor("a", "a", "unif", [0.0, 1.0], None, False, None, 0),
               ResolvedFactor("b", "b", "norm", [0.0, 1.0], None, False, None, 1)]
    values = np.array([[0.5, 0.1], [0.2, -math.inf]])
    with pytest.raises(InputError, match=r"exp.yaml: factors\[1\].dist: 'norm' \[0.0, 1.0\] drew -inf at sample "
                                         r"point 1 .* use 'truncnorm'"):
        check_sampled(factors, values, "exp.yaml", None)


# --- labels ---------------------------------------------------------------------------------------------------
def test_a_factor_path_like_a_column_is_fine_under_another_label(tmp_path):
    data = function_exp(model=f"{FUNCS}:linear", constants={"a": [1.0, 2.0]},
                        factors=[{"path": "x1", "bounds": [0, 1], "name": "point_a"},
                                 {"path": "x2", "bounds": [0, 1], "name": "b"}])
    plan = load_experiment(write(tmp_path, data))
    assert [f.name for f in plan.factors] == ["point_a", "b"] and plan.labels == ["point_a", "b"]


def test_shipped_experiments_are_valid():
    for name in ("morris_screening.yaml", "sobol_main.yaml"):
        plan = load_experiment(ROOT / "experiments" / name, probe=False)
        assert len(plan.factors) >= 2 and plan.replications >= 1
    from model.parameters import PARAMETERS

    morris = load_experiment(ROOT / "experiments" / "morris_screening.yaml", probe=False)
    assert {f.name for f in morris.factors} >= {p.name for p in PARAMETERS}
