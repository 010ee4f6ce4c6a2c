"""`spridning compare`: portfolios against a baseline on common random numbers."""

import json

import pandas as pd
import pytest
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


@pytest.mark.slow
def test_comparison_is_paired_on_common_random_numbers(tmp_path, capsys):
    # the baseline sets capacity_scale (then fixed in every posterior draw; the other parameters are drawn)
    base = variant(tmp_path, "base", capacity_scale=1.0)
    same = variant(tmp_path, "same", capacity_scale=1.0)
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


def with_levers(tmp_path, name, levers):
    data = yaml.safe_load(open("scenarios/baseline.yaml"))
    data.update(name=name, horizon_years=6, levers=levers)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.slow
def test_comparison_outputs_for_memos_costs_and_groups(tmp_path, capsys):
    base = with_levers(tmp_path, "base", [])
    same = with_levers(tmp_path, "same", [])
    teams = with_levers(tmp_path, "teams", [{"type": "change_teams", "budget_msek_per_year": 200},
                                            {"type": "small_actor_grants", "budget_msek_per_year": 100,
                                             "target": {"by": "size_band", "size_bands": ["<10k", "10-20k"]}}])
    out = tmp_path / "cmp"
    assert main(["compare", same, teams, "--baseline", base, "--reps", "6", "--workers", "1", "--out", str(out),
                 "--quiet", "--no-report"]) == 0
    assert f"memo tables: {out / 'comparison.md'}" in capsys.readouterr().out
    assert not (out / "report.html").exists()
    table = pd.read_csv(out / "comparison.csv")
    teams_row = table[(table.scenario == "teams") & (table.outcome == "final_adoption")].iloc[0]
    assert teams_row.diff_ci95_low > 0  # a lever with a large effect: the interval excludes zero
    cost = table[(table.scenario == "teams") & (table.outcome == "cost_per_extra_adoption_msek")].iloc[0]
    assert cost.ci95_low < cost["mean"] < cost.ci95_high  # the bootstrap interval, in the long table too
    costs = pd.read_csv(out / "cost_effectiveness.csv").set_index("scenario")
    # money used is what the operator placed and organisations spent: never more than budgeted
    assert costs.loc["teams", "budgeted_msek"] == 1800 and 0 < costs.loc["teams", "used_msek"] <= 1800
    assert costs.loc["same", "extra_adoptions"] == 0 and costs.loc["same", "incremental_cost_msek"] == 0
    groups = pd.read_csv(out / "differences_by_group.csv")
    same_groups = groups[groups.scenario == "same"]
    # identical scenarios differ by exactly nothing, in every group and interval
    assert (same_groups[["diff", "diff_ci95_low", "diff_ci95_high"]] == 0).all().all()
    assert same_groups[same_groups.group_type == "county"].group.nunique() == 21
    assert set(groups.group_type) == {"county", "size_band", "skr_group", "target"}
    targets = groups[(groups.scenario == "teams") & (groups.group_type == "target")].set_index("group")
    assert targets.loc["change_teams", "municipalities"] == 290
    assert targets.loc["small_actor_grants", "municipalities"] == 167  # municipalities under 20 000 inhabitants
    assert targets.loc["small_actor_grants", "diff_ci95_low"] > 0
    wide = pd.read_csv(out / "comparison_wide.csv").set_index("scenario")
    assert wide.loc["same", "final_adoption_diff"] == 0 and wide.loc["teams", "status"] == "frontier"
    assert len(str(wide.loc["teams", "final_adoption"]).split(".")[-1]) <= 4  # rounded
    memo = (out / "comparison.md").read_text(encoding="utf-8")
    for heading in ("## Diffusion", "## Equality", "## Durability", "## Cost"):
        assert heading in memo
    assert "Budgeted (MSEK)" in memo and "MSEK per extra adoption (95 % CI)" in memo
    used = f"{costs.loc['teams', 'used_msek']:,.0f}"
    assert f"| Teams | 1,800 | {used} |" in memo and "## In one minute" in memo
    for chart in ("frontier.png", "differences_by_group.png", "difference_teams.png", "difference_teams_years.png"):
        assert (out / "charts" / chart).is_file()
