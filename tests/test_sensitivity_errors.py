"""Bad experiment files: one clear message naming the file, the field and what is allowed; exit status 2;
never a traceback."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from model.cli import main
from model.errors import InputError
from model.sensitivity import load_experiment

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
FUNCS = "model.sensitivity.testfunctions"


def scenario_exp(**changes) -> dict:
    exp = {
        "scenario": BASELINE,
        "overrides": {"horizon_years": 1},
        "factors": ["parameters.p_external", "parameters.pilot_start_rate"],
        "method": "sobol",
        "N": 4,
        "outcomes": ["final_adoption"],
    }
    exp.update(changes)
    return {k: v for k, v in exp.items() if v is not None}


def function_exp(**changes) -> dict:
    exp = {
        "model": f"{FUNCS}:ishigami",
        "factors": [{"path": f"x{i}", "bounds": [-math.pi, math.pi]} for i in (1, 2, 3)],
        "method": "sobol",
        "N": 8,
        "outcomes": ["y"],
    }
    exp.update(changes)
    return {k: v for k, v in exp.items() if v is not None}


def run_cli(tmp_path: Path, capsys, data=None, text: str | None = None, name: str = "bad.yaml",
            extra: tuple[str, ...] = ()) -> tuple[int, str, str]:
    path = tmp_path / name
    if text is None:
        text = yaml.safe_dump(data, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    code = main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--quiet", *extra])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err, str(path)


CASES = {
    "unknown key with suggestion": (
        scenario_exp(replicatons=2),
        ["replicatons", "unknown key 'replicatons' (did you mean 'replications'?)", "allowed keys:"]),
    "unknown key inside a factor": (
        scenario_exp(factors=[{"path": "parameters.p_external", "bound": [0, 0.1]}, "parameters.pilot_start_rate"]),
        ["factors[0]", "unknown key 'bound' (did you mean 'bounds'?)"]),
    "unknown method": (
        scenario_exp(method="sobl"),
        ["method", "'sobl' is not allowed (did you mean 'sobol'?)", "'morris'"]),
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
        scenario_exp(factors=[{"path": "parameters.p_external", "bounds": [0.0, 0.5]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].bounds", "beyond what the model allows (0 to 0.3"]),
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
    "unknown distribution": (
        scenario_exp(factors=[{"path": "parameters.p_external", "dist": "uniform", "bounds": [0, 0.1]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].dist", "'uniform' is not allowed", "'unif'"]),
    "unbounded distribution leaves the allowed range": (
        scenario_exp(factors=[{"path": "parameters.p_external", "dist": "norm", "bounds": [0.02, 0.05]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].bounds", "sampled values", "truncnorm"]),
    "unknown outcome": (
        scenario_exp(outcomes=["final_adoptoin"]),
        ["outcomes[0]", "unknown outcome 'final_adoptoin' (did you mean 'final_adoption'?)", "allowed:"]),
    "outcomes missing": (
        scenario_exp(outcomes=None),
        ["outcomes: required field is missing"]),
    "scenario file missing": (
        scenario_exp(scenario="nope.yaml"),
        ["scenario: file 'nope.yaml' not found"]),
    "scenario and model both given": (
        scenario_exp(model=f"{FUNCS}:ishigami"),
        ["give either 'scenario'", "or 'model'"]),
    "option of the other method": (
        scenario_exp(levels=4),
        ["'levels' applies to method 'morris' only"]),
    "a single factor": (
        scenario_exp(factors=["parameters.p_external"]),
        ["at least two factors"]),
    "a wildcard with bounds": (
        scenario_exp(factors=[{"path": "parameters.*", "bounds": [0, 1]}]),
        ["factors[0].bounds", "'parameters.*' takes every parameter"]),
    "N too small": (
        scenario_exp(N=1),
        ["N: input should be greater than or equal to 2"]),
    "function module missing": (
        function_exp(model="no_such_module_xyz:f"),
        ["model: cannot import module 'no_such_module_xyz'"]),
    "function missing in module": (
        function_exp(model=f"{FUNCS}:ishigam"),
        ["has no function 'ishigam'", "did you mean 'ishigami'?"]),
    "function factor without bounds": (
        function_exp(factors=["x1", "x2", "x3"]),
        ["factors[0].bounds: required with 'model'"]),
    "unknown output of a function": (
        function_exp(outcomes=["z"]),
        ["outcomes[0]: unknown outcome 'z'", "allowed: y"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_experiment_gives_a_clear_error(tmp_path, capsys, case):
    data, expected = CASES[case]
    code, err, path = run_cli(tmp_path, capsys, data)
    assert code == 2, err
    assert err.startswith(path), err
    for text in expected:
        assert text in err, (text, err)
    assert not (tmp_path / "out").exists()  # nothing ran


def test_missing_experiment_file(tmp_path, capsys):
    code = main(["sensitivity", str(tmp_path / "missing.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and "missing.yaml: file not found" in err


def test_invalid_yaml(tmp_path, capsys):
    code, err, path = run_cli(tmp_path, capsys, text="method: sobol\nfactors: [a, b\nN: 4\n")
    assert code == 2
    assert f"{path}: invalid YAML at line" in err


def test_empty_and_non_mapping_files(tmp_path, capsys):
    code, err, _ = run_cli(tmp_path, capsys, text="")
    assert code == 2 and "the file is empty" in err
    code, err, _ = run_cli(tmp_path, capsys, text="- a\n- b\n")
    assert code == 2 and "must be a mapping" in err


def test_all_problems_of_the_schema_are_reported_at_once(tmp_path, capsys):
    code, err, _ = run_cli(tmp_path, capsys, scenario_exp(method="sobl", N=0, replicatons=2))
    assert code == 2
    assert "method" in err and "N:" in err and "replicatons" in err


def test_check_shows_the_plan_without_running(tmp_path, capsys):
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(scenario_exp(N=5, replications=3)), encoding="utf-8")
    code = main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--check"])
    captured = capsys.readouterr()
    assert code == 0
    assert "20 sample points x 3 replications = 60 runs" in captured.out
    assert "p_external" in captured.out and "final_adoption" in captured.out
    assert "not a power of two" in captured.err and "N=8" in captured.err
    assert not (tmp_path / "out").exists()


def test_load_experiment_raises_input_error(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(scenario_exp(method="fast")), encoding="utf-8")
    with pytest.raises(InputError, match="'fast' is not allowed"):
        load_experiment(path)


def test_shipped_experiments_are_valid():
    for name in ("morris_screening.yaml", "sobol_main.yaml"):
        plan = load_experiment(ROOT / "experiments" / name, probe=False)
        assert len(plan.factors) >= 2 and plan.replications >= 1
    from model.parameters import PARAMETERS

    morris = load_experiment(ROOT / "experiments" / "morris_screening.yaml", probe=False)
    assert {f.name for f in morris.factors} >= {p.name for p in PARAMETERS}
