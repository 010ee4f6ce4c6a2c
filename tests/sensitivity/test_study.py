"""A study from file to outputs (model.sensitivity.study): the files and the manifest written, lever and
innovation factors, and a re-analysis that leaves only the files it produced."""

from __future__ import annotations

import json

import pandas as pd

from model.cli import main
from model.sensitivity import load_experiment, run_experiment

from .common import BASELINE, ishigami_experiment, tiny_model_experiment, write


def test_end_to_end_with_the_diffusion_model(tmp_path, capsys):
    path = write(tmp_path, tiny_model_experiment())
    out = tmp_path / "out"
    assert main(["sensitivity", str(path), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    stdout = capsys.readouterr().out
    assert "tiny: 16 runs" in stdout and "final_adoption" in stdout
    written = ["indices/final_adoption.csv", "indices/gini.csv", "plots/final_adoption.png", "plots/gini.png",
               "indices.csv"]
    for name in written + ["manifest.json", "experiment.json", "samples.parquet"]:
        assert (out / name).exists(), name
    table = pd.read_csv(out / "indices" / "final_adoption.csv")
    assert table["factor"].tolist() == ["p_external", "pilot_start_rate"]
    assert set(table.columns) >= {"S1", "S1_conf", "ST", "ST_conf"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(written)
    assert manifest["base_scenario_resolved"]["horizon_years"] == 2
    assert manifest["seeds"]["root_seed"] == 3 and len(manifest["seeds"]["replication_seeds"]) == 1
    assert manifest["versions"]["SALib"]
    assert any("replications: 1" in w for w in manifest["warnings"])


def test_lever_and_innovation_factors(tmp_path):
    exp = {
        "scenario": BASELINE,
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


def test_a_reanalysis_leaves_only_the_files_it_produced(tmp_path):
    """Analysing the runs on disk again with other outcomes, or without plots, removes the index tables and
    plots of the earlier analysis that this one did not write, and nothing a user put there."""
    out = tmp_path / "out"
    first = ishigami_experiment(N=16, model="model.sensitivity.testfunctions:linear", constants={"a": [1, 2, 3]},
                                outcomes=["y", "noisy"], second_order=True)
    run_experiment(write(tmp_path, first), out, workers=1, progress=False, plots=True)
    for name in ("indices/y.csv", "indices/y_S2.csv", "indices/noisy.csv", "plots/y.png", "plots/noisy.png"):
        assert (out / name).exists(), name
    (out / "indices" / "my_notes.csv").write_text("mine")
    (out / "plots" / "my_figure.png").write_bytes(b"mine")

    again = run_experiment(write(tmp_path, {**first, "outcomes": ["noisy"]}), out, workers=1, progress=False,
                           plots=False)
    assert again.stats.runs_done_now == 0  # the same runs, analysed again
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and "runs" not in p.parts)
    assert left == ["experiment.json", "indices.csv", "indices/my_notes.csv", "indices/noisy.csv",
                    "indices/noisy_S2.csv", "manifest.json", "plots/my_figure.png", "samples.parquet"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["files_removed"]) == ["indices/y.csv", "indices/y_S2.csv", "plots/noisy.png",
                                                 "plots/y.png"]
    assert pd.read_csv(out / "indices.csv")["outcome"].unique().tolist() == ["noisy"]


def test_a_manifest_cannot_make_the_cleanup_delete_other_files(tmp_path):
    """Only files an analysis writes are ever removed, whatever an edited manifest lists."""
    out = tmp_path / "out"
    exp = write(tmp_path, ishigami_experiment(N=8))
    run_experiment(exp, out, workers=1, progress=False, plots=False)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"] += ["../precious.txt", "samples.parquet", "experiment.json", "indices/../samples.parquet"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    run_experiment(exp, out, workers=1, progress=False, plots=False)
    assert outside.exists() and (out / "samples.parquet").exists() and (out / "experiment.json").exists()


def test_the_cleanup_trusts_only_a_manifest_of_this_tool(tmp_path):
    out = tmp_path / "out"
    exp = write(tmp_path, ishigami_experiment(N=8))
    run_experiment(exp, out, workers=1, progress=False, plots=False)
    (out / "plots").mkdir()
    (out / "plots" / "theirs.png").write_bytes(b"png")
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "tool": "something else",
                                                   "files": ["plots/theirs.png"]}))
    run_experiment(exp, out, workers=1, progress=False, plots=False)
    assert (out / "plots" / "theirs.png").exists()
