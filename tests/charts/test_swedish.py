"""A run's charts under ``lang="sv"``: every text drawn is Swedish, numbers in Swedish notation.

:func:`looks_swedish` is deliberately narrow: a text fails when it holds a word of the English captions
and labels (:data:`ENGLISH`), a decimal point between digits, a per cent sign glued to its number, an
English quarter (``Q3``) or ``n/a``. The same charts in English must fail it, so the check can fail.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from model.charts import scenario
from model.charts.maps import adoption_map, map_chart, map_shapes, quarter_label
from model.charts.style import StepFormatter
from model.report.build import year_maps
from tests.charts.support import drawn_texts, shown_as

#: words of the English captions, titles, legends and axis labels of a run's charts (none of them Swedish)
ENGLISH = {
    "adoption", "adopted", "replication", "replications", "year", "years", "quarter", "share", "organisations",
    "municipality", "municipalities", "pilots", "mean", "over", "runs", "of", "the", "and", "lines",
    "line", "colour", "across", "lowest", "highest", "county", "no", "bars", "whiskers", "percentile",
    "innovations", "large", "small", "stalled", "weighted", "population", "served", "part", "computed", "pp",
    "to", "by", "size", "inhabitants", "currently", "scaled", "started", "events", "all", "unweighted",
    "applicable", "pairs", "end", "averaged", "single", "above", "programme", "right", "th",
}
WORD = re.compile(r"[A-Za-zÅÄÖåäöÉé]+")
DECIMAL_POINT = re.compile(r"\d\.\d")
GLUED_PERCENT = re.compile(r"[\d\w]%")  # "67%"; "67 %" and "(%)" pass
QUARTER = re.compile(r"\bQ[1-4]\b")


def english_in(text: str) -> list[str]:
    """What in ``text`` is not Swedish (empty when it looks Swedish)."""
    found = [w for w in WORD.findall(text) if w.lower() in ENGLISH]
    found += DECIMAL_POINT.findall(text) + GLUED_PERCENT.findall(text) + QUARTER.findall(text)
    return found + (["n/a"] if "n/a" in text else [])


def looks_swedish(text: str) -> bool:
    """No English caption word, decimal point between digits, glued ``%``, ``Q3`` or ``n/a`` in ``text``."""
    return not english_in(text)


def texts(fig) -> list[str]:
    """Every non-empty text the figure shows once drawn."""
    return [shown_as(t) for t in drawn_texts(fig) if t.get_text().strip()]


def charts(timeseries: pd.DataFrame, municipalities: pd.DataFrame, lang: str) -> dict:
    """A run's charts drawn in ``lang`` (scenario named in Swedish, so its name is not English)."""
    name = "grundscenario"
    return {
        "diffusion": lambda: scenario.diffusion_chart(timeseries, name, lang, programmes=[(2026.0, 2027.0)]),
        "size bands": lambda: scenario.size_band_chart(timeseries, municipalities, name, lang),
        "gap": lambda: scenario.gap_chart(timeseries, name, lang=lang),
        "pilots": lambda: scenario.pilots_chart(timeseries, name, lang),
        "map": lambda: map_chart(municipalities, name, 2028.0, lang),
        "maps over the years": year_maps(_by_year(municipalities), name, lang),
    }


def _by_year(municipalities: pd.DataFrame) -> pd.DataFrame:
    """A ``municipal_adoption_by_year`` frame: the municipalities at two whole years and a quarter."""
    return pd.concat([municipalities.assign(year=y, adoption_share=municipalities["adoption_share"] * k)
                      for y, k in ((2027.0, 0.5), (2027.5, 0.75), (2028.0, 1.0))], ignore_index=True)


@pytest.mark.parametrize("chart", ["diffusion", "size bands", "gap", "pilots", "map", "maps over the years"])
def test_every_text_of_a_run_chart_looks_swedish(chart, timeseries, municipalities):
    shown = texts(charts(timeseries, municipalities, "sv")[chart]())
    assert shown
    assert not [(t, english_in(t)) for t in shown if not looks_swedish(t)]


@pytest.mark.parametrize("chart", ["diffusion", "size bands", "gap", "pilots", "map"])
def test_the_same_chart_in_english_fails_the_check(chart, timeseries, municipalities):
    shown = texts(charts(timeseries, municipalities, "en")[chart]())
    assert any(not looks_swedish(t) for t in shown)


def test_swedish_captions_name_the_replications_and_the_band_in_swedish(timeseries, municipalities):
    shown = "\n".join(texts(scenario.diffusion_chart(timeseries, "grundscenario", "sv")))
    assert "Scenario: grundscenario · 3 replikeringar" in shown
    assert "2,5:e–97,5:e percentilen" in shown and "95 % av körningarna" in shown


def test_percent_ticks_in_swedish_have_a_space_and_a_decimal_comma():
    formatter = StepFormatter(100.0, "%")
    formatter.lang = "sv"
    formatter.set_locs([0.0, 0.005, 0.01])
    assert [formatter(v) for v in (0.0, 0.005, 0.01)] == ["0,0\u202f%", "0,5\u202f%", "1,0\u202f%"]
    formatter.lang = "en"
    assert formatter(0.005) == "0.5%"


def test_a_map_drawn_inside_a_swedish_chart_speaks_swedish(municipalities):
    codes = map_shapes()[0]
    values = pd.Series(np.linspace(0, 0.67, len(codes) - 1), index=list(codes)[1:])  # one without data
    shown = texts(adoption_map(values, lang="sv"))
    assert "Stockholms län" in shown and "uppgift saknas (1)" in shown
    assert any(t.endswith("\u202f%") for t in shown) and not any(GLUED_PERCENT.search(t) for t in shown)


def test_quarters_in_swedish():
    assert quarter_label(2027.5, "sv") == "2027 kv. 3" and quarter_label(2027.5, "en") == "2027 Q3"
    assert quarter_label(2027.0, "sv") == "2027"


def test_a_levers_target_in_swedish():
    from model.report.groups import target_text

    target = {"kinds": ["municipality"], "size_bands": ["<10k"], "by": "capacity", "share": 0.5}
    assert target_text(target, "sv") == "kommun <10k; störst behov först (lägst kapacitet); 50\u202fprocent av dem"
    assert target_text(target) == "municipality <10k; need first (lowest capacity); 50% of them"


#: English of a run's report outside the scenario's own words (its description, lever and innovation names)
REPORT_ENGLISH = ("replications", "none within the horizon", "feasibility", "unscored", "visits", "scenario file",
                  "root seed", "wall time", "true", "false", "municipality", "more rows", "Takers", "Delivered",
                  "need first", "replication r ran", "platform", "n/a", "Pilots", "Money",
                  "the scenario ends")


@pytest.mark.slow
def test_a_run_report_in_swedish_has_no_english_of_its_own(tmp_path, capsys):
    import html

    import yaml

    from model.cli import main
    from tests.charts.support import ROOT

    data = yaml.safe_load((ROOT / "scenarios" / "baseline.yaml").read_text(encoding="utf-8"))
    data.update(name="lag", description="Förändringsteam.", horizon_years=2, levers=[
        {"type": "change_teams", "budget_msek_per_year": 60, "duration_years": 5,
         "target": {"size_bands": ["<10k"], "by": "capacity"}}])
    scenario_file = tmp_path / "lag.yaml"
    scenario_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(scenario_file), "--reps", "2", "--workers", "1", "--out", str(out), "--quiet",
                 "--lang", "sv"]) == 0
    page = (out / "report.sv.html").read_text(encoding="utf-8")
    shown = html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", re.sub(r"data:[^'\"]+", "", page), flags=re.S))
    assert "Ursprung" in shown and "besök" in shown and "störst behov först" in shown
    assert "men scenariot slutar med 2027" in shown  # the lever runs five years, the scenario two
    assert [word for word in REPORT_ENGLISH if word in shown] == []


def test_a_difference_map_without_tests_reads_swedish_numbers():
    from model.charts.difference_maps import difference_map

    codes = map_shapes()[0]
    differences = pd.Series(np.linspace(-0.015, 0.025, len(codes)), index=list(codes))
    shown = texts(difference_map(differences, "Skillnad", lang="sv"))
    caption = next(t for t in shown if "Över kommunerna" in t)
    assert "median +0,5 p.e." in caption and "62\u202f% över noll" in caption
    assert not [(t, english_in(t)) for t in shown if not looks_swedish(t)]
