"""The sensitivity engine: analytic indices recovered, Morris ranking, resume, Dask, the model adapter.

Sizes are tiny (whole file: a few seconds of runs); wall-clock speed is measured in
benchmarks/bench_sweep.py, never asserted here.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.cli import main
from model.sensitivity import load_experiment, run_experiment
from model.sensitivity import testfunctions as tf
from model.sensitivity.engines import fresh, replication_seeds
from model.sensitivity.sweep import RUNS

ROOT = Path(__file__).resolve().parents[1]
PI = math.pi
FUNCS = "model.sensitivity.testfunctions"


def write(tmp_path: Path, data: dict, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def ishigami_experiment(**changes) -> dict:
    exp = {
        "name": "ishigami",
        "model": f"{FUNCS}:ishigami",
        "factors": [{"path": f"x{i}", "bounds": [-PI, PI]} for i in (1, 2, 3)],
        "method": "sobol",
        "N": 1024,
        "seed": 7,
        "outcomes": ["y"],
    }
    exp.update(changes)
    return exp


def within(estimate: float, conf: float, truth: float, slack: float = 0.0) -> bool:
    return abs(estimate - truth) <= conf + slack


# --- analytic test functions ------------------------------------------------------------------------------
def test_ishigami_indices_within_confidence_intervals(tmp_path):
    result = run_experiment(write(tmp_path, ishigami_experiment()), tmp_path / "out", workers=1, progress=False,
                            plots=False)
    table = result.indices("y").set_index("factor")
    truth = tf.ishigami_indices()
    for x in ("x1", "x2", "x3"):
        row = table.loc[x]
        assert within(row.S1, row.S1_conf, truth["S1"][x]), (x, row.S1, row.S1_conf, truth["S1"][x])
        assert within(row.ST, row.ST_conf, truth["ST"][x]), (x, row.ST, row.ST_conf, truth["ST"][x])
    # x3 acts only through its interaction with x1: no first-order effect, a clear total effect
    assert table.loc["x3", "ST"] > 0.15 and abs(table.loc["x3", "S1"]) < 0.1
    assert (tmp_path / "out" / "indices" / "y.csv").exists()


def test_second_order_indices_find_the_x1_x3_interaction(tmp_path):
    exp = ishigami_experiment(N=512, second_order=True)
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False, plots=False)
    s2 = result.outcomes[0].second_order.set_index(["factor_a", "factor_b"])
    truth = tf.ishigami_indices()
    v13 = truth["ST"]["x3"]  # S13 = ST3 (x3 acts only with x1)
    assert within(s2.loc[("x1", "x3"), "S2"], s2.loc[("x1", "x3"), "S2_conf"], v13)
    assert within(s2.loc[("x1", "x2"), "S2"], s2.loc[("x1", "x2"), "S2_conf"], 0.0)
    assert (tmp_path / "out" / "indices" / "y_S2.csv").exists()


def test_linear_additive_model_and_common_random_numbers(tmp_path):
    a = [1.0, 2.0, 3.0, 0.5]
    exp = {
        "model": f"{FUNCS}:linear",
        "constants": {"a": a, "noise": 5.0},
        "factors": [{"path": f"x{i + 1}", "bounds": [0.0, 1.0]} for i in range(len(a))],
        "method": "sobol", "N": 512, "replications": 3, "seed": 11,
        "outcomes": ["y", "noisy", "noisy_independent"],
    }
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False, plots=False)
    expected = tf.linear_indices(a)
    y = result.indices("y").set_index("factor")
    for i, s in enumerate(expected):
        row = y.loc[f"x{i + 1}"]
        assert within(row.S1, row.S1_conf, s) and within(row.ST, row.ST_conf, s), (i, row.to_dict(), s)
    # noise drawn from the replication's seed is common to every point (common random numbers): averaged over
    # the replications it shifts every point alike, so the indices do not move and no noise is measured
    noisy = result.indices("noisy").set_index("factor")
    np.testing.assert_allclose(noisy[["S1", "ST"]].to_numpy(), y[["S1", "ST"]].to_numpy(), atol=1e-9)
    diagnostics = {r.outcome: r.diagnostics for r in result.outcomes}
    assert diagnostics["noisy"]["noise_share"] < 1e-9
    # noise that differs between points is measured, and warned about
    assert diagnostics["noisy_independent"]["noise_share"] > 0.05
    assert any("noisy_independent: stochastic noise" in w and "replications:" in w for w in result.warnings)


def test_morris_ranks_the_influential_factor_first(tmp_path):
    exp = {
        "model": f"{FUNCS}:g_function",
        "factors": [{"path": f"x{i + 1}", "bounds": [0.0, 1.0]} for i in range(8)],
        "method": "morris", "N": 40, "levels": 4, "seed": 5, "outcomes": ["y"],
    }
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False)
    table = result.indices("y")
    ranked = table.sort_values("mu_star", ascending=False)["factor"].tolist()
    assert ranked[0] == "x1" and ranked[1] == "x2"
    assert set(ranked[-4:]) == {"x5", "x6", "x7", "x8"}  # a = 99: negligible
    assert table.set_index("factor").loc["x1", "rank"] == 1
    assert list(table.columns[:5]) == ["factor", "mu", "mu_star", "mu_star_conf", "sigma"]
    assert (tmp_path / "out" / "plots" / "y.png").stat().st_size > 1000


def test_groups_get_one_index_each(tmp_path):
    exp = ishigami_experiment(N=256)
    exp["factors"][0]["group"] = "first"
    exp["factors"][1]["group"] = "rest"
    exp["factors"][2]["group"] = "rest"
    result = run_experiment(write(tmp_path, exp), tmp_path / "out", workers=1, progress=False, plots=False)
    table = result.indices("y")
    assert table["factor"].tolist() == ["first", "rest"]
    assert table["members"].tolist() == ["x1", "x2 x3"]


def test_convergence_warning_suggests_a_larger_power_of_two(tmp_path):
    out = tmp_path / "out"
    result = run_experiment(write(tmp_path, ishigami_experiment(N=32)), out, workers=1, progress=False, plots=False)
    warning = next(w for w in result.warnings if "confidence intervals are too wide" in w)
    diag = result.outcomes[0].diagnostics
    suggested = diag["suggested_N"]
    assert suggested > 32 and suggested & (suggested - 1) == 0
    expected = 1 << math.ceil(math.log2(32 * (diag["max_conf"] / 0.1) ** 2))
    assert suggested == expected and f"N={suggested}" in warning
    manifest = json.loads((out / "manifest.json").read_text())
    assert warning in manifest["warnings"]


# --- resuming -------------------------------------------------------------------------------------------
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


# --- where the runs happen --------------------------------------------------------------------------------
def test_local_processes_match_a_single_process(tmp_path):
    exp = write(tmp_path, ishigami_experiment(N=128, replications=2, chunk_size=64))
    one = run_experiment(exp, tmp_path / "one", workers=1, progress=False, plots=False)
    two = run_experiment(exp, tmp_path / "two", workers=2, progress=False, plots=False)
    assert two.stats.where == "local processes" and two.stats.workers == 2
    pd.testing.assert_frame_equal(one.indices("y"), two.indices("y"))


def test_dask_cluster_gives_the_same_indices_as_local(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    exp = write(tmp_path, ishigami_experiment(N=128, chunk_size=100))
    local = run_experiment(exp, tmp_path / "local", workers=1, progress=False, plots=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) \
            as cluster:
        code = main(["sensitivity", str(exp), "--scheduler", cluster.scheduler_address,
                     "--out", str(tmp_path / "dask"), "--quiet", "--no-plots"])
        assert code == 0, capsys.readouterr().err
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["execution"]["where"] == cluster.scheduler_address
    assert manifest["execution"]["workers"] == 2
    dask_indices = pd.read_csv(tmp_path / "dask" / "indices" / "y.csv")
    pd.testing.assert_frame_equal(dask_indices, local.indices("y"), check_exact=False, rtol=1e-12)


# --- the diffusion model ----------------------------------------------------------------------------------
def test_end_to_end_with_the_diffusion_model(tmp_path, capsys):
    from model.runner import run
    from model.scenario import load_scenario, with_overrides

    exp = {
        "name": "tiny",
        "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
        "overrides": {"horizon_years": 2},
        "factors": ["parameters.p_external", {"path": "parameters.pilot_start_rate", "bounds": [0.05, 0.3]}],
        "method": "sobol", "N": 4, "replications": 1, "seed": 3,
        "outcomes": ["final_adoption", "gini"],
    }
    path = write(tmp_path, exp)
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    stdout = capsys.readouterr().out
    assert "tiny: 16 runs" in stdout and "final_adoption" in stdout
    for name in ("indices/final_adoption.csv", "indices/gini.csv", "indices.csv", "plots/final_adoption.png",
                 "manifest.json", "experiment.json", "samples.parquet"):
        assert (out / name).exists(), name
    table = pd.read_csv(out / "indices" / "final_adoption.csv")
    assert table["factor"].tolist() == ["p_external", "pilot_start_rate"]
    assert set(table.columns) >= {"S1", "S1_conf", "ST", "ST_conf"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["base_scenario_resolved"]["horizon_years"] == 2
    assert manifest["seeds"]["root_seed"] == 3 and len(manifest["seeds"]["replication_seeds"]) == 1
    assert manifest["versions"]["SALib"]
    assert any("replications: 1" in w for w in manifest["warnings"])

    # a run inside the sweep is exactly the run `run(scenario, seed)` makes with the same values and seed
    samples = pd.read_parquet(out / "samples.parquet")
    runs = pd.read_parquet(out / RUNS).sort_values("run")
    base = with_overrides(load_scenario(ROOT / "scenarios" / "baseline.yaml"), {"horizon_years": 2})
    seed = replication_seeds(load_experiment(path, probe=False))[0]
    for point in (0, 5, 9):
        values = samples.loc[samples.point == point].iloc[0]
        scenario = with_overrides(base, {"parameters.p_external": values.p_external,
                                         "parameters.pilot_start_rate": values.pilot_start_rate})
        direct = run(scenario, fresh(seed)).summary  # a run advances its seed's spawn counter: use a copy
        row = runs.loc[runs.point == point].iloc[0]
        assert row.final_adoption == direct["final_adoption"] and row.gini == direct["gini"]


def test_lever_and_innovation_factors(tmp_path):
    exp = {
        "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
        "overrides": {"horizon_years": 1,
                      "levers": [{"type": "peer_review", "budget_msek_per_year": 0.0}]},
        "factors": [
            {"path": "levers.peer_review.budget_msek_per_year", "name": "peer_review", "bounds": [0, 20]},
            {"path": "innovations.ai_casework.pilot_quarters", "bounds": [2, 8]},
            {"path": "parameters.initial_adopters", "bounds": [0, 10]},
        ],
        "method": "morris", "N": 4, "seed": 1, "outcomes": ["final_adoption", "spend_msek"],
    }
    plan = load_experiment(write(tmp_path, exp))
    by_name = {f.name: f for f in plan.factors}
    assert by_name["innovations.ai_casework.pilot_quarters"].integer  # a whole-number field: rounded
    assert by_name["initial_adopters"].integer and not by_name["peer_review"].integer
    result = run_experiment(plan, tmp_path / "out", workers=1, progress=False, plots=False)
    samples = pd.read_parquet(tmp_path / "out" / "samples.parquet")
    assert (samples["initial_adopters"] == samples["initial_adopters"].round()).all()
    spend = result.indices("spend_msek").set_index("factor")
    assert spend["mu_star"].idxmax() == "peer_review"  # only the lever's budget moves what is spent


def test_model_runs_do_not_depend_on_chunking_or_workers(tmp_path):
    exp = {
        "scenario": str(ROOT / "scenarios" / "baseline.yaml"),
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
