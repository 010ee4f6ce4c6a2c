"""The reported input cases (their files copied into tests/sensitivity/cases/, as run.sh runs them from
the project root): each behaves as its expected.txt says."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from model.cli import main
from model.sensitivity import testfunctions as tf
from model.sensitivity.sweep import RUNS

from .common import CASES, ROOT


@pytest.fixture(autouse=True)
def from_the_project_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def cli(capsys, case: str, *args: str) -> tuple[int, str, str]:
    code = main(["sensitivity", str(CASES / case / "experiment.yaml"), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_07_morris_with_an_unbounded_distribution_is_refused_before_anything_runs(tmp_path, capsys):
    path = CASES / "07-morris-unbounded-dist" / "experiment.yaml"
    out = tmp_path / "sweep"
    for args in (("--check",), ("--out", str(out), "--workers", "1", "--quiet")):
        code, _, err = cli(capsys, "07-morris-unbounded-dist", *args)
        assert code == 2
        assert err.strip() == (
            f"{path}: factors[0].dist: 'norm' has no bounds, and Morris samples the ends of the range (levels 0 "
            "and 1), where it is -inf/+inf; use 'truncnorm' [low, high, mean, sd] (or 'unif' [low, high])")
        assert not out.exists()


def test_08_an_infinite_outcome_is_counted_not_called_constant(tmp_path, capsys):
    out = tmp_path / "sweep"
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        code, stdout, err = cli(capsys, "08-infinite-outcome", "--out", str(out), "--workers", "1", "--quiet")
    assert code == 0
    expected = ("out: 24 of 256 sample points gave an infinite value; no indices computed (bound the model's "
                "output or give a value for those runs, e.g. outcomes: [{name: out, fill_inf: <value>}])")
    assert err.strip() == f"warning: {expected}"  # and no numpy RuntimeWarning
    assert "out: no indices (see warnings)" in stdout
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["warnings"] == [expected]
    diag = manifest["outcomes"]["out"]
    assert diag["inf_points"] == 24 and diag["inf_runs"] == 24 and diag["nan_points"] == 0
    runs = pd.read_parquet(out / RUNS)
    assert int((runs["out"] == float("inf")).sum()) == 24


def test_11_a_function_gets_parameters_by_path_and_reports_labels(tmp_path, capsys):
    code, stdout, _ = cli(capsys, "11-function-factor-name", "--check")
    assert code == 0 and "ok" in stdout
    out = tmp_path / "sweep"
    code, stdout, _ = cli(capsys, "11-function-factor-name", "--out", str(out), "--workers", "1", "--quiet",
                          "--no-plots")
    assert code == 0
    table = pd.read_csv(out / "indices" / "y.csv").set_index("factor")
    assert table.index.tolist() == ["rainfall", "soil", "slope"]
    truth = tf.ishigami_indices()["S1"]
    for label, x in (("rainfall", "x1"), ("soil", "x2"), ("slope", "x3")):
        assert abs(table.loc[label, "S1"] - truth[x]) <= table.loc[label, "S1_conf"] + 0.1, (label, table)
