"""The comparison memo on a constructed comparison whose answer is known: the headline names the right
portfolio on each question, the tables have at most six columns and no column without a value, Swedish
numbers are written as Swedes write them, the Swedish memo and workbook lie beside the English ones, and
the workbook's numbers are numbers."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from model.outcomes.catalogue import COMPARED
from model.report.costs import cost_effectiveness
from model.report.files import chart_folder, localised
from model.report.headline import headline, replication_ranking
from model.report.memo_files import write_memos
from model.charts.numbers import THIN, number, quantity
from model.report.html import table as html_table

REPS = 6
#: per scenario: final adoption, gap small-large and adoptions added per replication (known answers:
#: "wide" raises adoption most, "equal" narrows the gap most, "cheap" costs least per extra adoption)
DESIGN = {"base": (0.20, 0.10, 0, 0.0), "wide": (0.26, 0.11, 60, 600.0), "equal": (0.22, 0.07, 20, 300.0),
          "cheap": (0.23, 0.10, 40, 100.0)}


def _replications(name: str) -> pd.DataFrame:
    adoption, gap, extra, _cost = DESIGN[name]
    rng = np.random.default_rng(7)
    noise = rng.normal(0, 0.002, REPS)
    noise -= noise.mean()  # the same noise in every scenario: common random numbers
    frame = pd.DataFrame({o: np.full(REPS, 0.5) for o in COMPARED})
    frame["final_adoption"] = adoption + noise
    frame["gap_small_large"] = gap + noise
    frame["time_to_50_years"] = np.nan  # never reached: the column must be left out
    frame["adoptions_final"] = 1000 + extra + np.arange(REPS)
    frame["spend_msek"] = DESIGN[name][3]
    return frame


def _comparison():
    reps = {n: _replications(n) for n in DESIGN}
    rows = []
    for name, frame in reps.items():
        for o in COMPARED:
            diff = frame[o] - reps["base"][o]
            rows.append(dict(scenario=name, outcome=o, mean=frame[o].mean(), ci95_low=np.nan, ci95_high=np.nan,
                             diff_vs_baseline=diff.mean(), diff_ci95_low=diff.mean() - 0.005,
                             diff_ci95_high=diff.mean() + 0.005))
    table = pd.DataFrame(rows)
    costs = cost_effectiveness({n: f["adoptions_final"].to_numpy(float) for n, f in reps.items()},
                               {n: f["spend_msek"].to_numpy(float) for n, f in reps.items()}, "base",
                               budgeted={n: DESIGN[n][3] * 1.5 for n in reps})
    groups = pd.DataFrame([dict(scenario="wide", group_type="size_band", group=b, label=b, municipalities=m,
                                baseline_mean=0.1, mean=0.1 + d, diff=d, diff_ci95_low=d - 0.01, diff_ci95_high=d + 0.01)
                           for b, m, d in (("<10k", 120, 0.08), (">100k", 170, 0.02))])
    return reps, table, costs, groups


def _runs(tmp_path, reps):
    return {n: SimpleNamespace(path=tmp_path / n, usage=None, manifest={"root_seed": 1}, description=f"{n} portfolio. More.",
                               start_year=2026, end_year=2029, replication_table=f,
                               used_per_replication=lambda f=f: f["spend_msek"].to_numpy(float))
            for n, f in reps.items()}


def test_the_headline_says_when_a_portfolio_reverses_the_gap():
    # "equal" closes the baseline's 10 pp gap and goes past it (-12 pp): the small ones then lead, which
    # "narrows the gap" would hide
    reps, table, costs, groups = _comparison()
    row = (table.scenario == "equal") & (table.outcome == "gap_small_large")
    table.loc[row, ["diff_vs_baseline", "diff_ci95_low", "diff_ci95_high"]] = (-0.12, -0.125, -0.115)
    text = "\n".join(headline(table, costs, "base", {n: n.upper() for n in DESIGN}, "end of 2028", groups, None))
    assert "**Equality:** **EQUAL** closes the gap between large and small municipalities and reverses it" in text
    assert "narrows the gap" not in text


def test_the_headline_names_the_known_best_portfolio_on_each_question():
    reps, table, costs, groups = _comparison()
    ranking = replication_ranking(reps, {n: f["spend_msek"].to_numpy(float) for n, f in reps.items()}, "base")
    labels = {n: n.upper() for n in DESIGN}
    lines = headline(table, costs, "base", labels, "end of 2028", groups, ranking)
    text = "\n".join(lines)
    assert "**Diffusion:** **WIDE** raises final adoption most" in text
    assert "+6.0 percentage points" in text and "from the baseline's 20.0 %" in text
    assert "**Equality:** **EQUAL** narrows the gap" in text and "−3.0 percentage points" in text
    assert "**Cost:** **CHEAP** costs least per extra adoption: 2.50 MSEK" in text
    assert "most in municipalities of under 10 000 inhabitants: +8.0 percentage points" in text
    assert "final adoption: WIDE best in 100 % of 6 replications" in text
    best = ranking.set_index(["outcome", "scenario"])["share_best"]
    assert best[("final_adoption", "wide")] == 1.0 and best[("gap_small_large", "equal")] == 1.0
    assert best[("cost_per_extra_adoption_msek", "cheap")] == 1.0 and best[("final_adoption", "equal")] == 0.0


def test_swedish_numbers_use_a_decimal_comma_thin_spaces_and_swedish_units():
    assert number(1000.5, 1, "sv") == f"1{THIN}000,5"
    assert quantity(0.195, "percent", "sv", prose=True) == f"19,5{THIN}procent"
    assert quantity(-0.012, "pp", "sv", signed=True, prose=True) == f"−1,2{THIN}procentenheter"
    assert number(float("nan"), 1, "sv") == "–" and number(float("nan"), 1) == "n/a"
    assert number(1000.5, 1) == "1,000.5" and quantity(-0.012, "pp", signed=True) == "−1.2 pp"
    assert number(-0.0001, 1) == "0.0"  # no "−0.0"


def test_the_memo_tables_have_at_most_six_columns_and_no_column_without_a_value(tmp_path):
    reps, table, costs, groups = _comparison()
    memo = write_memos(tmp_path, _runs(tmp_path, reps), table, costs, "base", groups)
    heads = [line for line in memo.text.splitlines() if line.startswith("| Portfolio")]
    assert heads and all(line.count("|") - 1 <= 6 for line in heads)
    assert "Years to 50 % adoption" not in "".join(heads)  # no value in any row: left out, and said so
    assert "*Years to 50 % adoption*: no scenario has a value" in memo.text
    rows = [line for line in memo.text.splitlines() if line.startswith("| ") and not line.startswith("| Portfolio")]
    columns = list(zip(*[[c.strip() for c in r.strip("|").split("|")] for r in rows if r.count("|") == 7]))
    assert not any(all(c == "n/a" for c in column) for column in columns)
    assert "| Baseline (no new levers) |" in memo.text and "Rests on:" in memo.text
    assert "simulation noise only" in memo.text and "assumptions" in memo.text


def test_swedish_memo_and_workbook_are_written_beside_the_english_ones_with_numbers_as_numbers(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    reps, table, costs, groups = _comparison()
    runs = _runs(tmp_path, reps)
    write_memos(tmp_path, runs, table, costs, "base", groups)
    english = (tmp_path / "comparison.md").read_text(encoding="utf-8")
    memo = write_memos(tmp_path, runs, table, costs, "base", groups, "sv")
    assert (tmp_path / "comparison.md").read_text(encoding="utf-8") == english  # not overwritten
    swedish = (tmp_path / "comparison.sv.md").read_text(encoding="utf-8")
    assert swedish == memo.text and "Svaret på en minut" in swedish and "procentenheter" in swedish
    assert "Jämförelsealternativ (inga nya styrmedel)" in swedish and "n/a" not in swedish
    assert f"20,0{THIN}%" in swedish and f"2,50{THIN}mnkr" in swedish
    for name in ("comparison.xlsx", "comparison.sv.xlsx"):
        book = openpyxl.load_workbook(tmp_path / name)
        assert len(book.sheetnames) >= 7  # the headline, five outcome tables, cost, for whom
        cost = book[book.sheetnames[-2]]
        numbers = [c for row in cost.iter_rows(min_row=2) for c in row[2:10] if c.value is not None]
        assert numbers and all(c.data_type == "n" for c in numbers)
    assert "Kostnad" in openpyxl.load_workbook(tmp_path / "comparison.sv.xlsx").sheetnames
    assert localised("report.html", "sv") == "report.sv.html" and localised("report.html", "en") == "report.html"
    assert chart_folder(tmp_path, "sv") == tmp_path / "charts" / "sv"


def test_report_tables_print_years_ungrouped_and_readable_heads():
    html = html_table([{"year": 2026, "lever": "change_teams", "budgeted_msek": 1000.0, "empty": None}])
    assert ">2026<" in html and "2,026" not in html
    assert "Budgeted (MSEK)" in html and "budgeted_msek" not in html and "Empty" not in html
    swedish = html_table([{"year": 2026, "budgeted_msek": 1234.5}], lang="sv")
    assert ">2026<" in swedish and f"1{THIN}234,50" in swedish
