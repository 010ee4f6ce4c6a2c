"""Numbers as a reader of one language writes them: one home for the report's, the memo's and the
workbook's number text.

English: ``1,000.5``, ``19.5 %``, ``+1.2 pp``. Swedish (Språkrådet's rules): decimal comma, a narrow
no-break space between thousands (``1 000,5``), ``19,5 procent``, ``−1,2 procentenheter`` in prose
and short units in table cells (``%``, ``p.e.``, ``mnkr``). Negative
numbers take the true minus sign (U+2212) in both. Calendar years are never grouped (``2026``).
Missing values print as ``n/a`` in English and ``–`` in Swedish.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: thin no-break space: the Swedish thousands separator (U+202F), kept on one line with its number
THIN = "\u202f"
MINUS = "\u2212"
MISSING = {"en": "n/a", "sv": "–"}
UNITS = {  # format -> (English short, Swedish short, English prose, Swedish prose)
    "percent": ("%", "%", "%", "procent"),
    "pp": ("pp", "p.e.", "percentage points", "procentenheter"),
    "years": ("years", "år", "years", "år"),
    "msek": ("MSEK", "mnkr", "MSEK", "mnkr"),
}


def missing(lang: str = "en") -> str:
    """What a value that is not there prints as: ``n/a`` (English), ``–`` (Swedish)."""
    return MISSING.get(lang, "n/a")


def number(value: float | None, decimals: int = 1, lang: str = "en", signed: bool = False) -> str:
    """``value`` with ``decimals`` decimals and thousands grouped, in ``lang``'s notation; ``signed``
    prints ``+`` before positive numbers (a difference). NaN/None -> :func:`missing`; infinity -> ``∞``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing(lang)
    value = float(value)
    if math.isinf(value):
        return ("−" if value < 0 else "") + "∞"
    rounded = round(abs(value), max(0, decimals))
    text = f"{rounded:,.{max(0, decimals)}f}"
    if lang == "sv":
        text = text.replace(",", THIN).replace(".", ",")
    sign = "" if rounded == 0 else MINUS if value < 0 else "+" if signed else ""
    return sign + text


def year(value: float | int) -> str:
    """A calendar year, never grouped: ``2026``."""
    return str(int(value))


def unit(kind: str, lang: str = "en", prose: bool = False) -> str:
    """The unit word of a format (``percent``, ``pp``, ``years``, ``msek``) in ``lang``; prose or short."""
    entry = UNITS.get(kind)
    if entry is None:
        return ""
    return entry[(2 if prose else 0) + (lang == "sv")]


def quantity(value: float | None, kind: str, lang: str = "en", signed: bool = False, prose: bool = False,
             decimals: int | None = None) -> str:
    """A value of an outcome format with its unit: shares (0–1) in per cent or percentage points, years,
    MSEK, counts and plain numbers. ``prose``: the unit spelled out (``procentenheter``)."""
    if value is None or math.isnan(float(value)):
        return missing(lang)
    scale = 100 if kind in ("percent", "pp") else 1
    if decimals is None:
        decimals = {"percent": 1, "pp": 1, "years": 1, "number": 3}.get(kind, msek_decimals([value]))
    text = number(float(value) * scale, decimals, lang, signed)
    word = unit(kind, lang, prose)
    return f"{text}{THIN if lang == 'sv' else ' '}{word}" if word else text


def msek_decimals(values: Iterable[float]) -> int:
    """Decimals of a money (or count) column: one format for every row, chosen by its largest finite value
    (0 from 100 up, 1 from 10, else 2)."""
    finite = [abs(float(v)) for v in values if v is not None and math.isfinite(float(v))]
    top = max(finite, default=0.0)
    return 0 if top >= 100 else 1 if top >= 10 else 2


def interval(low: float, high: float, decimals: int, lang: str = "en", signed: bool = True,
             scale: float = 1.0) -> str:
    """``low to high`` (``low till high``) of an interval in one format; ``no interval`` when not defined."""
    if low is None or high is None or (isinstance(low, float) and math.isnan(low) and math.isnan(high)):
        return "inget intervall" if lang == "sv" else "no interval"
    word = "till" if lang == "sv" else "to"
    return (f"{number(low * scale, decimals, lang, signed)} {word} "
            f"{number(high * scale, decimals, lang, signed)}")


def share(part: float, lang: str = "en") -> str:
    """A share (0–1) as a whole per cent in prose: ``75 %`` / ``75 procent``."""
    return quantity(part, "percent", lang, prose=True, decimals=0)
