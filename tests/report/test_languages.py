"""A comparison in Swedish and in English lies side by side: `compare --lang sv` writes the English memo and
the Swedish one beside it, and `report` in one language never overwrites the other's report, memo or charts."""

from __future__ import annotations

import pytest
import yaml

from model.cli import main


def _scenario(tmp_path, name, levers):
    data = yaml.safe_load(open("scenarios/baseline.yaml"))
    data.update(name=name, horizon_years=2, levers=levers)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.slow
def test_swedish_and_english_reports_are_written_beside_each_other(tmp_path, capsys):
    openpyxl = pytest.importorskip("openpyxl")
    base = _scenario(tmp_path, "base", [])
    teams = _scenario(tmp_path, "teams", [{"type": "change_teams", "budget_msek_per_year": 200}])
    out = tmp_path / "cmp"
    assert main(["compare", teams, "--baseline", base, "--reps", "2", "--workers", "1", "--out", str(out),
                 "--quiet", "--lang", "sv"]) == 0
    printed = capsys.readouterr().out
    assert f"report: {out / 'report.sv.html'}" in printed and f"memo tables: {out / 'comparison.sv.md'}" in printed
    for name in ("comparison.md", "comparison.sv.md", "comparison.xlsx", "comparison.sv.xlsx", "report.sv.html",
                 "charts/sv/frontier.png"):
        assert (out / name).is_file(), name
    swedish = {n: (out / n).read_bytes() for n in ("report.sv.html", "comparison.sv.md", "charts/sv/frontier.png")}
    assert "Svaret på en minut" in swedish["report.sv.html"].decode() and "n/a" not in swedish["comparison.sv.md"].decode()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").is_file() and (out / "charts" / "frontier.png").is_file()
    assert all((out / n).read_bytes() == data for n, data in swedish.items() if not n.endswith(".html"))
    english = (out / "report.html").read_text(encoding="utf-8")
    assert "In one minute" in english and "Rests on" in english and "2,026" not in english
    assert main(["report", str(out), "--lang", "sv"]) == 0
    assert (out / "report.html").read_text(encoding="utf-8") == english  # Swedish beside, never over
    book = openpyxl.load_workbook(out / "comparison.sv.xlsx")
    assert book.sheetnames[0] == "Sammanfattning" and "Kostnad" in book.sheetnames
