"""``spridning levers``: every lever with its parameters, defaults, units and a one-line description.

The listing is generated from the levers' own parameter schemas, so it can never disagree with what a
scenario file accepts. ``--markdown`` prints the same as Markdown tables (used for ``docs/levers.md``).
"""

from __future__ import annotations

import re
import sys
import textwrap
import typing
from typing import Any

from pydantic.fields import FieldInfo

from . import REGISTRY
from .base import LeverParams
from .targeting import Target

COMMON = tuple(LeverParams.model_fields)  # type, name, budget, start_year, duration_years, target
_UNIT = re.compile(r"^\[([^\]]*)\]\s*")


def _type_text(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return " | ".join(str(a) for a in args)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        parts = [_type_text(a) for a in args if a is not type(None)]
        return " | ".join(parts) + (" (optional)" if type(None) in args else "")
    if origin is list:
        return f"list of {_type_text(args[0])}" if args else "list"
    if isinstance(annotation, type):
        return {"float": "number", "int": "whole number", "str": "text", "bool": "true/false"}.get(
            annotation.__name__, annotation.__name__)
    return str(annotation)


def _default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
    else:
        value = field.default
    if value is None:
        return "-"
    if isinstance(value, Target):
        return _target_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]" if value else "[]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _target_text(target: Target) -> str:
    parts = [f"by {target.by}", "kinds " + ", ".join(target.kinds)]
    if target.size_bands:
        parts.append("size_bands " + ", ".join(target.size_bands))
    if target.regions:
        parts.append("regions " + ", ".join(target.regions))
    return "; ".join(parts)


def field_rows(params: type, names: tuple[str, ...] | None = None) -> list[tuple[str, str, str, str, str]]:
    """(name, type, default, unit, meaning) for each field of a parameter model."""
    rows = []
    for name, field in params.model_fields.items():
        if names is not None and name not in names:
            continue
        text = field.description or ""
        match = _UNIT.match(text)
        unit = match.group(1) if match else ""
        meaning = text[match.end():] if match else text
        rows.append((name, _type_text(field.annotation), _default_text(field), unit, meaning))
    return rows


def lever_rows(cls) -> list[tuple[str, str, str, str, str]]:
    """The lever's own parameters, then the common ones whose defaults it changes (e.g. its target)."""
    own = [r for r in field_rows(cls.Params) if r[0] not in COMMON]
    common = {r[0]: r for r in field_rows(LeverParams)}
    changed = [r for r in field_rows(cls.Params) if r[0] in COMMON and r[0] != "type" and r != common.get(r[0])]
    return own + changed


def _ids(cls) -> str:
    ids = cls.ids()
    return "SustainGov ID " + ", ".join(str(i) for i in ids) if ids else "no SustainGov ID"


def operator_text(cls) -> str:
    """Who delivers a lever: its default operator, the roles another must have, whether regions can."""
    regions = "; or regions (each for its own municipalities)" if cls.regional else ""
    return f"default {cls.default_operator}; any national actor with a role in {', '.join(cls.operator_roles)}{regions}"


#: how to read a citation such as "000 L1808-1824" (the last line of ``spridning levers``)
CITATIONS = ("Citations such as 000 L1808-1824 are lines of the five source reports; docs/sources.md lists them "
             "(title, publisher, year, address, what is used).")


def plain(names: list[str] | None = None) -> str:
    """The text ``spridning levers`` prints."""
    out = []
    width = 100
    for name in names or sorted(REGISTRY):
        cls = REGISTRY[name]
        out.append(f"{name}  ({_ids(cls)})")
        out.append(textwrap.indent(textwrap.fill(cls.description, width - 4), "    "))
        out.append(textwrap.indent(textwrap.fill(f"scores: {cls.scores}", width - 4), "    "))
        out.append(textwrap.indent(textwrap.fill(f"evidence: {cls.evidence}", width - 4), "    "))
        out.append(textwrap.indent(textwrap.fill(f"operator: {operator_text(cls)}", width - 4), "    "))
        for row in lever_rows(cls):
            pname, kind, default, unit, meaning = row
            cost = "  (unit cost)" if pname in cls.unit_cost_fields else ""
            head = f"    {pname} = {default}" + (f"  [{unit}]" if unit else "") + cost
            out.append(head)
            if meaning:
                out.append(textwrap.indent(textwrap.fill(meaning, width - 8), "        "))
        out.append("")
    out.append("Every lever also takes (defaults shown):")
    for pname, kind, default, unit, meaning in field_rows(LeverParams):
        head = f"    {pname} = {default}" + (f"  [{unit}]" if unit else "")
        out.append(head)
        out.append(textwrap.indent(textwrap.fill(meaning, width - 8), "        "))
    out.append("target (who a lever reaches) takes:")
    for pname, kind, default, unit, meaning in field_rows(Target):
        head = f"    {pname} = {default}" + (f"  [{unit}]" if unit else "") + f"  ({kind})"
        out.append(head)
        out.append(textwrap.indent(textwrap.fill(meaning, width - 8), "        "))
    out.append("")
    out.append(CITATIONS)
    return "\n".join(out)


def _md_table(rows, cost_fields=()) -> list[str]:
    lines = ["| parameter | default | unit | meaning |", "|---|---|---|---|"]
    for pname, kind, default, unit, meaning in rows:
        flag = " **(unit cost)**" if pname in cost_fields else ""
        cell = lambda s: s.replace("|", "\\|")  # noqa: E731
        lines.append(f"| `{pname}` | {cell(default)} | {cell(unit)} | {cell(meaning)}{flag} |")
    return lines


def markdown(names: list[str] | None = None) -> str:
    """The parameter tables of ``docs/levers.md``."""
    out = []
    for name in names or sorted(REGISTRY):
        cls = REGISTRY[name]
        out.append(f"### `{name}` parameters ({_ids(cls)})")
        out.append("")
        out.append(f"Operator: {operator_text(cls)}.")
        out.append("")
        out.extend(_md_table(lever_rows(cls), cls.unit_cost_fields))
        out.append("")
    out.append("### Parameters every lever takes")
    out.append("")
    out.extend(_md_table(field_rows(LeverParams)))
    out.append("")
    out.append("### `target`")
    out.append("")
    out.extend(_md_table(field_rows(Target)))
    return "\n".join(out)


START, END = "<!-- levers:start -->", "<!-- levers:end -->"
#: the markers of the effect-parameter table (:func:`model.levers.anchors.markdown`)
EFFECTS_START, EFFECTS_END = "<!-- effects:start -->", "<!-- effects:end -->"


def write_docs(path=None) -> bool:
    """Put the current parameter tables and the effect-parameter table between their markers in
    ``docs/levers.md``; True if it changed."""
    from pathlib import Path

    from ..results import replace_between
    from .anchors import markdown as effects_markdown

    path = Path(path) if path else Path(__file__).resolve().parents[2] / "docs" / "levers.md"
    changed = replace_between(path, START, END, markdown())
    return replace_between(path, EFFECTS_START, EFFECTS_END, effects_markdown()) or changed


if __name__ == "__main__":  # pragma: no cover - documentation helper
    if "--write" in sys.argv:
        print("docs/levers.md updated" if write_docs() else "docs/levers.md already current")
    else:
        sys.stdout.write(markdown() + "\n")
