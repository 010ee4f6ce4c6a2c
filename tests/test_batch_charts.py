"""Charts or the report failing after the replications ran (a broken plotting library or setting, a full
disk): the folder is completed with every replication's files and its manifest, one line says the charts
could not be drawn and why, and `spridning report` can draw them later."""

import json

import pandas as pd
import pytest

import model
from model import batch

SHORT = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 1})


def _broken(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("broken", ["model.charts.scenario.folder_charts", "model.report.build.write_report"])
def test_a_chart_failure_after_the_runs_keeps_the_runs_and_says_so(tmp_path, capsys, monkeypatch, broken):
    monkeypatch.setattr(broken, _broken)
    out = tmp_path / "run"
    results, folder = batch.run_to_folder(SHORT, out, replications=2, seed=4, workers=1, progress=False)
    assert folder == out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["replications"] == 2
    assert pd.read_parquet(out / "timeseries.parquet")["replication"].nunique() == 2
    assert len(pd.read_csv(out / "replications.csv")) == 2 and (out / "summary.csv").exists()
    assert not (out / "report.html").exists()
    err = capsys.readouterr().err.splitlines()
    assert err == [f"charts could not be drawn (OSError: [Errno 28] No space left on device); the replications' "
                   f"files are written: draw the charts and report later with `spridning report {out}`"]


def test_a_worker_s_failure_is_said_by_its_last_line_not_its_traceback(capsys):
    def draw():
        raise RuntimeError("a worker process failed:\nTraceback (most recent call last):\n  File \"x\"\n"
                           "ValueError: Key backend: 'x' is not a valid value\n")

    assert batch._drawn(draw, None) is False
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("charts could not be drawn (RuntimeError: ValueError: Key backend: 'x' is not")
    assert "Traceback" not in line and line.endswith("`spridning report FOLDER`")
