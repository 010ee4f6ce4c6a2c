"""A results folder streamed replication by replication (model.batch) holds exactly what the runs in memory
give, and the run never holds more than a couple of runs' outcomes however many replications it runs."""

import gc
import json
import weakref

import pandas as pd
import pytest

import model
from model import batch, runner
from model.charts.shaping import municipality_adoption_over_time
from model.report.folder import BY_YEAR

PORTFOLIO = model.with_overrides(model.load_scenario("scenarios/portfolio_sustaingov.yaml"), {"horizon_years": 3})


@pytest.fixture(scope="module")
def streamed(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "run"
    results, folder = batch.run_to_folder(PORTFOLIO, out, replications=3, seed=5, workers=2, progress=False,
                                          report=None)
    return results, folder, batch.run_scenario(PORTFOLIO, 3, 5, workers=1, progress=False)


def test_the_streamed_files_hold_the_runs_stacked_in_replication_order(streamed):
    results, folder, whole = streamed
    for name in ("timeseries", "municipalities"):
        pd.testing.assert_frame_equal(pd.read_parquet(folder / f"{name}.parquet"), whole.stacked(name),
                                      check_exact=True)
    for name in ("spend", "lever_usage", "lever_takers"):
        assert (folder / f"{name}.csv").read_text() == whole.stacked(name).to_csv(index=False), name
    assert (folder / "replications.csv").read_text() == whole.replications.to_csv(index=False)
    assert (folder / "summary.csv").read_text() == whole.summary.to_csv(index=False)
    pd.testing.assert_frame_equal(results.replications, whole.replications)


def _usage_of_all_runs(whole) -> dict:
    """The manifest's lever money computed from every run's usage frame at once (the streamed writer
    gathers it run by run)."""
    usage = whole.stacked("lever_usage")
    per_run = usage.groupby(["lever", "replication"])[batch.USAGE_MONEY].sum().groupby("lever").mean()
    operators = usage.groupby("lever")["operator"].first()
    return {lever: {"operator": operators[lever], **{m: round(float(v), 3) for m, v in row.items()}}
            for lever, row in per_run.iterrows()}


def test_the_manifest_records_the_lever_money_of_all_runs(streamed):
    _, folder, whole = streamed
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lever_usage"] == json.loads(json.dumps(_usage_of_all_runs(whole)))
    assert manifest["replications"] == 3 and len(manifest["replication_seeds"]) == 3


def test_write_folder_of_runs_in_memory_writes_the_same_folder(streamed, tmp_path):
    _, folder, whole = streamed
    batch.write_folder(whole, tmp_path / "again", report=None)
    for name in ("spend.csv", "lever_usage.csv", "lever_takers.csv", "replications.csv", "summary.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "again" / "timeseries.parquet"),
                                  pd.read_parquet(folder / "timeseries.parquet"))


def test_the_maps_over_the_years_are_the_mean_of_all_runs(tmp_path):
    scenario = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 2})
    _, folder = batch.run_to_folder(scenario, tmp_path / "r", replications=3, seed=2, workers=1, progress=False)
    expected = municipality_adoption_over_time(model.replicate(scenario, 3, seed=2, workers=1), every=4)
    pd.testing.assert_frame_equal(pd.read_parquet(folder / BY_YEAR), expected, check_exact=True)


@pytest.mark.slow
def test_a_run_never_holds_more_than_a_couple_of_outcomes(tmp_path, monkeypatch):
    refs, most = [], [0]  # weak references to every run's outcomes (Outcomes are unhashable: no WeakSet)
    plain_run = runner.run

    def counted(scenario, seed=None):
        gc.collect()
        outcome = plain_run(scenario, seed)
        refs.append(weakref.ref(outcome))
        most[0] = max(most[0], sum(r() is not None for r in refs))
        return outcome

    monkeypatch.setattr(runner, "run", counted)
    scenario = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 1})
    results, folder = batch.run_to_folder(scenario, tmp_path / "r", replications=30, workers=1, progress=False,
                                          charts=False)
    assert results.runs == 30 and len(pd.read_csv(folder / "replications.csv")) == 30
    assert most[0] <= 2
    assert not hasattr(results, "outcomes")


def test_an_interrupted_streamed_run_leaves_nothing(tmp_path, monkeypatch):
    plain_add = batch.FolderWriter.add

    def interrupted(self, part):  # Ctrl-C while the third replication is written
        if part.replication == 2:
            raise KeyboardInterrupt
        plain_add(self, part)

    monkeypatch.setattr(batch.FolderWriter, "add", interrupted)
    scenario = model.with_overrides(model.load_scenario("scenarios/baseline.yaml"), {"horizon_years": 1})
    with pytest.raises(KeyboardInterrupt):
        batch.run_to_folder(scenario, tmp_path / "r", replications=5, workers=1, progress=False)
    assert list(tmp_path.iterdir()) == []


def _written(tmp_path, whole, monkeypatch=None, read_once_rows=None):
    """A FolderWriter fed the runs of ``whole`` (and closed), with the charts' row limit ``read_once_rows``."""
    from model.charts import shaping

    if read_once_rows is not None:
        monkeypatch.setattr(shaping, "READ_ONCE_ROWS", read_once_rows)
    writer = batch.FolderWriter(tmp_path)
    for r, outcome in enumerate(whole.outcomes):
        writer.add(batch.folder_parts(outcome, r))
    writer.close()
    return writer


def test_the_chart_rows_gathered_while_writing_are_those_read_back_from_the_file(streamed, tmp_path):
    from model.charts.scenario import read_rows

    writer = _written(tmp_path, streamed[2])
    gathered, read = writer.chart_rows.frame(), read_rows(tmp_path)
    pd.testing.assert_frame_equal(gathered, read, check_exact=True)
    for label in ("innovation", "group_type", "group"):  # categories too: every label of the file, in its order
        assert list(gathered[label].cat.categories) == list(read[label].cat.categories), label
    assert set(gathered["group_type"]) == {"overall", "size_band"} and len(gathered) < len(pd.read_parquet(
        tmp_path / "timeseries.parquet"))


def test_past_the_read_once_rows_the_chart_rows_are_not_gathered(streamed, tmp_path, monkeypatch):
    rows_per_run = len(streamed[2].outcomes[0].timeseries)
    writer = _written(tmp_path, streamed[2], monkeypatch, read_once_rows=2 * rows_per_run)
    assert writer.chart_rows.frame() is None  # three runs: more rows than that, so the charts read the file
