"""`spridning report` on a run or comparison folder missing a file, a scenario's folder, or holding a file
cut short: exit 2 and one line naming the folder, the file and the command that writes it again, before
anything is drawn (the folder's charts and report.html are left as they were)."""

import json
import shutil

import pandas as pd
import pytest

from model.errors import InputError
from model.report.build import write_report
from model.report.folder import ComparisonFolder, RunFolder, read_csv
from tests.support import cli_lines

#: what the folder's earlier report left, which a refused report must not touch
EARLIER = {"charts/diffusion.png": b"earlier chart", "report.html": b"<p>earlier report</p>"}


def _run_folder(path, name="base"):
    """A run folder with the files a report reads (tiny frames: only their presence and form matter here)."""
    path.mkdir(parents=True)
    (path / "manifest.json").write_text(json.dumps({"scenario_resolved": {"name": name}}), encoding="utf-8")
    pd.DataFrame({"outcome": ["final_adoption"], "mean": [0.2]}).to_csv(path / "summary.csv", index=False)
    pd.DataFrame({"year": [2026.0], "adoption_share": [0.1]}).to_parquet(path / "timeseries.parquet")
    pd.DataFrame({"code": ["0114"], "adoption_share": [0.1]}).to_parquet(path / "municipalities.parquet")
    pd.DataFrame({"replication": [0], "spend_msek": [1.0]}).to_csv(path / "replications.csv", index=False)
    return path


def _comparison_folder(path):
    path.mkdir()
    (path / "comparability.json").write_text(json.dumps({"baseline": {"name": "base"}}), encoding="utf-8")
    pd.DataFrame({"scenario": ["lever"], "outcome": ["final_adoption"], "mean": [0.3]}).to_csv(
        path / "comparison.csv", index=False)
    _run_folder(path / "base", "base")
    _run_folder(path / "lever", "lever")
    return path


def _with_earlier_report(folder):
    for name, data in EARLIER.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _refused(capsys, folder, *expected):
    """``spridning report folder`` exits 2 with one line holding each ``expected`` part; the earlier charts
    and report are untouched and nothing else was drawn."""
    code, out, err = cli_lines(capsys, "report", folder)
    assert code == 2 and len(err) == 1, (code, err)
    for part in expected:
        assert part in err[0], (part, err[0])
    for name, data in EARLIER.items():
        assert (folder / name).read_bytes() == data
    assert sorted(p.name for p in (folder / "charts").iterdir()) == ["diffusion.png"]
    return err[0]


@pytest.mark.parametrize("missing", ["timeseries.parquet", "municipalities.parquet", "summary.csv"])
def test_a_run_folder_missing_a_file_the_report_needs_is_refused(tmp_path, capsys, missing):
    folder = _with_earlier_report(_run_folder(tmp_path / "run å ö"))
    (folder / missing).unlink()
    line = _refused(capsys, folder, f"{folder}: {missing} is missing", "rerun `spridning run`")
    assert line.startswith(str(folder))


@pytest.mark.parametrize("missing, expected", [
    ("lever", "the run folder of scenario 'lever' (lever/ with its manifest.json) is missing"),
    ("base", "the run folder of scenario 'base'"),
    ("base/timeseries.parquet", "base: timeseries.parquet is missing"),
    ("comparison.csv", "comparison.csv is missing"),
    ("comparability.json", "comparability.json is missing"),
])
def test_a_comparison_folder_missing_a_file_or_a_scenario_is_refused(tmp_path, capsys, missing, expected):
    folder = _with_earlier_report(_comparison_folder(tmp_path / "cmp"))
    target = folder / missing
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    _refused(capsys, folder, expected, "rerun `spridning compare`")


@pytest.mark.parametrize("name, keep", [
    ("timeseries.parquet", 0.5), ("municipalities.parquet", 0.9), ("summary.csv", 0.6), ("summary.csv", 0.0),
    ("manifest.json", 0.5), ("replications.csv", 0.7),
])
def test_a_run_folder_with_a_file_cut_short_is_refused(tmp_path, capsys, name, keep):
    folder = _with_earlier_report(_run_folder(tmp_path / "run"))
    data = (folder / name).read_bytes()
    (folder / name).write_bytes(data[:int(len(data) * keep)])
    _refused(capsys, folder, f"{folder}: {name} cannot be read (", "damaged or incomplete", "rerun `spridning run`")


@pytest.mark.parametrize("name", ["comparison.csv", "comparability.json", "lever/timeseries.parquet"])
def test_a_comparison_folder_with_a_file_cut_short_is_refused(tmp_path, capsys, name):
    folder = _with_earlier_report(_comparison_folder(tmp_path / "cmp"))
    data = (folder / name).read_bytes()
    (folder / name).write_bytes(data[:len(data) // 2])
    _refused(capsys, folder, f"{name.rsplit('/', 1)[-1]} cannot be read (", "rerun `spridning compare`")


def test_a_complete_folder_passes_the_check_and_optional_files_may_be_absent(tmp_path):
    run = _run_folder(tmp_path / "run")
    (run / "replications.csv").unlink()
    assert RunFolder.read(run).check().summary["mean"].tolist() == [0.2]
    comparison = ComparisonFolder.read(_comparison_folder(tmp_path / "cmp")).check()
    assert list(comparison.runs) == ["base", "lever"]


def test_a_csv_cut_mid_line_is_told_apart_from_a_complete_one(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    assert read_csv(path)["b"].tolist() == [2, 4]
    path.write_text("a,b\n1,2\n3,", encoding="utf-8")
    with pytest.raises(ValueError, match="last line is cut off"):
        read_csv(path)


def test_write_report_checks_before_drawing(tmp_path):
    folder = _with_earlier_report(_run_folder(tmp_path / "run"))
    (folder / "municipalities.parquet").unlink()
    with pytest.raises(InputError, match="municipalities.parquet is missing"):
        write_report(folder, lang="sv")
    assert (folder / "report.html").read_bytes() == EARLIER["report.html"]
