"""The experiment schema (model.sensitivity.schema): bad files give one clear message naming the file, the
field and what is allowed; exit status 2; never a traceback; names users choose never collide with the
run files' columns or with each other's result files."""

from __future__ import annotations

import pytest
import yaml

from model.cli import main
from model.errors import InputError
from model.sensitivity import load_experiment

from .common import FUNCS, assert_refused, function_exp, run_cli, scenario_exp

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
    "unknown distribution": (
        scenario_exp(factors=[{"path": "parameters.p_external", "dist": "uniform", "bounds": [0, 0.1]},
                              "parameters.pilot_start_rate"]),
        ["factors[0].dist", "'uniform' is not allowed", "'unif'"]),
    "outcomes missing": (
        scenario_exp(outcomes=None),
        ["outcomes: required field is missing"]),
    "scenario and model both given": (
        scenario_exp(model=f"{FUNCS}:ishigami"),
        ["give either 'scenario'", "or 'model'"]),
    "option of the other method": (
        scenario_exp(levels=4),
        ["'levels' applies to method 'morris' only"]),
    "N too small": (
        scenario_exp(N=1),
        ["N: input should be greater than or equal to 2"]),
    "a factor named like a column of the run files": (
        function_exp(factors=[{"path": "x1", "bounds": [-3, 3], "name": "point"},
                              {"path": "x2", "bounds": [-3, 3]}, {"path": "x3", "bounds": [-3, 3]}]),
        ["factors[0].name: 'point' is reserved", "run, point, replication", "choose another name"]),
    "an outcome named like a column of the run files": (
        function_exp(outcomes=["y", "replication"]),
        ["outcomes[1].name: 'replication' is reserved", "run, point, replication"]),
    "an outcome listed twice": (
        function_exp(outcomes=["y", "y"]),
        ["outcomes: listed twice: y"]),
    "two outcomes that differ only in case write one file": (
        function_exp(outcomes=["y", "Y"]),
        ["outcomes[1]: 'Y' would write indices/Y.csv, which outcomes[0] 'y' writes too"]),
    "an outcome named like another's second-order file": (
        function_exp(outcomes=["y", "y_S2"], second_order=True),
        ["outcomes[1]: 'y_S2' would write indices/y_S2.csv", "outcomes[0] 'y'"]),
    "fill_nan must be finite": (
        function_exp(outcomes=[{"name": "y", "fill_nan": float("inf")}]),
        ["outcomes[0].fill_nan: must be a finite number"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_experiment_gives_a_clear_error(tmp_path, capsys, case):
    data, expected = CASES[case]
    assert_refused(tmp_path, capsys, data, *expected)


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


def test_load_experiment_raises_input_error(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(scenario_exp(method="fast")), encoding="utf-8")
    with pytest.raises(InputError, match="'fast' is not allowed"):
        load_experiment(path)
