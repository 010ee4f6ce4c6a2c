"""``--ensemble``: one replication set per posterior draw, each run on its own seed (run i on replication seed
i), the same in every scenario over the draws."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from model.cli import main
from model.runner import replication_seed, run
from model.scenario import load_scenario, with_overrides

from .conftest import SCENARIO

ENSEMBLE = """\
kind: posterior_ensemble
calibration: test
replications: 2
draws:
  - {parameters.p_external: 0.03, parameters.pilot_start_rate: 0.4}
  - {parameters.p_external: 0.08, parameters.pilot_start_rate: 0.7}
  - {parameters.p_external: 0.03, parameters.pilot_start_rate: 0.4}
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    ensemble = tmp_path / "ensemble.yaml"
    ensemble.write_text(ENSEMBLE, encoding="utf-8")
    return scenario, ensemble


@pytest.mark.slow
def test_run_with_an_ensemble_runs_one_replication_set_per_draw_each_run_on_its_own_seed(files, tmp_path, capsys):
    scenario_file, ensemble = files
    out = tmp_path / "out"
    assert main(["run", str(scenario_file), "--ensemble", str(ensemble), "--out", str(out), "--workers", "2",
                 "--quiet"]) == 0
    reps = pd.read_csv(out / "replications.csv")
    assert reps["draw"].tolist() == [0, 0, 1, 1, 2, 2]
    assert reps["draw_replication"].tolist() == [0, 1, 0, 1, 0, 1]
    # draws 0 and 2 are the same parameters on other seeds: not the same runs (one shared stream per
    # replication, as before 2026-12-07, made them identical: the draws' spread held one throw of chance)
    first, third = (reps[reps.draw == d].drop(columns=["replication", "draw"]).reset_index(drop=True)
                    for d in (0, 2))
    assert not first.equals(third)
    # each run i is exactly model.run(scenario with its draw, replication_seed(root, i)), whoever ran it
    scenario = load_scenario(scenario_file)
    values = {0: {"parameters.p_external": 0.03, "parameters.pilot_start_rate": 0.4},
              1: {"parameters.p_external": 0.08, "parameters.pilot_start_rate": 0.7}}
    for i, draw in ((3, 1), (4, 0), (5, 0)):
        expected = run(with_overrides(scenario, values[draw]), replication_seed(scenario.seed, i))
        assert reps.loc[i, "final_adoption"] == pytest.approx(expected.summary["final_adoption"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 6
    assert manifest["ensemble"]["replications_per_draw"] == 2
    assert [s["spawn_key"] for s in manifest["replication_seeds"]] == [[i] for i in range(6)]
    assert (out / "ensemble.json").exists()


def test_run_ensemble_runs_draw_i_over_r_on_replication_seed_i(files):
    """The library's ensemble run (model.calibrate.ensemble.run_ensemble, what benchmarks/lever_effects.py
    and compare's Python API use): run i is model.run of draw i // R on replication seed i."""
    from model.calibrate.ensemble import load_ensemble, run_ensemble

    scenario_file, ensemble = files
    scenario = with_overrides(load_scenario(scenario_file), {"horizon_years": 2})
    results = run_ensemble(scenario, load_ensemble(ensemble), replications=2, workers=1, progress=False)
    values = {0: {"parameters.p_external": 0.03, "parameters.pilot_start_rate": 0.4},
              1: {"parameters.p_external": 0.08, "parameters.pilot_start_rate": 0.7}}
    values[2] = values[0]  # the third draw repeats the first's values (on its own seeds)
    assert len(results.outcomes) == 6
    for i, draw in ((0, 0), (3, 1), (5, 2)):
        expected = run(with_overrides(scenario, values[draw]), replication_seed(scenario.seed, i))
        assert results.outcomes[i].summary == expected.summary


def test_reps_is_per_draw(files, tmp_path):
    scenario_file, ensemble = files
    out = tmp_path / "out"
    assert main(["run", str(scenario_file), "--ensemble", str(ensemble), "--reps", "1", "--out", str(out),
                 "--workers", "1", "--quiet"]) == 0
    assert pd.read_csv(out / "replications.csv")["draw"].tolist() == [0, 1, 2]


def test_compare_with_an_ensemble_pairs_runs_across_portfolios(files, tmp_path):
    scenario_file, ensemble = files
    same = tmp_path / "same.yaml"  # the baseline under another name: paired differences must be exactly 0
    same.write_text(SCENARIO.replace("name: tiny", "name: tiny_again"), encoding="utf-8")
    out = tmp_path / "cmp"
    assert main(["compare", str(same), "--baseline", str(scenario_file), "--ensemble", str(ensemble),
                 "--reps", "1", "--out", str(out), "--workers", "1", "--quiet"]) == 0
    base = pd.read_csv(out / "tiny" / "replications.csv")
    other = pd.read_csv(out / "tiny_again" / "replications.csv")
    assert base["draw"].tolist() == other["draw"].tolist() == [0, 1, 2]
    assert base["final_adoption"].tolist() == other["final_adoption"].tolist()
    seeds = json.loads((out / "tiny_again" / "manifest.json").read_text())["replication_seeds"]
    assert [s["draw"] for s in seeds] == [0, 1, 2] and [s["spawn_key"] for s in seeds] == [[0], [1], [2]]
    base_seeds = json.loads((out / "tiny" / "manifest.json").read_text())["replication_seeds"]
    assert [s["spawn_key"] for s in base_seeds] == [s["spawn_key"] for s in seeds]  # paired: run i, seed i
    table = pd.read_csv(out / "comparison.csv").set_index(["scenario", "outcome"])
    assert table.loc[("tiny_again", "final_adoption"), "diff_vs_baseline"] == 0


@pytest.mark.parametrize("text, expected", [
    ("draws:\n  - {parameters.p_external: yes}\n", ":1: draws: item 0, parameters.p_external: expected a number"),
    ("replications: 2\ndraws:\n  - {parameters.nope: 0.1}\n", ":3: draws[0]: cannot be applied to scenario 'tiny'"),
    ("draws:\n  - {parameters.p_external: 0.1}\n  - {parameters.pilot_start_rate: 0.1}\n",
     ":3: draws[1]: sets parameters.pilot_start_rate but draws[0] sets parameters.p_external"),
    ("draws: []\n", "draws"),
    ("drawz:\n  - {parameters.p_external: 0.1}\n", "drawz"),
])
def test_a_bad_ensemble_file_is_a_clear_error(files, tmp_path, capsys, text, expected):
    scenario_file, _ = files
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    assert main(["run", str(scenario_file), "--ensemble", str(bad), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and expected in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
