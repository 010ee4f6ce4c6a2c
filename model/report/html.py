"""The report: one self-contained HTML file a presenter can open anywhere or send as one attachment.

Images are embedded as data URIs and the page loads nothing else (no scripts, fonts or style sheets from
anywhere), so it works offline and shows no error in a browser's console. A run's report holds its
outcomes with intervals, its fit against the observed record (a run of the history's series:
``record_fit.csv``), what the scenario assumed (levers, budgets, targeting, events, parameters
changed from their defaults), the charts and maps, the lever usage where the run wrote
``lever_usage.csv``, and the provenance (seeds, versions, the hash of the resolved scenario). A
comparison's report holds the memo tables of ``comparison.md``, the frontier, the differences by group
and by municipality, the SustainGov matrix, and each scenario's assumptions and provenance.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from ..charts.language import outcome_title, tr
from ..charts.style import final_year_text, scenario_label
from ..levers.entries import lever_notes
from ..outcomes.catalogue import PRINTED, is_outcome, outcome
from ..results import write_with
from .assumptions import changed_parameters, changed_settings, events, innovation_rows, lever_rows, scenario_hash
from .folder import ComparisonFolder, RunFolder, read_csv, read_file
from .files import chart_folder, localised
from ..charts.numbers import missing, number, quantity, year

REPORT = "report.html"
MIME = {".png": "image/png", ".gif": "image/gif"}
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#222;
background:#fafafa;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:1.5rem 2rem 4rem;background:#fff}
h1{font-size:1.7rem;margin:.2rem 0 .4rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:2px solid #e3e3e3;
padding-bottom:.2rem}h3{font-size:1.05rem;margin-top:1.4rem}
p.lead{color:#444;font-size:1.02rem}nav{font-size:.92rem;margin:.6rem 0 1rem}nav a{margin-right:1rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.86rem}th,td{border-bottom:1px solid #e6e6e6;
padding:.28rem .55rem;text-align:left;vertical-align:top}th{background:#f3f3f3}td.n{text-align:right;
font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1.2rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}code{background:#f3f3f3;padding:0 .2rem}
.note{color:#666;font-size:.85rem}
div.headline{background:#f4f8fb;border-left:4px solid #0072b2;padding:.4rem 1.2rem .6rem;margin:.8rem 0 1.2rem;
font-size:1.02rem}div.headline h2{border:0;margin-top:.6rem;font-size:1.2rem}div.headline li{margin:.35rem 0}details{margin:.6rem 0}summary{cursor:pointer;font-weight:600}
@media print{main{max-width:none}nav{display:none}}
"""

TEXT = {
    "outcomes": ("Outcomes", "Utfall"), "assumptions": ("What the scenario assumed", "Antaganden"),
    "charts": ("Charts", "Diagram"), "maps": ("Maps", "Kartor"), "usage": ("Lever usage", "Användning av styrmedel"),
    "provenance": ("Provenance", "Ursprung"), "levers": ("Levers", "Styrmedel"),
    "no_levers": ("No policy levers.", "Inga styrmedel."),
    "parameters": ("Parameters changed from their defaults", "Parametrar ändrade från standardvärdet"),
    "none_changed": ("None: every parameter has its default (docs/parameters.md).",
                     "Inga: alla parametrar har sitt standardvärde (docs/parameters.md)."),
    "settings": ("World and mechanisms changed from the defaults", "Värld och mekanismer ändrade från standard"),
    "events": ("Events", "Händelser"), "innovations": ("Innovations", "Innovationer"),
    "comparison": ("Comparison", "Jämförelse"), "frontier": ("Cost-effectiveness", "Kostnadseffektivitet"),
    "groups": ("For whom", "För vem"), "sustaingov": ("SustainGov matrix", "SustainGov-matrisen"),
    "scenarios": ("Scenarios", "Scenarier"),
    "record": ("Fit against the record", "Jämfört med det uppmätta"),
}


def _t(key: str, lang: str) -> str:
    return TEXT[key][lang == "sv"]


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


#: column heads of the report's tables for the raw names of the files' columns: English, Swedish
HEADS = {
    "lever": ("Lever", "Styrmedel"), "type": ("Type", "Typ"), "msek_per_year": ("MSEK a year", "mnkr per år"),
    "years": ("Years", "År"), "budgeted_msek": ("Budgeted (MSEK)", "Budgeterat (mnkr)"),
    "target": ("Target", "Målgrupp"), "sustaingov": ("SustainGov IDs", "SustainGov-id"),
    "placement": ("SustainGov placement", "Placering i SustainGov"), "parameter": ("Parameter", "Parameter"),
    "value": ("Value", "Värde"), "default": ("Default", "Standardvärde"), "unit": ("Unit", "Enhet"),
    "meaning": ("Meaning", "Betydelse"), "setting": ("Setting", "Inställning"), "item": ("Item", "Uppgift"),
    "innovation": ("Innovation", "Innovation"), "applies to": ("Applies to", "Gäller"),
    "complexity": ("Complexity", "Komplexitet"), "needs infrastructure": ("Needs infrastructure", "Kräver infrastruktur"),
    "evidence": ("Evidence", "Evidens"), "pilot MSEK": ("Pilot (MSEK)", "Pilot (mnkr)"),
    "scale MSEK per 10 000": ("Scale-up (MSEK per 10 000)", "Uppskalning (mnkr per 10 000)"),
    "outcome": ("Outcome", "Utfall"), "mean": ("Mean", "Medelvärde"), "95 % CI": ("95 % CI", "95 % KI"),
    "95 % of runs": ("95 % of runs", "95 % av körningarna"), "key": ("Key", "Huvudmått"),
    "year": ("Year", "År"), "scenario": ("Scenario", "Scenario"), "measures": ("Measures", "Mäter"),
    "lever_types": ("Lever types", "Typer av styrmedel"), "ids": ("SustainGov IDs", "SustainGov-id"),
    "feasibility": ("Feasibility (report)", "Genomförbarhet (rapporten)"), "value_": ("Value", "Värde"),
    "extra_adoptions_per_msek": ("Extra adoptions per MSEK", "Extra införanden per mnkr"),
    "gap_pp_per_msek": ("Change in small–large gap per MSEK (pp)", "Förändring av gapet per mnkr (p.e.)"),
    "incremental_cost_msek": ("Incremental cost (MSEK)", "Merkostnad (mnkr)"),
}


def head(column: Any, lang: str = "en") -> str:
    """A table's column head: :data:`HEADS`'s words for a file's raw column name, else the name made
    readable (``placed_msek`` -> ``Placed (MSEK)``)."""
    name = str(column)
    if name in HEADS:
        return HEADS[name][lang == "sv"]
    words = name.replace("_msek", " (MSEK)").replace("_", " ").strip()
    return tr(words[:1].upper() + words[1:], lang)


def _is_year(column: Any) -> bool:
    return "year" in str(column).lower() and "per_year" not in str(column) and "years_" not in str(column)


def _number(value: Any, lang: str = "en", column: Any = "") -> str:
    if isinstance(value, bool) or value is None:
        return _esc(missing(lang) if value is None else tr(str(value).lower(), lang))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return missing(lang)
        if _is_year(column) and float(value).is_integer():
            return year(value)  # a calendar year is never grouped: 2026, not 2,026
        if isinstance(value, float) and not value.is_integer():
            return number(value, 3 if abs(value) < 1 else 2, lang)
        return number(value, 0, lang)
    return _esc(value)


def table(rows: Iterable[Mapping[str, Any]] | pd.DataFrame, limit: int = 400, lang: str = "en") -> str:
    """An HTML table of ``rows`` (dicts or a frame); readable column heads (:func:`head`), numbers
    right-aligned in ``lang``'s notation, calendar years ungrouped, columns with no value in any row left
    out; at most ``limit`` rows."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if frame.empty:
        return ""
    frame = frame.loc[:, [c for c in frame.columns if not frame[c].isna().all()]]
    heads = "".join(f"<th>{_esc(head(c, lang))}</th>" for c in frame.columns)
    body = []
    for row in frame.head(limit).itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row):
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            text = _number(value, lang, column)
            cells.append(f"<td class='n'>{text}</td>" if numeric else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = (f"<p class='note'>{number(len(frame) - limit, 0, lang)} {tr('more rows in the CSV file.', lang)}</p>"
            if len(frame) > limit else "")
    return f"<table><thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def image(path: Path, alt: str, lang: str = "en") -> str:
    """A figure with the image at ``path`` embedded as a data URI ("" when the file is absent); ``alt``,
    its caption, in ``lang`` (:func:`~model.charts.language.tr`)."""
    if not path.is_file() or path.suffix.lower() not in MIME:
        return ""
    alt = tr(alt, lang)
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f"<figure><img alt='{_esc(alt)}' src='data:{MIME[path.suffix.lower()]};base64,{data}'>"
            f"<figcaption>{_esc(alt)} <span class='note'>({_esc(path.name)})</span></figcaption></figure>")


def _inline(text: str) -> str:
    text = _esc(text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"(?<![*\w])\*([^*]+)\*(?![*\w])", r"<em>\1</em>", text)


def markdown(text: str, shift: int = 1) -> str:
    """The Markdown ``comparison.md`` uses (headings, paragraphs, bullet lists, pipe tables, ``**bold**``,
    ``*italic*``, ``code``) as HTML; headings move down ``shift`` levels."""
    out, rows, items = [], [], []

    def flush() -> None:
        if rows:
            head, body = rows[0], [r for r in rows[2:]]
            out.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
                       + "</tbody></table>")
            rows.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if line.startswith("|"):
            cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append(cells)
            continue
        if line.startswith("- "):
            items.append(line[2:])
            continue
        flush()
        if line.startswith("#"):
            level = min(6, len(line) - len(line.lstrip("#")) + shift)
            out.append(f"<h{level}>{_inline(line.lstrip('#').strip())}</h{level}>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    flush()
    return "\n".join(out)


def _page(title: str, lead: str, sections: list[tuple[str, str, str]], lang: str) -> str:
    """The page; ``lead`` is HTML (the headline of a comparison, a run's description)."""
    nav = "".join(f"<a href='#{key}'>{_esc(name)}</a>" for key, name, body in sections if body)
    parts = "".join(f"<section id='{key}'><h2>{_esc(name)}</h2>{body}</section>" for key, name, body in sections
                    if body)
    made = datetime.now().astimezone().isoformat(timespec="seconds")
    foot = (f"spridning-rapport, skriven {made}. Fristående: varje bild är inbäddad." if lang == "sv" else
            f"spridning report, written {made}. Self-contained: every image is embedded.")
    return (f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<link rel='icon' href='data:,'>"
            f"<title>{_esc(title)}</title><style>{CSS}</style></head><body><main>"
            f"<h1>{_esc(title)}</h1>{lead}<nav>{nav}</nav>{parts}"
            f"<p class='note'>{foot}</p>"
            "</main></body></html>\n")


def _outcomes_table(run: RunFolder, lang: str) -> str:
    rows = []
    for r in run.summary.to_dict("records"):
        if not is_outcome(r["outcome"]) or "." in r["outcome"]:
            continue
        o = outcome(r["outcome"])
        show = lambda v, o=o: quantity(v, o.format, lang)  # noqa: E731  (one notation per language)
        span = lambda low, high: (f"{show(r[low])} – {show(r[high])}"  # noqa: E731  (none: one mark, not three)
                                  if r[low] == r[low] and r[high] == r[high] else missing(lang))
        rows.append({"outcome": outcome_title(o.name, o.title, lang), "mean": show(r["mean"]),
                     "95 % CI": span("ci95_low", "ci95_high"), "95 % of runs": span("run_p2.5", "run_p97.5"),
                     "key": "●" if o.name in PRINTED else ""})
    return table(rows, lang=lang)


def assumptions(run: RunFolder, lang: str) -> str:
    """The assumptions section of one scenario: levers, budget, events, changed parameters and settings,
    innovations."""
    resolved = run.scenario
    out = [f"<p>{_esc(run.description)}</p>" if run.description else ""]
    out.append(f"<p>{run.start_year}–{run.end_year - 1}; {final_year_text(run.end_year, lang)}; "
               f"{run.replications} {'replikeringar' if lang == 'sv' else 'replications'}.</p>")
    levers = lever_rows(run, lang)
    out.append(f"<h3>{_t('levers', lang)}</h3>")
    out.append(table(levers, lang=lang) if levers else f"<p>{_t('no_levers', lang)}</p>")
    if levers:
        total = resolved.get("budget_msek_per_year")
        sv = lang == "sv"
        out.append(f"<p>{'Budgeterat under de simulerade åren' if sv else 'Budgeted over the simulated years'}: "
                   f"{number(run.budgeted(), 0, lang)} {'mnkr' if sv else 'MSEK'}"
                   + (f"; {'portföljens budget' if sv else 'portfolio budget'} {number(total, 0, lang)} "
                      f"{'mnkr per år' if sv else 'MSEK a year'}" if total is not None else "") + ".</p>")
    found = events(resolved)
    if found:
        out += [f"<h3>{_t('events', lang)}</h3>", table(found, lang=lang)]
    out += [f"<h3>{_t('parameters', lang)}</h3>", table(changed_parameters(resolved), lang=lang) or
            f"<p>{_t('none_changed', lang)}</p>"]
    settings = changed_settings(resolved)
    if settings:
        out += [f"<h3>{_t('settings', lang)}</h3>", table(settings, lang=lang)]
    out += [f"<h3>{_t('innovations', lang)}</h3>", table(innovation_rows(resolved, lang), lang=lang)]
    return "".join(out)


def usage(run: RunFolder, lang: str = "en") -> str:
    """``lever_usage.csv`` as a table (means over replications where it has them); "" when absent."""
    frame = run.usage
    if frame is None or frame.empty:
        return ""
    if "replication" in frame.columns:
        keys = [c for c in frame.columns if c != "replication" and not pd.api.types.is_numeric_dtype(frame[c])]
        keys += [c for c in ("year",) if c in frame.columns and c not in keys]
        numeric = [c for c in frame.columns if c not in keys and c != "replication"
                   and pd.api.types.is_numeric_dtype(frame[c])]
        if keys and numeric:
            frame = frame.groupby(keys, as_index=False, sort=False)[numeric].mean()
    if "unit" in frame.columns:  # what the lever delivers, a word of the lever's: in the reader's language
        frame = frame.assign(unit=[tr(u, lang) if isinstance(u, str) else u for u in frame["unit"]])
    means = "replication" in run.usage.columns
    note = (("<p class='note'>Ur lever_usage.csv" + (" (medelvärden över replikeringar)." if means else ".")) if
            lang == "sv" else ("<p class='note'>From lever_usage.csv" + (" (means over replications)." if means else
                                                                         "."))) + "</p>"
    return note + table(frame.round(3), lang=lang)


#: the words of the record's table in Swedish (model.calibrate.record writes them in English)
RECORD_SV = {"in_use": "i bruk", "adopted": "infört", "not_in_use": "inte i bruk", "met": "inom toleransen",
             "missed": "utanför", "reproduced": "återskapat", "not reproduced": "inte återskapat"}


def record(run: RunFolder, lang: str = "en") -> str:
    """The run's fit against the observed record (``record_fit.csv``, ``record_patterns.csv``: written by
    :mod:`model.calibrate.record` for a scenario of the record's series) as tables; "" when absent."""
    if not (run.path / "record_fit.csv").exists():
        return ""
    sv = lang == "sv"
    say = (lambda w: RECORD_SV.get(w, w)) if sv else (lambda w: w)  # noqa: E731
    fit = read_file(run.path, "record_fit.csv", read_csv, run.command).fillna({"band": ""})
    heads = (("serie", "år", "mått", "observerat", "körningarnas medel (95 %)", "tolerans") if sv else
             ("series", "year", "measure", "observed", "run mean (95 % band)", "tolerance"))
    rows = [dict(zip(heads + ("",), (r.series + (f" ({r.band})" if r.band else ""), str(r.year), say(r.measure),
                                     f"{100 * r.observed:.0f} %",
                                     f"{100 * r.mean:.0f} % ({100 * r.band_low:.0f}–{100 * r.band_high:.0f})",
                                     f"±{100 * r.tolerance:.0f} pp", say("met" if r.met else "missed"))))
            for r in fit.itertuples()]
    met = (f"{int(fit['met'].sum())} av {len(fit)} mål inom toleransen" if sv else
           f"{int(fit['met'].sum())} of {len(fit)} targets met")
    note = ("Socialstyrelsens enkäter; ett mål är uppfyllt när körningarnas medel ligger inom två "
            "standardavvikelser (urvalsfel och kalibreringens modellavvikelse) från det uppmätta." if sv else
            "Socialstyrelsen's surveys; a target is met when the runs' mean lies within two standard deviations "
            "(sampling error and the calibration's model discrepancy) of the observed share.")
    out = [f"<p><strong>{_esc(met)}</strong>. {_esc(note)}</p>", table(rows, lang=lang)]
    if (run.path / "record_patterns.csv").exists():
        patterns = read_file(run.path, "record_patterns.csv", read_csv, run.command)
        out.append(table([{("mönster" if sv else "pattern"): r.pattern, ("uppmätt" if sv else "record"): r.observed,
                           ("körningarna" if sv else "run"): r.model, "": say(r.verdict)}
                          for r in patterns.itertuples()], lang=lang))
    return "".join(out)


def provenance(run: RunFolder, lang: str = "en") -> str:
    """Seeds, versions, the hash of the resolved scenario, the file and wall time of one run."""
    m = run.manifest
    rows = [{"item": "scenario", "value": run.name}, {"item": "scenario file", "value": m.get("scenario_file")},
            {"item": "SHA-256 of the resolved scenario", "value": scenario_hash(run.scenario)},
            {"item": "root seed", "value": str(m.get("root_seed"))},
            {"item": "replications", "value": str(m.get("replications"))},
            {"item": "seeds", "value": tr(m.get("seeds_note", ""), lang)},
            {"item": "spridning", "value": m.get("version")}, {"item": "created", "value": m.get("created")},
            {"item": "wall time (s)", "value": _number(m.get("wall_seconds"), lang)}]
    rows = [{"item": tr(r["item"], lang), "value": r["value"]} for r in rows]
    rows += [{"item": tr(k, lang), "value": v} for k, v in (m.get("versions") or {}).items()]
    notes = m.get("notes") or []
    if lang == "sv" and notes:  # the manifest's notes are English: the same notes, said in Swedish
        notes = lever_notes(SimpleNamespace(start_year=run.start_year, levers=run.levers,
                                            horizon_years=run.end_year - run.start_year), "sv") or notes
    return table(rows, lang=lang) + "".join(f"<p class='note'>{_esc(n)}</p>" for n in notes)


def _charts(folder: Path, names: Iterable[tuple[str, str]], lang: str = "en") -> str:
    return "".join(image(folder / name, alt, lang) for name, alt in names)


RUN_CHARTS = (("diffusion.png", "Adoption over time"), ("diffusion_by_size_band.png", "Adoption by municipality size"),
              ("gap_small_large.png", "Gap between large and small municipalities"),
              ("pilots.png", "Pilots started, scaled and stalled"))
RUN_MAPS = (("map.png", "Adoption by municipality at the horizon"),
            ("map_years.png", "Adoption by municipality over the years"),
            ("map_animation.gif", "Adoption by municipality, animated"))
COMPARISON_CHARTS = (("comparison_differences.png", "Paired differences from the baseline"),
                     ("comparison_outcomes.png", "Outcomes by scenario"),
                     ("comparison_diffusion.png", "Adoption over time by scenario"),
                     ("comparison_gap.png", "Gap between large and small municipalities by scenario"))


def _write(folder: Path, text: str, lang: str) -> Path:
    """Write ``text`` as the folder's report in ``lang`` (``report.html``, ``report.sv.html``)."""
    return write_with(folder / localised(REPORT, lang), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def run_report(run: RunFolder, lang: str = "en") -> Path:
    """Write a run folder's ``report.html`` (``report.sv.html`` in Swedish) and return its path."""
    charts = chart_folder(run.path, lang)
    sections = [("outcomes", _t("outcomes", lang), _outcomes_table(run, lang)),
                ("record", _t("record", lang), record(run, lang)),
                ("assumptions", _t("assumptions", lang), assumptions(run, lang)),
                ("charts", _t("charts", lang), _charts(charts, RUN_CHARTS, lang)),
                ("maps", _t("maps", lang), _charts(charts, RUN_MAPS, lang)),
                ("usage", _t("usage", lang), usage(run, lang)),
                ("provenance", _t("provenance", lang), provenance(run, lang))]
    label = scenario_label(run.name, run.description)
    lead = (f"{run.name}: {run.description}" if run.description else run.name)
    return _write(run.path, _page(f"{label} — spridning", f"<p class='lead'>{_esc(lead)}</p>", sections, lang), lang)


def _maps(charts: Path, labels: dict[str, str], lang: str) -> str:
    sv = lang == "sv"
    out = ""
    for p in sorted(charts.glob("difference_*.png")):
        stem = p.stem[len("difference_"):]
        over = stem.endswith("_years")
        name = stem[: -len("_years")] if over else stem
        what = tr("Difference from the baseline by municipality", lang)
        out += image(p, f"{what}: {labels.get(name, name)}" + ((", över åren" if sv else ", over the years")
                                                               if over else ""), lang)
    return out + "".join(image(p, "Difference from the baseline, animated", lang)
                         for p in sorted(charts.glob("difference_*.gif")))


def comparison_report(comparison: ComparisonFolder, lang: str = "en") -> Path:
    """Write a comparison folder's ``report.html`` (``report.sv.html`` in Swedish), the headline first,
    rewriting ``comparison.md`` and ``comparison.xlsx`` (and, in Swedish, their ``.sv`` versions beside
    them); return its path."""
    from .memo_files import write_memos

    runs, baseline = comparison.runs, comparison.baseline
    charts = chart_folder(comparison.path, lang)
    costs = comparison.optional("cost_effectiveness.csv")
    sv = lang == "sv"
    if costs is not None:
        written = write_memos(comparison.path, runs, comparison.table, costs, baseline,
                              comparison.optional("differences_by_group.csv"), lang)
        labels = written.labels
        lead_md = "\n".join(["## " + ("Svaret på en minut" if sv else "In one minute"), ""] + written.top)
        lead = f"<div class='headline'>{markdown(lead_md, shift=0)}</div>"
        memo = markdown(written.text.split("\n".join(written.top), 1)[-1], shift=0)  # the tables after it
    else:
        from ..charts.style import scenario_labels

        labels, lead, memo = scenario_labels({n: r.description for n, r in runs.items()}), "", ""
    per_scenario = "".join(
        f"<details{' open' if name == baseline else ''}><summary>{_esc(labels[name])} (<code>{_esc(name)}</code>)"
        f"</summary>{assumptions(run, lang)}"
        f"<h3>{_t('provenance', lang)}</h3>{provenance(run, lang)}"
        + (f"<h3>{_t('usage', lang)}</h3>{usage(run, lang)}" if run.usage is not None else "") + "</details>"
        for name, run in runs.items())
    sustaingov = comparison.optional("sustaingov.csv")
    sections = [
        ("comparison", _t("comparison", lang), memo + _charts(charts, COMPARISON_CHARTS, lang)),
        ("frontier", _t("frontier", lang), _charts(charts, (("frontier.png", "Cost-effectiveness frontier"),), lang)),
        ("groups", _t("groups", lang), _charts(charts, (("differences_by_group.png",
                                                          "Differences by county, size band, SKR group and target group"),),
                                               lang)),
        ("maps", _t("maps", lang), _maps(charts, labels, lang)),
        ("sustaingov", _t("sustaingov", lang), _charts(charts, (("sustaingov.png", "SustainGov matrix"),), lang)
         + (table(sustaingov.round(4), lang=lang) if sustaingov is not None else "")),
        ("scenarios", _t("scenarios", lang), per_scenario),
    ]
    title = ("Jämförelse av portföljer" if sv else "Comparison of portfolios") + " — spridning"
    return _write(comparison.path, _page(title, lead, sections, lang), lang)
