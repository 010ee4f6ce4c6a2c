"""Flags every command spells the same way: ``--no-charts`` (skip the PNG charts and the report) on each
command that draws charts, with the older names kept working as before (``run --no-report`` still draws
the charts; ``compare --no-report`` and ``sensitivity --no-plots`` are the same as ``--no-charts``)."""

import pytest

from model.cli import build_parser
from tests.support import BASELINE, cli_lines

#: command -> arguments it needs besides the flag; the older spelling of the flag, where there was one
DRAWING = {
    "run": (["s.yaml"], None),
    "compare": (["a.yaml", "--baseline", "b.yaml"], "--no-report"),
    "sensitivity": (["e.yaml"], "--no-plots"),
    "robust": (["r.yaml"], None),
    "calibrate": (["c.yaml"], None),
}


@pytest.mark.parametrize("command", sorted(DRAWING))
def test_every_command_that_draws_charts_accepts_no_charts_and_its_older_name(command):
    parser = build_parser()
    args, older = DRAWING[command]
    new = vars(parser.parse_args([command, *args, "--no-charts"]))
    default = vars(parser.parse_args([command, *args]))
    flag = [k for k in new if new[k] != default[k]]
    assert flag and all(new[k] is True for k in flag), flag
    if older:
        assert vars(parser.parse_args([command, *args, older])) == new


def test_run_no_charts_writes_the_results_without_charts_or_report(tmp_path, capsys):
    code, out, _ = cli_lines(capsys, "run", BASELINE, "--reps", "2", "--workers", "1", "--quiet",
                             "--set", "horizon_years=2", "--out", tmp_path / "r", "--no-charts")
    assert code == 0
    folder = tmp_path / "r"
    assert (folder / "summary.csv").exists() and (folder / "manifest.json").exists()
    assert not (folder / "report.html").exists()
    assert not list(folder.glob("charts/*.png"))
    assert not any("report:" in line for line in out)


def test_run_no_report_keeps_its_meaning_no_report_but_the_charts(tmp_path, capsys):
    code, _, _ = cli_lines(capsys, "run", BASELINE, "--reps", "2", "--workers", "1", "--quiet",
                           "--set", "horizon_years=2", "--out", tmp_path / "r", "--no-report")
    assert code == 0
    assert not (tmp_path / "r" / "report.html").exists()
    assert list((tmp_path / "r").glob("charts/*.png"))
