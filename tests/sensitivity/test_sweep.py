"""Sweeps (model.sensitivity.sweep): chunks streamed to Parquet, resumed after a loss or a crash with
identical results, a changed experiment refused, runs independent of chunking and workers."""

from __future__ import annotations

import json
import math

import pandas as pd

from model.cli import main
from model.sensitivity import run_experiment
from model.sensitivity import testfunctions as tf
from model.sensitivity.sweep import RUNS

from .common import BASELINE, FUNCS, ishigami_experiment, write


def test_resume_after_lost_chunks_gives_identical_results(tmp_path):
    exp = write(tmp_path, ishigami_experiment(N=128, replications=2, chunk_size=50))
    full = run_experiment(exp, tmp_path / "full", workers=1, progress=False, plots=False)
    part = tmp_path / "part"
    run_experiment(exp, part, workers=1, progress=False, plots=False)
    parts = sorted((part / RUNS).glob("part-*.parquet"))
    assert len(parts) == math.ceil(128 * 5 * 2 / 50)
    for lost in parts[1:4] + parts[-1:]:  # as if the sweep had stopped before writing these
        lost.unlink()
    (part / RUNS / ".part-000009.parquet.abc.tmp").write_bytes(b"half-written")
    again = run_experiment(exp, part, workers=1, progress=False, plots=False)
    assert again.stats.runs_done_now == 3 * 50 + (128 * 5 * 2 - 50 * (len(parts) - 1))
    assert again.stats.runs_resumed == full.stats.n_runs - again.stats.runs_done_now
    assert not list((part / RUNS).glob(".*.tmp"))
    pd.testing.assert_frame_equal(again.indices("y"), full.indices("y"))
    pd.testing.assert_frame_equal(pd.read_parquet(part / RUNS), pd.read_parquet(tmp_path / "full" / RUNS))


def test_resume_after_a_crash_midway(tmp_path, capsys, monkeypatch):
    data = ishigami_experiment(N=64, chunk_size=40, model=f"{FUNCS}:flaky_ishigami")
    exp = write(tmp_path, data)
    reference = run_experiment(exp, tmp_path / "reference", workers=1, progress=False, plots=False)
    out = tmp_path / "out"
    tf.reset_calls()
    monkeypatch.setenv(tf.FAIL_AFTER_ENV, "130")
    code = main(["sensitivity", str(exp), "--out", str(out), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "simulated crash" in err and "run the same command to continue" in err
    assert "Traceback" not in err
    saved = list((out / RUNS).glob("part-*.parquet"))
    assert 0 < len(saved) < reference.stats.n_chunks
    monkeypatch.delenv(tf.FAIL_AFTER_ENV)
    assert main(["sensitivity", str(exp), "--out", str(out), "--workers", "1", "--quiet", "--no-plots"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["execution"]["runs_already_on_disk"] == 40 * len(saved)
    again = pd.read_csv(out / "indices" / "y.csv")
    pd.testing.assert_frame_equal(again, reference.indices("y"), check_exact=False, rtol=1e-12)


def test_a_changed_experiment_is_refused_not_mixed(tmp_path, capsys):
    exp_path = write(tmp_path, ishigami_experiment(N=64))
    out = tmp_path / "out"
    run_experiment(exp_path, out, workers=1, progress=False, plots=False)
    write(tmp_path, ishigami_experiment(N=128))
    code = main(["sensitivity", str(exp_path), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "holds the runs of a different experiment" in err and "N: 64 -> 128" in err
    assert "another --out" in err
    # analysis-only settings (outcomes, confidence, max_conf) do not change the runs: the sweep is reused
    write(tmp_path, ishigami_experiment(N=64, max_conf=0.5, confidence_level=0.9))
    again = run_experiment(exp_path, out, workers=1, progress=False, plots=False)
    assert again.stats.runs_done_now == 0
    # runs whose description is gone cannot be trusted
    (out / "experiment.json").unlink()
    assert main(["sensitivity", str(exp_path), "--out", str(out), "--quiet"]) == 2
    assert "experiment.json (which says what they are) is missing" in capsys.readouterr().err


def test_an_out_folder_that_cannot_be_created_is_an_input_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    exp = write(tmp_path, ishigami_experiment(N=8))
    code = main(["sensitivity", str(exp), "--out", str(blocker), "--quiet", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(f"--out {blocker}: cannot create the results folder") and "Traceback" not in err


def test_model_runs_do_not_depend_on_chunking_or_workers(tmp_path):
    exp = {
        "scenario": BASELINE,
        "overrides": {"horizon_years": 1},
        "factors": ["parameters.p_external", "parameters.enthusiast_leave_rate"],
        "method": "sobol", "N": 4, "replications": 2, "seed": 9, "outcomes": ["final_adoption"],
    }
    a = run_experiment(write(tmp_path, {**exp, "chunk_size": 32}, "a.yaml"), tmp_path / "a", workers=1,
                       progress=False, plots=False)
    b = run_experiment(write(tmp_path, {**exp, "chunk_size": 3}, "b.yaml"), tmp_path / "b", workers=2,
                       progress=False, plots=False)
    runs_a, runs_b = pd.read_parquet(tmp_path / "a" / RUNS), pd.read_parquet(tmp_path / "b" / RUNS)
    pd.testing.assert_frame_equal(runs_a.sort_values("run").reset_index(drop=True),
                                  runs_b.sort_values("run").reset_index(drop=True))
    pd.testing.assert_frame_equal(a.indices(), b.indices())


def test_a_sweep_leaves_no_thread_behind_so_later_pools_can_fork(tmp_path):
    # a thread left running (tqdm's monitor did) makes every later pool of the process use forkserver
    import threading

    before = set(threading.enumerate())
    for progress in (False, True):
        run_experiment(write(tmp_path, ishigami_experiment(N=64), f"e{progress}.yaml"), tmp_path / f"o{progress}",
                       workers=1, progress=progress, plots=False)
        assert set(threading.enumerate()) <= before
