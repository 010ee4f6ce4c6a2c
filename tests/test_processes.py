"""Worker processes: the user's start method is left alone, scripts without a main guard work, Ctrl-C at
any moment gives exit 130, one line and no traceback, and an interrupted run leaves nothing that looks
complete."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import model
from model.processes import process_context
from model.runner import numbered_runs, replication_seed, replication_seeds
from tests.cases import interrupt

ROOT = Path(__file__).resolve().parents[1]
#: the console script users type (installed beside this Python by `pip install -e .`)
SPRIDNING = [str(Path(sys.executable).with_name("spridning"))]


@pytest.mark.slow
def test_importing_the_model_leaves_the_start_method_alone():
    code = ("import multiprocessing as mp; before = mp.get_start_method(allow_none=True); "
            "import model.model, model.runner, mesa; print(before, mp.get_start_method(allow_none=True))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["None", "None"]


@pytest.mark.slow
def test_a_script_without_a_main_guard_runs_replications_on_workers(tmp_path):
    script = tmp_path / "analysis.py"
    script.write_text(textwrap.dedent(f"""
        import model
        scenario = model.load_scenario({str(ROOT / 'scenarios/baseline.yaml')!r})
        scenario = model.with_overrides(scenario, {{"horizon_years": 2}})
        serial = model.replicate(scenario, replications=4, seed=1, workers=1)
        parallel = model.replicate(scenario, replications=4, seed=1, workers=2)
        assert [o.summary for o in serial] == [o.summary for o in parallel]
        print("ok", [round(o.summary["final_adoption"], 4) for o in parallel])
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok [")
    assert "Traceback" not in out.stderr


def test_the_pool_forks_when_single_threaded_and_never_uses_the_global_default():
    import threading

    context = process_context()
    if threading.active_count() == 1:
        assert context.get_start_method() == "fork"
    else:  # pytest plugins or earlier tests may have left threads: forking them is unsafe
        assert context.get_start_method() == "forkserver"


def test_replication_seed_is_the_spawned_seed_of_run_seed():
    spawned = replication_seeds(7, 3)
    for r in range(3):
        assert np.array_equal(replication_seed(7, r).generate_state(8), spawned[r].generate_state(8))
    scenario = model.with_overrides(model.load_scenario(ROOT / "scenarios/baseline.yaml"), {"horizon_years": 2})
    by_api = model.run(scenario, replication_seed(7, 2)).summary
    by_replicate = model.replicate(scenario, replications=3, seed=7, workers=1)[2].summary
    assert by_api == by_replicate


def test_numbered_runs_give_run_i_draw_i_over_r_replication_i_mod_r_on_seed_i():
    runs = numbered_runs(["a", "b", "c"], 2, 11)
    assert [(i, variant) for i, variant, _ in runs] == [(0, "a"), (1, "a"), (2, "b"), (3, "b"), (4, "c"), (5, "c")]
    for i, _, seed in runs:
        assert seed.spawn_key == (i,)
        assert np.array_equal(seed.generate_state(4), replication_seed(11, i).generate_state(4))
    # a fresh object per run: a run's spawning counts on its seed, and must not shift another run's streams
    assert len({id(seed) for _, _, seed in runs}) == len(runs)
    assert numbered_runs(["a"], 0, 11) == []


@pytest.mark.slow
@pytest.mark.parametrize("state", sorted(interrupt.STATES))
def test_ctrl_c_at_any_moment_exits_130_with_one_line_and_leaves_nothing_half_written(tmp_path, state):
    """Ctrl-C while the model loads, while the folder is prepared, once workers exist, once replications are
    being written: each moment waited for as a state of the run (tests/cases/interrupt.py), not a time."""
    out = tmp_path / "run"
    proc = interrupt.start(SPRIDNING + ["run", "scenarios/portfolio_sustaingov.yaml", "--reps", "300",
                                        "--workers", "2", "--quiet", "--out", str(out)], cwd=ROOT)
    interrupt.wait_for(proc, state, tmp_path)
    code, _, err = interrupt.press_ctrl_c(proc)
    if code == 0:  # finished before the interrupt: then the folder is complete
        assert (out / "manifest.json").exists()
        return
    assert code == 130, err
    assert "Traceback" not in err and "Exception in thread" not in err
    assert [line for line in err.splitlines() if line.strip()] == [
        "interrupted: nothing half-written was left behind"]
    # nothing that looks like a results folder: no folder of that name, no leftover temporary folder
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_finished_run_leaves_one_complete_folder_and_no_temporary_ones(tmp_path):
    from model.cli import main

    assert main(["run", str(ROOT / "scenarios/baseline.yaml"), "--reps", "2", "--workers", "1", "--quiet",
                 "--set", "horizon_years=2", "--out", str(tmp_path / "r")]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["r"]
    assert (tmp_path / "r" / "manifest.json").exists() and (tmp_path / "r" / "charts").is_dir()


def test_one_replication_prints_no_nan_interval(tmp_path, capsys):
    from model.cli import main

    assert main(["run", str(ROOT / "scenarios/baseline.yaml"), "--reps", "1", "--workers", "1", "--quiet",
                 "--set", "horizon_years=2", "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    assert "nan" not in printed and "(one replication: no interval)" in printed


def test_share_intervals_are_clipped_to_zero_and_one():
    from model.outcomes.intervals import mean_interval

    mean, low, high = mean_interval(np.array([0.0, 0.0, 0.0, 0.3]), share=True)
    assert low == 0.0 and 0 < high <= 1 and mean == pytest.approx(0.075)
    _, low_diff, _ = mean_interval(np.array([0.0, 0.0, 0.0, 0.3]), share=False)
    assert low_diff < 0  # a difference is not a share


CASES = Path(__file__).resolve().parent / "cases"


@pytest.mark.slow
def test_case_17_ctrl_c_while_workers_start(tmp_path):
    """../shared/cases/inputs/17: Ctrl-C as soon as the worker processes have appeared. With forked
    workers the 8 replications of the handed case finish in-process before any worker could start, so a
    job large enough to use the pool is interrupted instead (if it finishes first, its folder is complete)."""
    out = subprocess.run([sys.executable, str(CASES / "interrupt.py"), *SPRIDNING, "run",
                          "scenarios/portfolio_sustaingov.yaml", "--reps", "300", "--workers", "2", "--quiet",
                          "--out", str(tmp_path / "run")], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert "tracebacks on stderr: 0" in out.stdout
    if "exit status: 0" in out.stdout:
        assert (tmp_path / "run" / "manifest.json").exists()
        return
    assert "workers appeared before Ctrl-C: yes" in out.stdout
    assert "exit status: 130" in out.stdout
    lines = out.stdout.split("--- stderr (lines not indented)\n", 1)[1].strip().splitlines()
    assert lines == ["interrupted: nothing half-written was left behind"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_case_18_a_script_on_two_workers_after_importing_model():
    """../shared/cases/inputs/18: Mesa must not force `spawn` on the user's script."""
    out = subprocess.run([sys.executable, str(CASES / "mesa_forces_spawn.py")], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "start method after importing model: None" in out.stdout
    # the same four runs as in one process (the handed expected values predate issue 10's dynamics)
    scenario = model.load_scenario(ROOT / "scenarios/baseline.yaml")
    serial = [round(o.summary["final_adoption"], 4) for o in model.replicate(scenario, 4, seed=1, workers=1)]
    assert f"final adoption per replication: {serial}" in out.stdout


@pytest.mark.slow
def test_an_interrupted_comparison_leaves_nothing_that_looks_complete(tmp_path):
    out = tmp_path / "cmp"
    proc = interrupt.start(SPRIDNING + ["compare", "scenarios/portfolio_sustaingov.yaml", "--baseline",
                                        "scenarios/baseline.yaml", "--reps", "200", "--workers", "2", "--quiet",
                                        "--out", str(out)], cwd=ROOT)
    interrupt.wait_for(proc, "workers")
    code, _, err = interrupt.press_ctrl_c(proc)
    if code == 0:
        assert (out / "comparison.csv").exists()
        return
    assert code == 130 and "Traceback" not in err, err
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_lever_past_the_horizon_is_reported_on_stderr_and_in_the_manifest(tmp_path, capsys):
    import json

    from model.cli import main

    assert main(["run", "scenarios/lever_peer_review.yaml", "--reps", "1", "--workers", "1", "--quiet",
                 "--set", "horizon_years=2", "--set", "levers.peer_review.duration_years=5",
                 "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "runs" in err and "only 2 of its 5 years are simulated" in err
    notes = json.loads((tmp_path / "r" / "manifest.json").read_text())["notes"]
    assert len(notes) == 1 and "only 2 of its 5 years are simulated" in notes[0]


def test_default_results_folders_have_safe_names():
    from model.batch import default_folder

    folder = default_folder("stöd till små kommuner")
    assert folder.name.isascii() and " " not in folder.name


def _square_or_fail(job):
    if job == 7:
        raise ValueError("job 7 cannot be done")
    return job, job * job


def test_worker_results_arrive_complete_and_errors_carry_their_traceback():
    from model.processes import imap_indexed

    results = dict(imap_indexed(_square_or_fail, [j for j in range(20) if j != 7], workers=2, chunksize=3))
    assert results == {j: j * j for j in range(20) if j != 7}
    with pytest.raises(RuntimeError, match="job 7 cannot be done"):
        list(imap_indexed(_square_or_fail, range(20), workers=2))


def test_a_caller_that_stops_early_leaves_no_worker_behind():
    import multiprocessing

    from model.processes import imap_indexed

    results = imap_indexed(_square_or_fail, range(8), workers=2)
    next(results)
    results.close()  # as a Ctrl-C in the caller does: the generator's cleanup kills the workers
    assert multiprocessing.active_children() == []


def test_the_pool_unfreezes_only_what_it_froze():
    import gc

    from model.processes import imap_indexed

    from model import processes

    gc.unfreeze()
    assert dict(imap_indexed(_square_or_fail, [1, 2, 3], workers=2)) == {1: 1, 2: 4, 3: 9}
    assert gc.get_freeze_count() <= processes._FROZEN_AT_START  # its own freeze (for the fork) is undone
    gc.freeze()  # a caller's, as `spridning run` makes one
    try:
        assert dict(imap_indexed(_square_or_fail, [1, 2], workers=2)) == {1: 1, 2: 4}
        assert gc.get_freeze_count() > processes._FROZEN_AT_START  # the caller's freeze stays (not undone)
    finally:
        gc.unfreeze()


# --- no orphans: workers end when their parent dies, however it dies ------------------------------------------
def _descendants_once_busy(proc: subprocess.Popen, count: int, timeout: float = 180.0) -> list:
    """The processes below ``proc`` once there are at least ``count`` (polled: a state, not a time)."""
    import psutil

    main = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = main.children(recursive=True)
        if len(found) >= count:
            return found
        assert proc.poll() is None, f"ended before starting its workers: {proc.communicate()[1][-2000:]}"
        time.sleep(0.05)
    raise AssertionError(f"no {count} worker processes after {timeout:.0f} s")


def _kill_and_expect_no_orphans(command: list[str], cwd: Path, workers: int = 2) -> None:
    """Start ``command``, wait for its workers, SIGKILL its main process (as the out-of-memory killer
    does) and check that every process it started is gone within ten seconds."""
    import psutil

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        below = _descendants_once_busy(proc, workers)
        proc.kill()
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(below, timeout=10)
        assert not alive, f"still running 10 s after their parent was killed: {[p.pid for p in alive]}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


POOL_SCRIPT = """
import sys, threading, time
import model.processes as processes
if sys.argv[1] == "watchdog":  # the portable fallback, as on a system without prctl
    processes._die_with_parent = lambda: False
if __name__ == "__main__":
    if sys.argv[3] == "forkserver":  # another thread running: the pools use a fork server instead of fork
        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
    assert processes.process_context().get_start_method() == sys.argv[3]
    if sys.argv[2] == "executor":
        pool = processes.process_pool(2)
        futures = [pool.submit(time.sleep, 300) for _ in range(2)]
    else:
        for _ in processes.imap_indexed(time.sleep, [300, 300], 2):
            pass
    time.sleep(300)
"""


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "forkserver"])
@pytest.mark.parametrize("guard", ["prctl", "watchdog"])
@pytest.mark.parametrize("pool", ["executor", "imap_indexed"])
def test_pool_workers_end_when_their_parent_is_killed(tmp_path, guard, pool, method):
    script = tmp_path / "pool.py"
    script.write_text(POOL_SCRIPT, encoding="utf-8")
    # under forkserver: the server and the resource tracker are below the main process too
    _kill_and_expect_no_orphans([sys.executable, str(script), guard, pool, method], tmp_path,
                                2 if method == "fork" else 4)


@pytest.mark.slow
def test_a_worker_whose_parent_is_already_gone_ends_at_once():
    """The race after fork: the parent died before the worker asked to be told."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()  # a pid that ended (and was reaped)
    code = f"import model.processes as p; p.worker_start({gone}); print('survived')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 1 and "survived" not in out.stdout


@pytest.mark.slow
def test_no_orphans_after_sensitivity_is_killed(tmp_path):
    import yaml

    exp = {"model": "tests.sensitivity.functions:slow", "method": "sobol", "N": 256, "seed": 1,
           "factors": [{"path": f"x{i}", "bounds": [0.0, 1.0]} for i in (1, 2, 3)], "outcomes": ["y"]}
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(exp), encoding="utf-8")
    _kill_and_expect_no_orphans(SPRIDNING + ["sensitivity", "exp.yaml", "--workers", "2", "--quiet",
                                             "--out", "out"], tmp_path)


@pytest.mark.slow
def test_no_orphans_after_robust_is_killed(tmp_path):
    from tests.robust.common import toy_experiment, write

    write(tmp_path, toy_experiment(model="tests.sensitivity.functions:slow", worlds={"sampler": "lhs", "n": 400}))
    _kill_and_expect_no_orphans(SPRIDNING + ["robust", "exp.yaml", "--workers", "2", "--quiet", "--out", "out"],
                                tmp_path)


@pytest.mark.slow
def test_no_orphans_after_calibrate_is_killed(tmp_path):
    from tests.calibrate.conftest import write_problem

    problem = write_problem(tmp_path / "tiny", runs=20000, population=400, generations=10)
    _kill_and_expect_no_orphans(SPRIDNING + ["calibrate", str(problem), "--workers", "2", "--quiet",
                                             "--out", "out"], tmp_path)
