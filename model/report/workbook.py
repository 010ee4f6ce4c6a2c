"""``comparison.xlsx`` (``comparison.sv.xlsx`` in Swedish): the memo for the analyst who lives in Excel.

One sheet with the headline and the definitions, then one sheet per memo table (the sections of
:func:`model.report.memo.sections`, the cost table and the differences for whom), every number a number
(in the unit its column's head names: per cent, percentage points, MSEK), with a number format, column
widths set and the head row frozen. Excel shows the numbers in its reader's own notation (a Swedish Excel:
decimal comma), so nothing here is text that looks like a number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..charts.language import outcome_title, outcome_unit, tr
from ..outcomes.catalogue import outcome
from ..results import write_with
from .memo import COST_TITLE, sections
from ..charts.numbers import unit

SHEET_MAX = 31  # Excel's limit on a sheet's name
FORMATS = {"percent": "0.0", "pp": "0.0", "years": "0.00", "count": "#,##0.0", "msek": "#,##0.00", "number": "0.000"}
HEAD = {  # column heads of the sheets, English and Swedish
    "portfolio": ("Portfolio", "Portfölj"), "scenario": ("Scenario (file name)", "Scenario (filnamn)"),
    "measure": ("Measure", "Mått"), "unit": ("Unit of the level", "Enhet för nivån"),
    "diff_unit": ("Unit of the difference", "Enhet för skillnaden"),
    "level": ("Baseline level", "Jämförelsealternativets nivå"), "diff": ("Difference from the baseline",
                                                                          "Skillnad mot jämförelsealternativet"),
    "low": ("95 % CI low", "95 % KI, nedre"), "high": ("95 % CI high", "95 % KI, övre"),
    "budgeted": ("Budgeted (MSEK)", "Budgeterat (mnkr)"), "used": ("Used (MSEK)", "Använt (mnkr)"),
    "extra": ("Extra adoptions", "Extra införanden"),
    "per": ("MSEK per extra adoption", "mnkr per extra införande"), "status": ("Frontier", "Front"),
    "icer": ("ICER vs previous on frontier (MSEK)", "Merkostnad per extra införande mot föregående (mnkr)"),
    "group_type": ("Grouping", "Indelning"), "group": ("Group", "Grupp"),
    "municipalities": ("Municipalities", "Kommuner"), "base_share": ("Baseline adoption (%)",
                                                                    "Jämförelsealternativets spridning (%)"),
    "change": ("Difference (percentage points)", "Skillnad (procentenheter)"),
}
SHEETS = {"headline": ("Headline", "Sammanfattning"), "groups": ("For whom", "För vem"),
          "diffusion": ("Diffusion", "Spridning"), "pilots": ("Pilots", "Piloter"), "equality": ("Equality", "Jämlikhet"),
          "spread": ("Spread", "Fördelning"), "durability": ("Durability", "Varaktighet")}


def sheet_name(title: str) -> str:
    """``title`` as Excel allows a sheet's name: without ``[]:*?/\\`` and at most 31 characters."""
    return "".join(" " if c in "[]:*?/\\" else c for c in title).replace("  ", " ").strip()[:SHEET_MAX]


def _h(key: str, lang: str) -> str:
    return HEAD[key][lang == "sv"]


def _number(value) -> float | None:
    """A cell's value: a float, or None (an empty cell) for a missing or infinite value."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _sheet(book, title: str, head: list[str], rows: list[list], formats: Mapping[int, str] | None = None) -> None:
    sheet = book.create_sheet(sheet_name(title))
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(sheet.iter_cols(min_row=1, max_row=sheet.max_row), start=1):
        width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
        fmt = (formats or {}).get(i)
        if fmt:
            for cell in column[1:]:
                if isinstance(cell.value, float):
                    cell.number_format = fmt


def _outcome_rows(table: pd.DataFrame, names, baseline: str, labels: Mapping[str, str], lang: str) -> list[list]:
    rows = table.set_index(["scenario", "outcome"])
    scenarios = [s for s in pd.unique(table["scenario"]) if s != baseline]
    out = []
    for o in names:
        if (baseline, o) not in rows.index:
            continue
        declared = outcome(o)
        k = 100.0 if declared.format in ("percent", "pp") else 1.0
        level_unit = {"percent": "%", "pp": unit("pp", lang)}.get(declared.format, outcome_unit(declared.unit, lang))
        diff_unit = unit("pp", lang) if declared.format in ("percent", "pp") else level_unit
        title = outcome_title(o, declared.title, lang)
        level = _number(rows.loc[(baseline, o), "mean"] * k)
        for s in scenarios:
            r = rows.loc[(s, o)]
            out.append([labels.get(s, s), s, title, level_unit, level, diff_unit, _number(r["diff_vs_baseline"] * k),
                        _number(r["diff_ci95_low"] * k), _number(r["diff_ci95_high"] * k)])
    return out


def workbook(table: pd.DataFrame, costs: pd.DataFrame, baseline: str, labels: Mapping[str, str],
             top: list[str], notes: list[str], groups: pd.DataFrame | None, lang: str = "en"):
    """The workbook as an openpyxl ``Workbook`` (see the module's docstring)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    _sheet(book, SHEETS["headline"][lang == "sv"], ["spridning"],
           [[line.lstrip("- ").replace("**", "").replace("`", "")] for line in top + [""] + notes])
    book[sheet_name(SHEETS["headline"][lang == "sv"])].column_dimensions["A"].width = 160
    head = [_h(k, lang) for k in ("portfolio", "scenario", "measure", "unit", "level", "diff_unit", "diff", "low",
                                  "high")]
    for key, en, sv, names in sections():
        rows = _outcome_rows(table, names, baseline, labels, lang)
        if rows:
            _sheet(book, SHEETS.get(key, (en, sv))[lang == "sv"], head, rows, {i: "0.000" for i in (5, 7, 8, 9)})
    money = [[labels.get(r.scenario, r.scenario), r.scenario, _number(r.budgeted_msek), _number(r.used_msek),
              _number(r.extra_adoptions), _number(r.extra_adoptions_low), _number(r.extra_adoptions_high),
              _number(r.cost_per_extra_adoption_msek), _number(r.cost_per_extra_adoption_msek_low),
              _number(r.cost_per_extra_adoption_msek_high), tr(str(r.status), lang), _number(r.icer_msek)]
             for r in costs.itertuples(index=False)]
    low, high = _h("low", lang), _h("high", lang)
    _sheet(book, COST_TITLE[lang == "sv"], [_h("portfolio", lang), _h("scenario", lang), _h("budgeted", lang),
                                            _h("used", lang), _h("extra", lang), low, high, _h("per", lang), low, high,
                                            _h("status", lang), _h("icer", lang)],
           money, {i: "#,##0.00" for i in (3, 4, 5, 6, 7, 8, 9, 10, 12)})
    if groups is not None and len(groups):
        rows = [[labels.get(r.scenario, r.scenario), tr({"county": "County", "size_band": "Size band",
                                                          "skr_group": "SKR group", "target": "Lever target group"}
                                                         .get(r.group_type, r.group_type), lang),
                 str(r.label or r.group), int(r.municipalities), _number(r.baseline_mean * 100),
                 _number(r.diff * 100), _number(r.diff_ci95_low * 100), _number(r.diff_ci95_high * 100)]
                for r in groups.itertuples(index=False)]
        _sheet(book, SHEETS["groups"][lang == "sv"], [_h("portfolio", lang), _h("group_type", lang),
                                                      _h("group", lang), _h("municipalities", lang),
                                                      _h("base_share", lang), _h("change", lang), low, high],
               rows, {i: "0.00" for i in (5, 6, 7, 8)})
    return book


def write_workbook(path: Path, *args, **kwargs) -> Path:
    """Write :func:`workbook` (same arguments) to ``path`` atomically; return the path."""
    book = workbook(*args, **kwargs)
    return write_with(Path(path), lambda tmp: book.save(tmp))
