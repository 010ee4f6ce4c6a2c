"""`spridning compare` streams each scenario's runs to its folder, computes the comparison from the files,
and continues an interrupted comparison from its hidden staging folder (issue 23, point 3)."""

import json
import os
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pandas as pd
import pytest
import yaml

import model.batch
import model.compare
from model.cli import main
from model.compare import staging_folder

ROOT = Path(__file__).resolve().parents[2]
SPRIDNING = [str(Path(sys.executable).with_name("spridning"))]
#: the outputs that must not depend on how the comparison got there
TABLES = ("comparison.csv", "cost_effectiveness.csv", "differences_by_group.csv", "comparison_wide.csv")


def scenario_file(tmp_path, name, horizon=2, levers=()):
    data = yaml.safe_load((ROOT / "scenarios/baseline.yaml").read_text(encoding="utf-8"))
    data.update(name=name, horizon_years=horizon, levers=list(levers))
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    grants = [{"type": "change_teams", "budget_msek_per_year": 200}]
    return [scenario_file(tmp_path, "base"), scenario_file(tmp_path, "teams", levers=grants),
            scenario_file(tmp_path, "same")]


@pytest.fixture(autouse=True)
def sigint_restored():
    """The command line ignores a second Ctrl-C after the first; give the test process its handler back."""
    handler = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, handler)


def compare_args(files, out, reps=3):
    # --point: the interruptions below patch the point-value stream (the posterior's is tested at the end)
    return ["compare", files[1], files[2], "--baseline", files[0], "--reps", str(reps), "--workers", "1",
            "--quiet", "--no-report", "--out", str(out), "--point"]


def same_tables(a, b):
    for name in TABLES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


class Interrupt:
    """Counts the scenarios streamed; raises KeyboardInterrupt when scenario ``at`` starts."""

    def __init__(self, monkeypatch, at=None):
        self.labels, self.at = [], at
        real = model.batch.stream_replications

        def stream(scenario, tmp, *args, label=None, **kwargs):
            self.labels.append(label)
            if label == self.at:
                raise KeyboardInterrupt
            return real(scenario, tmp, *args, label=label, **kwargs)

        monkeypatch.setattr(model.compare, "stream_replications", stream)


@pytest.mark.slow
def test_an_interrupted_comparison_continues_where_it_stopped(files, tmp_path, monkeypatch, capsys):
    whole = tmp_path / "whole"
    assert main(compare_args(files, whole)) == 0
    assert not staging_folder(whole).exists()  # published: no staging, no progress record left
    assert not (whole / "progress.json").exists()
    out = tmp_path / "cmp"
    first = Interrupt(monkeypatch, at="same")
    assert main(compare_args(files, out)) == 130
    err = capsys.readouterr().err
    staging = staging_folder(out)
    assert f"{staging}: 2 of 3 scenario(s) finished and kept there; to continue, run the same command again " \
           f"with --out {out}" in err
    assert not out.exists()  # nothing that looks like a finished comparison
    assert sorted(json.loads((staging / "progress.json").read_text())["scenarios"]) == ["base", "teams"]
    # the rerun runs only what had not finished and gives the uninterrupted comparison
    again = Interrupt(monkeypatch)
    assert main(compare_args(files, out)) == 0
    assert first.labels == ["base", "teams", "same"] and again.labels == ["same"]
    assert f"{staging}: continuing an interrupted comparison; already finished: base, teams" in capsys.readouterr().err
    same_tables(out, whole)
    assert not staging.exists()


@pytest.mark.slow
def test_a_finished_scenario_is_reused_only_if_it_is_what_this_comparison_runs(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "cmp"
    Interrupt(monkeypatch, at="same")
    assert main(compare_args(files, out)) == 130
    staging = staging_folder(out)
    replications = staging / "teams" / "replications.csv"
    replications.write_text(replications.read_text().replace("0.", "1.", 1))  # one digit changed
    capsys.readouterr()
    run = Interrupt(monkeypatch, at="same")
    assert main(compare_args(files, out)) == 130
    assert f"{staging}: teams: a file of its folder is missing or changed since it ran; it runs again" \
           in capsys.readouterr().err
    assert run.labels == ["teams", "same"]
    # other replications: no finished scenario matches, all run again
    run = Interrupt(monkeypatch)
    assert main(compare_args(files, out, reps=2)) == 0
    assert "base: its scenario, seed or replications changed since it ran; it runs again" in capsys.readouterr().err
    assert run.labels == ["base", "teams", "same"]
    assert len(pd.read_csv(out / "base" / "replications.csv")) == 2


def test_a_staging_folder_the_tool_did_not_make_is_refused_and_kept(files, tmp_path, capsys):
    out = tmp_path / "cmp"
    foreign = staging_folder(out)
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(compare_args(files, out)) == 2
    assert f"{foreign}: exists but is not an unfinished comparison of this tool (no valid progress.json); move " \
           "it away or remove it, then run the comparison again" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text() == "mine"


@pytest.mark.slow
def test_runs_are_streamed_and_the_comparison_is_computed_from_the_files(files, tmp_path, monkeypatch):
    most = alive_outcomes(monkeypatch)
    out = tmp_path / "cmp"
    assert main(compare_args(files, out, reps=6)) == 0
    # 18 runs, never more than the one being written (and the one before, until it is collected) in memory
    assert len(most) == 18 and max(most) <= 2
    # the tables come from the folders' files alone: recomputed from a copy without the runs' time series,
    # they are the same to the byte
    copy = tmp_path / "copy"
    for sub in ("base", "teams", "same"):
        (copy / sub).mkdir(parents=True)
        for f in (out / sub).iterdir():
            if f.name != "timeseries.parquet":
                (copy / sub / f.name).write_bytes(f.read_bytes())
    model.compare.write_comparison_outputs(copy, ["base", "teams", "same"], "base")
    same_tables(copy, out)


@pytest.mark.slow
def test_a_killed_comparison_resumes_to_the_uninterrupted_result(files, tmp_path):
    out, whole = tmp_path / "cmp", tmp_path / "whole"
    assert main(compare_args(files, whole, reps=4)) == 0
    proc = subprocess.Popen(SPRIDNING + compare_args(files, out, reps=4), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    progress = staging_folder(out) / "progress.json"
    try:
        while proc.poll() is None:  # wait for the first scenario to be recorded finished, then kill
            try:
                if json.loads(progress.read_text())["scenarios"]:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.02)
        assert proc.poll() is None, "the comparison finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert not out.exists()
    done = subprocess.run(SPRIDNING + compare_args(files, out, reps=4), cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "continuing an interrupted comparison; already finished: base" in done.stderr
    same_tables(out, whole)
    assert not staging_folder(out).exists()


def alive_outcomes(monkeypatch):
    """Patch :func:`model.batch.folder_parts` to note, at each run, how many runs' outcomes are alive."""
    alive, most = {}, []  # the runs' outcomes not yet collected, by id
    real = model.batch.folder_parts

    def parts(outcome, replication):
        alive[id(outcome)] = weakref.ref(outcome, lambda _, key=id(outcome): alive.pop(key, None))
        most.append(len(alive))
        return real(outcome, replication)

    monkeypatch.setattr(model.batch, "folder_parts", parts)
    return most


@pytest.mark.slow
def test_a_comparison_over_a_posterior_ensemble_is_streamed_too(files, tmp_path, monkeypatch):
    ensemble = tmp_path / "ensemble.yaml"
    ensemble.write_text("replications: 1\ndraws:\n  - {parameters.p_external: 0.03}\n"
                        "  - {parameters.p_external: 0.08}\n", encoding="utf-8")
    most = alive_outcomes(monkeypatch)
    out = tmp_path / "cmp"
    assert main(["compare", files[2], "--baseline", files[0], "--ensemble", str(ensemble), "--reps", "2",
                 "--workers", "1", "--quiet", "--no-report", "--out", str(out)]) == 0
    assert len(most) == 8 and max(most) <= 2  # 2 scenarios x 2 draws x 2 replications, one at a time
    runs = pd.read_csv(out / "same" / "replications.csv")
    assert runs[["replication", "draw", "draw_replication"]].values.tolist() == [[0, 0, 0], [1, 0, 1], [2, 1, 0],
                                                                                 [3, 1, 1]]
    assert json.loads((out / "same" / "ensemble.json").read_text())["replications_per_draw"] == 2
    table = pd.read_csv(out / "comparison.csv").set_index(["scenario", "outcome"])
    assert table.loc[("same", "final_adoption"), "diff_vs_baseline"] == 0
