"""What a scenario assumed, as a reader needs it: the levers with their budgets, years and targets, the
events, the parameters changed from their defaults, and a fingerprint of the whole resolved scenario.

Everything is read from the ``scenario_resolved`` a run's ``manifest.json`` records, so a report says
exactly what ran.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..charts.language import tr
from ..parameters import BY_NAME as PARAMETERS
from ..parameters import defaults
from .groups import target_text
from .sustaingov import lever_ids, placement


def scenario_hash(resolved: dict[str, Any]) -> str:
    """SHA-256 of the resolved scenario as canonical JSON (keys sorted, no spaces): two runs with the same
    hash ran the same scenario."""
    text = json.dumps(resolved, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lever_rows(run, lang: str = "en") -> list[dict[str, Any]]:
    """One row per lever of a :class:`~model.report.folder.RunFolder`: name, type, MSEK per year, the
    simulated years it runs, MSEK budgeted over them, its target in words, SustainGov IDs and placement;
    words in ``lang``."""
    rows = []
    for p in run.levers:
        years = p.active_years(run.start_year, run.end_year)
        ids = lever_ids(p.type)
        where = placement(ids)
        rows.append({
            "lever": p.name or p.type, "type": p.type, "msek_per_year": p.budget_msek_per_year,
            "years": f"{years.start}–{years.stop - 1}" if len(years) else tr("none within the horizon", lang),
            "budgeted_msek": p.budget_msek_per_year * len(years), "target": target_text(p.target, lang),
            "sustaingov": ", ".join(str(i) for i in ids) or "—",
            "placement": (f"{tr('feasibility', lang)} {tr(where[0], lang)}, {tr('value', lang)} {tr(where[1], lang)}"
                          if where else tr("unscored", lang)),
        })
    return rows


def changed_parameters(resolved: dict[str, Any]) -> list[dict[str, Any]]:
    """Model parameters whose value differs from the default: name, value, default, unit, meaning."""
    base = defaults()
    rows = []
    for name, value in sorted((resolved.get("parameters") or {}).items()):
        if name in base and value != base[name]:
            p = PARAMETERS[name]
            rows.append({"parameter": name, "value": value, "default": p.default, "unit": p.unit,
                         "meaning": p.meaning})
    return rows


def changed_settings(resolved: dict[str, Any]) -> list[dict[str, Any]]:
    """World and mechanism settings that differ from a scenario's defaults."""
    from ..scenario import Mechanisms, World

    rows = []
    for key, model in (("world", World), ("mechanisms", Mechanisms)):
        default = model().model_dump(mode="json")
        given = resolved.get(key) or {}
        for field, value in given.items():
            if isinstance(value, dict):
                for sub, v in value.items():
                    if default.get(field, {}).get(sub) != v:
                        rows.append({"setting": f"{key}.{field}.{sub}", "value": v,
                                     "default": default.get(field, {}).get(sub)})
            elif default.get(field) != value:
                rows.append({"setting": f"{key}.{field}", "value": value, "default": default.get(field)})
    return rows


def innovation_rows(resolved: dict[str, Any], lang: str = "en") -> list[dict[str, Any]]:
    """The innovations: name, who they apply to (in ``lang``), complexity, infrastructure need, evidence,
    costs."""
    return [{"innovation": i.get("name"), "applies to": ", ".join(tr(k, lang) for k in i.get("applies_to", [])),
             "complexity": i.get("complexity"), "needs infrastructure": i.get("needs_infrastructure"),
             "evidence": i.get("evidence"), "pilot MSEK": i.get("pilot_cost_msek"),
             "scale MSEK per 10 000": i.get("scale_cost_msek_per_10k")}
            for i in resolved.get("innovations", [])]


def events(resolved: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario's events (mandates, crises, ...) as given, when the scenario has any."""
    found = resolved.get("events") or []
    return [e if isinstance(e, dict) else {"event": e} for e in found]
