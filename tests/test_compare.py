"""`spridning compare`: portfolios against a baseline on common random numbers."""

import pandas as pd
import yaml

from model.cli import main


def variant(tmp_path, name, **parameters):
    data = yaml.safe_load(open("scenarios/baseline.yaml"))
    data["name"] = name
    data["horizon_years"] = 4
    data.setdefault("parameters", {}).update(parameters)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_comparison_is_paired_on_common_random_numbers(tmp_path):
    base = variant(tmp_path, "base")
    same = variant(tmp_path, "same")
    roomy = variant(tmp_path, "roomy", capacity_scale=3.0)
    out = tmp_path / "cmp"
    assert main(["compare", same, roomy, "--baseline", base, "--reps", "8", "--workers", "1",
                 "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "comparison.csv")
    assert set(table.scenario) == {"base", "same", "roomy"}
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
