"""Place names as people write them: the one home for resolving counties (regions) and municipalities.

A county (län) — and the region (regional authority) that serves it — may be written as

- its county name, with or without ``län``: ``"Stockholms län"``, ``"Stockholm"``, ``"Stockholms"``;
- its region's name, generic or official: ``"Region Stockholm"``, ``"Region Sörmland"``,
  ``"Västra Götalandsregionen"``, ``"Region Jämtland Härjedalen"``, ``"Region Jönköpings län"``;
- its two-digit county code (``"01"``, ``"R01"``, or the YAML numbers ``1`` / ``01``), or its county letter
  (länsbokstav: ``AB``, ``C``, ``D`` … ``BD``);
- in English: ``"Stockholm County"``;
- in common short forms: ``"VG"`` / ``"VGR"`` (Västra Götaland), ``"Norrbotten län"``.

A land (landsdel: Norrland, Svealand, Götaland) or a province (landskap: Lappland, Hälsingland, Småland…)
is not a county: it is refused, and the message names the counties it lies in (:data:`LANDS`), to list
instead.

Names are compared after :func:`model.names.normalise` (Unicode NFC, casefolded), so a name stored in
decomposed form (NFD) and one in composed form are the same name.

A municipality is written by name (``"Uppsala"``, ``"Uppsala kommun"``, ``"Stockholms stad"``) or by its
four-digit code (``"0380"``). Six names are both a county and a municipality (Stockholm, Uppsala,
Jönköping, Kalmar, Gotland, Örebro): a field that means a county (``target.regions``) reads them as the
county (:func:`county_index`); a field that may take either must ask (:func:`resolve_place` raises an
error listing both readings), never guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ..errors import suggest
from ..names import normalise
from .organisations import read_csv

#: the county letter (länsbokstav) of each county code
COUNTY_LETTERS = {"01": "AB", "03": "C", "04": "D", "05": "E", "06": "F", "07": "G", "08": "H", "09": "I",
                  "10": "K", "12": "M", "13": "N", "14": "O", "17": "S", "18": "T", "19": "U", "20": "W",
                  "21": "X", "22": "Y", "23": "Z", "24": "AC", "25": "BD"}
#: the regions' own names (and common short forms) where they are not "Region <county>"
REGION_NAMES = {
    "04": ("Region Sörmland", "Sörmland", "Sörmlands län"),
    "06": ("Region Jönköpings län",),
    "08": ("Region Kalmar län",),
    "14": ("Västra Götalandsregionen", "VG", "VGR", "VG-regionen", "Region VG"),
    "18": ("Region Örebro län",),
    "23": ("Region Jämtland Härjedalen", "Jämtland Härjedalen"),
}
#: lands (landsdelar) and provinces (landskap) that are not one county: the codes of the counties they lie
#: in (mostly or partly: a province's borders are not a county's), named when one is written for a county
LANDS = {
    "Norrland": ("21", "22", "23", "24", "25"),
    "Svealand": ("01", "03", "04", "17", "18", "19", "20"),
    "Götaland": ("05", "06", "07", "08", "09", "10", "12", "13", "14"),
    "Lappland": ("25", "24"), "Ångermanland": ("22", "24"), "Medelpad": ("22",), "Härjedalen": ("23",),
    "Hälsingland": ("21",), "Gästrikland": ("21",), "Uppland": ("03", "01"), "Närke": ("18",),
    "Västergötland": ("14",), "Bohuslän": ("14",), "Dalsland": ("14",), "Småland": ("06", "07", "08"),
    "Öland": ("08",), "Mälardalen": ("01", "03", "04", "18", "19"),
}
#: how a county may be written, for messages
COUNTY_FORMS = ("a county name ('Stockholms län' or 'Stockholm'), a region name ('Region Stockholm'), "
                "a county code ('01' or 'R01') or a county letter ('AB')")

PlaceKind = Literal["county", "municipality"]


@dataclass(frozen=True)
class Place:
    """A resolved place: its kind, official code and official name."""

    kind: PlaceKind
    code: str
    name: str


def _short(county_name: str) -> tuple[str, str]:
    """'Stockholms län' -> ('Stockholms', 'Stockholm')."""
    base = county_name.removesuffix(" län")
    short = base[:-1] if base.endswith("s") and not base.endswith("ss") else base
    return base, short


@lru_cache(maxsize=1)
def _counties() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(code, name, every way of writing it) for each county, in county index order."""
    out = []
    for row in read_csv("regions.csv"):
        code, name = row["county_code"], row["name"]
        base, short = _short(name)
        forms = (name, base, short, f"Region {short}", f"{short} County", f"{short} län", code, "R" + code,
                 COUNTY_LETTERS.get(code, code)) + REGION_NAMES.get(code, ())
        out.append((code, name, forms))
    return tuple(out)


@lru_cache(maxsize=1)
def _municipalities() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(code, name, every way of writing it) for each municipality."""
    out = []
    for row in read_csv("municipalities.csv"):
        code, name = row["code"], row["name"]
        genitive = name if name.endswith("s") else name + "s"
        forms = (name, code, f"{name} kommun", f"{genitive} kommun", f"{name} stad", f"{genitive} stad")
        out.append((code, name, forms))
    return tuple(out)


@lru_cache(maxsize=2)
def _lookup(kind: PlaceKind) -> dict[str, int]:
    table = _counties() if kind == "county" else _municipalities()
    return {normalise(form): i for i, (_, _, forms) in enumerate(table) for form in forms}


def _key(label: Any, kind: PlaceKind) -> str | None:
    """The comparison form of ``label``; YAML numbers are codes (``1`` -> ``"01"``, ``380`` -> ``"0380"``)."""
    if isinstance(label, bool):
        return None
    if isinstance(label, int):
        return f"{label:02d}" if kind == "county" else f"{label:04d}"
    if isinstance(label, str):
        text = normalise(label)
        if text.isdigit():
            return text.zfill(2 if kind == "county" else 4)
        if kind == "county" and text[:1] == "r" and text[1:].isdigit():
            return "r" + text[1:].zfill(2)  # R1 is R01
        return text
    return None


def county_index(label: Any) -> int | None:
    """The county index (row of ``regions.csv``, as in :class:`~model.world.organisations.Organisations`)
    that ``label`` names, read as a county even where it is also a municipality's name; None if none."""
    key = _key(label, "county")
    return None if key is None else _lookup("county").get(key)


def county_code(label: Any) -> str | None:
    """The two-digit county code ``label`` names (see :func:`county_index`), or None."""
    index = county_index(label)
    return None if index is None else _counties()[index][0]


def municipality_code(label: Any) -> str | None:
    """The four-digit code of the municipality ``label`` names, or None."""
    key = _key(label, "municipality")
    index = None if key is None else _lookup("municipality").get(key)
    return None if index is None else _municipalities()[index][0]


def county_problem(label: Any, forms: bool = True) -> str | None:
    """Why ``label`` names no county (with the closest county or region name, and — with ``forms`` — how a
    county may be written), or None if it does."""
    use = f"; use {COUNTY_FORMS}" if forms else ""
    if isinstance(label, bool):
        return f"expected a county name or code, got a yes/no value ({str(label).lower()}){use}"
    if county_index(label) is not None:
        return None
    if (land := land_problem(label)) is not None:
        return land
    names = [name for _, name, _ in _counties()] + [f"Region {_short(n)[1]}" for _, n, _ in _counties()]
    names += [alias for aliases in REGION_NAMES.values() for alias in aliases]
    hint = suggest(str(label), names + list(LANDS), same=normalise)
    land = next((land_problem(land) for land in LANDS if hint == f" (did you mean '{land}'?)"), None)
    if land is not None:  # 'Norland': the land it is closest to is not a county either
        return f"unknown region '{label}'{hint}; {land}"
    return f"unknown region '{label}'{hint}{use}"


def land_problem(label: Any) -> str | None:
    """For a land or province written where a county belongs (``Norrland``), why it is not one and the
    counties to write instead; None for anything else."""
    if not isinstance(label, str):
        return None
    lands = {normalise(land): land for land in LANDS}
    land = lands.get(normalise(label).removesuffix(" län"))
    if land is None:
        return None
    names = [_short(name)[1] for code in LANDS[land] for c, name, _ in _counties() if c == code]
    listed = ", ".join(names)
    if len(names) == 1:
        return f"'{label}' is a province (landskap), not a county; it lies in {names[0]}: write '{names[0]}'"
    kind = "a land (landsdel)" if land in ("Norrland", "Svealand", "Götaland") else "a province or area"
    return (f"'{label}' is {kind} of several counties, not one county; list its counties instead: "
            f"[{listed}]")


def resolve_place(label: Any, kinds: tuple[PlaceKind, ...] = ("county", "municipality")) -> Place:
    """The one place ``label`` names among ``kinds``; ``ValueError`` if it names none, or more than one
    (a name that is both a county and a municipality lists both readings and how to write each)."""
    found: list[Place] = []
    if "county" in kinds and (index := county_index(label)) is not None:
        code, name, _ = _counties()[index]
        found.append(Place("county", code, name))
    if "municipality" in kinds and (code := municipality_code(label)) is not None:
        name = next(n for c, n, _ in _municipalities() if c == code)
        found.append(Place("municipality", code, name))
    if len(found) == 1:
        return found[0]
    if not found:
        if kinds == ("county",):
            raise ValueError(county_problem(label))
        if "county" in kinds and (land := land_problem(label)) is not None:
            raise ValueError(land)
        names = [n for _, n, _ in _municipalities()] * ("municipality" in kinds)
        names += [n for _, n, _ in _counties()] * ("county" in kinds)
        raise ValueError(f"unknown place '{label}'{suggest(str(label), names, same=normalise)}; use a "
                         + " or a ".join(kinds) + " name or code")
    county, muni = found
    raise ValueError(
        f"'{label}' is both a county ({county.name}, code {county.code}) and a municipality ({muni.name}, code "
        f"{muni.code}); write '{county.name}' or 'Region {_short(county.name)[1]}' for the county, or "
        f"'{muni.name} kommun' or '{muni.code}' for the municipality")
