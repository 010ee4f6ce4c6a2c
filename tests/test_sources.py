"""Citations resolve without the design brief: docs/sources.md lists every report the code and docs cite
("000 L3322-3326") with title, publisher, year and address, and the docs that cite point at it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
CITATION = re.compile(r"\b(00\d) L\d+")


def _cited() -> set[str]:
    files = [*ROOT.glob("docs/*.md"), ROOT / "model" / "data" / "SOURCES.md", *ROOT.glob("model/**/*.py"),
             *ROOT.glob("model/data/*.csv")]
    return {m.group(1) for f in files for m in CITATION.finditer(f.read_text(encoding="utf-8"))}


def test_every_cited_report_is_listed_with_publisher_year_and_address():
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| (00\d) \|.*$", SOURCES, re.MULTILINE)}
    assert set(rows) == {"000", "001", "002", "003", "004"}
    assert _cited() <= set(rows)
    for number, row in rows.items():
        cells = [c.strip() for c in row.strip("|").split("|")]
        title, publisher, year, address = cells[1:5]
        assert title and publisher, number
        assert re.match(r"20\d\d", year), number
        assert "https://" in address, number
        assert f"**{number} " in SOURCES, f"{number}: no summary of what the model uses from it"


def test_docs_that_cite_point_at_sources_md_and_not_at_the_design_brief():
    for page in ("ODD.md", "parameters.md", "levers.md"):
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert "sources.md" in text, page
    for path in [*ROOT.glob("docs/*.md"), ROOT / "model" / "data" / "SOURCES.md", ROOT / "README.md"]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "evidence.md" not in text, path.name


def test_levers_command_says_where_citations_resolve(capsys):
    from model.cli import main

    assert main(["levers", "peer_review"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("docs/sources.md lists them (title, publisher, year, "
                                                     "address, what is used).")
