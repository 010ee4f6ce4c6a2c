"""`spridning compare`: portfolios against a baseline on common random numbers."""

import json

import pandas as pd
import yaml

from model.outcomes.catalogue import COMPARED

from model.cli import main


def variant(tmp_path, name, **parameters):
    data = yaml.safe_load(open("scenarios/baseline.yaml"))
    data["name"] = name
    data["horizon_years"] = 4
    data.setdefault("parameters", {}).update(parameters)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_comparison_is_paired_on_common_random_numbers(tmp_path, capsys):
    base = variant(tmp_path, "base")
    same = variant(tmp_path, "same")
    roomy = variant(tmp_path, "roomy", capacity_scale=3.0)
    out = tmp_path / "cmp"
    # a different model parameter is compared only when allowed by name, and is then reported
    assert main(["compare", same, roomy, "--baseline", base, "--reps", "8", "--workers", "1",
                 "--allow-different", "parameters.capacity_scale", "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert (f"note: {roomy}: parameters.capacity_scale: 3.0 differs from the baseline's 1.0 (allowed by "
            "--allow-different)") in captured.err
    assert "settings differ from the baseline (1, allowed): see comparability.json" in captured.out
    record = json.loads((out / "comparability.json").read_text(encoding="utf-8"))
    assert record["baseline"] == {"name": "base", "file": base}
    assert record["allowed_differences"] == ["parameters.capacity_scale"]
    assert record["differences"] == [{"scenario": "roomy", "file": roomy, "setting": "parameters.capacity_scale",
                                      "value": 3.0, "baseline_value": 1.0}]
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.scenario) == {"base", "same", "roomy"}
    # one row per scenario and compared outcome of the catalogue, plus the cost per extra adoption
    assert list(table.columns) == ["scenario", "outcome", "mean", "ci95_low", "ci95_high", "diff_vs_baseline",
                                   "diff_ci95_low", "diff_ci95_high"]
    assert table[table.scenario == "roomy"].outcome.tolist() == list(COMPARED) + ["cost_per_extra_adoption_msek"]
    row = table[(table.scenario == "same") & (table.outcome == "final_adoption")].iloc[0]
    # an identical scenario under the same seeds differs by exactly nothing
    assert row.diff_vs_baseline == 0 and row.diff_ci95_low == 0 and row.diff_ci95_high == 0
    roomy_row = table[(table.scenario == "roomy") & (table.outcome == "final_adoption")].iloc[0]
    assert roomy_row.diff_ci95_low > 0  # more capacity adopts more, beyond noise
    # pairing makes the difference's interval narrower than the scenario's own interval
    assert roomy_row.diff_ci95_high - roomy_row.diff_ci95_low < roomy_row.ci95_high - roomy_row.ci95_low
    for name in ("base", "same", "roomy"):
        assert (out / name / "summary.csv").exists() and (out / name / "manifest.json").exists()


def test_comparison_rejects_two_scenarios_with_one_name(tmp_path, capsys):
    base = variant(tmp_path, "base")
    other = tmp_path / "copy.yaml"
    other.write_text(open(base).read())
    assert main(["compare", str(other), "--baseline", base, "--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert "is used by another scenario" in capsys.readouterr().err
