"""Lever usage in the outputs: per lever and year what was bought and placed, the takers by kind, size band
and county, money used and unplaced — in each run's outcomes, in ``lever_usage.csv`` and
``lever_takers.csv`` of a results folder and in its manifest."""

import json

import pandas as pd
import pytest

import model
from model.batch import run_to_folder
from model.outcomes.catalogue import BY_NAME
from model.runner import replication_seed

PORTFOLIO = "scenarios/portfolio_sustaingov.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    scenario = model.with_overrides(model.load_scenario(PORTFOLIO), {"horizon_years": 3})
    results, out = run_to_folder(scenario, tmp_path_factory.mktemp("usage") / "run", replications=2, seed=3,
                                 workers=1, progress=False, charts=False)
    return results, out, scenario


def test_a_run_reports_usage_per_lever_and_year(folder):
    out = model.run(folder[2], replication_seed(3, 0))  # replication 0 of the folder's runs
    usage = out.lever_usage
    assert set(usage.lever) == {"peer_review", "change_teams", "learning_networks", "procurement",
                                "training_networks"}
    assert set(usage.year) == {2026, 2027, 2028}
    for _, row in usage.iterrows():
        assert row.budget_msek == pytest.approx(row.used_msek + row.returned_msek + row.unplaced_capacity_msek
                                                + row.unplaced_no_taker_msek)
        assert row.takers == row.takers_municipality + row.takers_region + row.takers_agency
        assert row.takers_municipality == sum(row[f"takers_{band}"] for band in ("<10k", "10-20k", "20-50k",
                                                                                 "50-100k", ">100k"))
    members = usage[usage.lever == "learning_networks"].iloc[0]
    assert members.unit == "members" and members.bought == 225 and members.placed <= 225
    takers = out.lever_takers
    county = takers[(takers.lever == "peer_review") & (takers.year == 2026) & (takers.group_type == "county")]
    row = usage[(usage.lever == "peer_review") & (usage.year == 2026)].iloc[0]
    assert county.takers.sum() == row.takers_municipality + row.takers_region
    assert out.summary["spend_msek"] == pytest.approx(usage.used_msek.sum())
    assert out.summary["budget_msek"] == pytest.approx(usage.budget_msek.sum())


def test_the_results_folder_has_the_usage_tables_and_the_manifest_records_them(folder):
    results, out, _ = folder
    usage = pd.read_csv(out / "lever_usage.csv")
    assert set(usage.replication) == {0, 1} and {"used_msek", "unplaced_no_taker_msek", "operator"} <= set(usage)
    takers = pd.read_csv(out / "lever_takers.csv")
    assert {"county", "size_band", "kind"} == set(takers.group_type)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded = manifest["lever_usage"]["peer_review"]
    assert recorded["operator"] == "skr"
    mean_used = usage[usage.lever == "peer_review"].groupby("replication").used_msek.sum().mean()
    assert recorded["used_msek"] == pytest.approx(mean_used, abs=1e-3)


def test_cost_per_extra_adoption_uses_money_used_with_money_budgeted_beside_it():
    assert BY_NAME["cost_per_extra_adoption_msek"].title == "Cost per extra adoption"
    assert BY_NAME["budget_per_extra_adoption_msek"].title == "Budget per extra adoption"
    assert BY_NAME["spend_msek"].title == "Money used" and BY_NAME["budget_msek"].title == "Money budgeted"
