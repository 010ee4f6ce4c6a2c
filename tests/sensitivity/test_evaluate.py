"""What a worker runs (model.sensitivity.evaluate): a function gets its parameters keyed by path whatever
the labels; a run inside a sweep is exactly ``model.run()``; outputs never collide with the run files'
columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model.sensitivity import load_experiment, run_experiment
from model.sensitivity.evaluate import as_floats, fresh, plan_seeds
from model.sensitivity.sweep import RUNS

from .common import ROOT, assert_refused, function_exp, tiny_model_experiment, write

ECHO = "tests.sensitivity.functions:echo"


def test_a_function_gets_its_parameters_by_path_whatever_their_labels(tmp_path):
    data = function_exp(model=ECHO, constants={"k": 2.0}, outcomes=["y"], factors=[
        {"path": "x1", "bounds": [0, 1], "name": "rainfall"}, {"path": "x2", "bounds": [0, 1], "name": "soil"},
        {"path": "seed", "bounds": [0, 1], "name": "slope"}])
    result = run_experiment(write(tmp_path, data), tmp_path / "out", workers=1, progress=False, plots=False)
    runs = pd.read_parquet(tmp_path / "out" / RUNS).sort_values("run")
    samples = pd.read_parquet(tmp_path / "out" / "samples.parquet")
    assert {"got_x1", "got_x2", "got_seed", "got_k"} <= set(runs.columns)
    assert not any(c.startswith(("got_rainfall", "got_soil", "got_slope")) for c in runs.columns)
    np.testing.assert_array_equal(runs["got_x1"].to_numpy(), samples["rainfall"].to_numpy())
    np.testing.assert_array_equal(runs["got_seed"].to_numpy(), samples["slope"].to_numpy())
    assert (runs["got_k"] == 2.0).all()
    assert result.indices("y")["factor"].tolist() == ["rainfall", "soil", "slope"]  # reported under labels


def test_an_output_named_like_a_column_of_the_run_files_is_refused(tmp_path, capsys):
    data = function_exp(model="tests.sensitivity.functions:with_reserved_output",
                        factors=[{"path": "x1", "bounds": [0, 1]}, {"path": "x2", "bounds": [0, 1]}])
    assert_refused(tmp_path, capsys, data, "a trial run of tests.sensitivity.functions:with_reserved_output failed",
                   "an output named 'run', a name the run files use for their own column", "rename that output")


def test_outputs_must_be_numbers_with_distinct_names():
    assert as_floats({"a": 1, "b": np.float32(2.5)}) == {"a": 1.0, "b": 2.5}
    for bad, message in (({1: 1.0, "1": 2.0}, "two outputs named '1'"), ({"a": "x"}, "not a number"),
                         ([1.0], "must return a dict")):
        try:
            as_floats(bad)
        except (TypeError, ValueError) as exc:
            assert message in str(exc)
        else:
            raise AssertionError(bad)


def test_unknown_output_of_a_function(tmp_path, capsys):
    assert_refused(tmp_path, capsys, function_exp(outcomes=["z"]), "outcomes[0]: unknown outcome 'z'", "allowed: y")


def test_a_run_inside_the_sweep_is_exactly_model_run(tmp_path, capsys):
    from model.cli import main
    from model.runner import run
    from model.scenario import load_scenario, with_overrides

    path = write(tmp_path, tiny_model_experiment())
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "--quiet", "--workers", "1", "--no-plots"]) == 0
    capsys.readouterr()
    samples = pd.read_parquet(out / "samples.parquet")
    runs = pd.read_parquet(out / RUNS).sort_values("run")
    base = with_overrides(load_scenario(ROOT / "scenarios" / "baseline.yaml"), {"horizon_years": 2})
    seed = plan_seeds(load_experiment(path, probe=False))[0]
    for point in (0, 5, 9):
        values = samples.loc[samples.point == point].iloc[0]
        scenario = with_overrides(base, {"parameters.p_external": values.p_external,
                                         "parameters.pilot_start_rate": values.pilot_start_rate})
        direct = run(scenario, fresh(seed)).summary  # a run advances its seed's spawn counter: use a copy
        row = runs.loc[runs.point == point].iloc[0]
        assert row.final_adoption == direct["final_adoption"] and row.gini == direct["gini"]


def test_every_replication_of_a_point_is_exactly_model_run_with_its_seed(tmp_path):
    # the scenario of a point is built once and shared by its replications, and so are the uniforms drawn from
    # each replication's seed: each run must still be a plain run
    from model.dynamics import uniforms
    from model.model import InnovationModel
    from model.runner import run
    from model.scenario import load_scenario, with_overrides

    path = write(tmp_path, {**tiny_model_experiment(), "replications": 3, "chunk_size": 4})
    out = tmp_path / "out"
    run_experiment(path, out, workers=1, progress=False, plots=False)
    # the sweep shared its replications' life-cycle uniforms (model.dynamics.uniforms): still on here, where it ran
    base = with_overrides(load_scenario(ROOT / "scenarios" / "baseline.yaml"), {"horizon_years": 2})
    seeds = plan_seeds(load_experiment(path, probe=False))
    built = [InnovationModel(base, fresh(seeds[0])).context.draws.lifecycle for _ in range(2)]
    assert built[0] is built[1]
    uniforms.share(0)  # the direct runs below draw their own
    samples = pd.read_parquet(out / "samples.parquet")
    runs = pd.read_parquet(out / RUNS).sort_values("run")
    for point in (0, 1, 7):
        values = samples.loc[samples.point == point].iloc[0]
        scenario = with_overrides(base, {"parameters.p_external": values.p_external,
                                         "parameters.pilot_start_rate": values.pilot_start_rate})
        for rep, seed in enumerate(seeds):
            direct = run(scenario, fresh(seed)).summary
            row = runs.loc[(runs.point == point) & (runs.replication == rep)].iloc[0]
            assert row.final_adoption == direct["final_adoption"] and row.gini == direct["gini"]
