"""`spridning run`: a results folder with every promised file, a reproducible manifest, atomic writes."""

import json
import os

import pandas as pd
import pytest

import model
from model import results
from model.cli import main


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "baseline"
    # --point: every replication at the scenario's values, so the manifest's resolved scenario reproduces them
    # (over the posterior, the default, each run's draw is in the manifest: tests/calibrate/test_defaults.py)
    assert main(["run", "scenarios/baseline.yaml", "--reps", "6", "--seed", "7", "--workers", "2",
                 "--out", str(out), "--quiet", "--point"]) == 0
    return out


def test_the_folder_has_every_output(run_folder):
    for name in ("timeseries.parquet", "municipalities.parquet", "summary.csv", "replications.csv",
                 "spend.csv", "manifest.json", "charts/diffusion.png"):
        assert (run_folder / name).stat().st_size > 0, name
    ts = pd.read_parquet(run_folder / "timeseries.parquet")
    assert set(ts["group_type"]) == {"overall", "kind", "size_band", "skr_group", "region"}
    assert set(ts["replication"]) == set(range(6)) and ts["step"].max() == 40
    assert {"adoption_share", "adoption_share_pop", "pilots_started"} <= set(ts.columns)
    munis = pd.read_parquet(run_folder / "municipalities.parquet")
    assert len(munis) == 6 * 290 and munis["code"].str.len().eq(4).all()
    assert not list(run_folder.glob(".*.tmp"))


def test_summary_gives_mean_and_intervals(run_folder):
    summary = pd.read_csv(run_folder / "summary.csv").set_index("outcome")
    reps = pd.read_csv(run_folder / "replications.csv")
    row = summary.loc["final_adoption"]
    assert row["mean"] == pytest.approx(reps["final_adoption"].mean())
    assert row["ci95_low"] < row["mean"] < row["ci95_high"]
    assert row["n"] == 6


def test_manifest_reproduces_the_run(run_folder):
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["root_seed"] == 7 and manifest["replications"] == 6
    assert manifest["scenario_resolved"]["parameters"]["p_external"] == model.parameters.BY_NAME["p_external"].default
    assert manifest["versions"]["mesa"] and manifest["wall_seconds"] > 0
    scenario = model.parse_scenario(manifest["scenario_resolved"])
    again = model.replicate(scenario, replications=6, seed=manifest["root_seed"], workers=1)
    reps = pd.read_csv(run_folder / "replications.csv")
    assert reps["final_adoption"].tolist() == pytest.approx([o.summary["final_adoption"] for o in again])


def test_the_timeseries_agrees_with_the_summary(run_folder):
    ts = pd.read_parquet(run_folder / "timeseries.parquet")
    reps = pd.read_csv(run_folder / "replications.csv")
    last = ts[(ts.group_type == "overall") & (ts.innovation == "all") & (ts.step == 40)].sort_values("replication")
    assert last["adoption_share"].to_numpy() == pytest.approx(reps["final_adoption"].to_numpy())
    started = ts[(ts.group_type == "overall") & (ts.innovation == "all")].groupby("replication")["pilots_started"].sum()
    assert started.to_numpy() == pytest.approx(reps["pilots_started"].to_numpy())


def test_an_interrupted_write_leaves_no_half_written_file(tmp_path, monkeypatch):
    target = tmp_path / "table.parquet"
    frame = pd.DataFrame({"a": range(1000)})

    def interrupted(self, path, **kwargs):
        with open(path, "wb") as fh:
            fh.write(b"PAR1 half")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        results.write_parquet(frame, target)
    assert os.listdir(tmp_path) == []


def test_ctrl_c_during_a_run_exits_130_without_partial_files(tmp_path, monkeypatch, capsys):
    import model.batch

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(model.batch, "replicated", interrupted)
    out = tmp_path / "out"
    assert main(["run", "scenarios/baseline.yaml", "--out", str(out), "--quiet"]) == 130
    assert "interrupted" in capsys.readouterr().err
    assert not out.exists() or not any(out.rglob("*"))


def test_only_the_command_process_freezes_its_objects_for_a_quick_exit(monkeypatch):
    from model.cli import run

    for argv0, ends in (("/usr/bin/spridning", True), ("/work/model/__main__.py", True),
                        ("/venv/lib/pytest/__main__.py", False), ("script.py", False), ("", False)):
        monkeypatch.setattr("sys.argv", [argv0, "run"])
        assert run._ends_the_process() is ends, argv0
