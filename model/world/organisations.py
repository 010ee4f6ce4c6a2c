"""The organisations of the simulated public sector, as one table of arrays.

Municipalities and regions come from the real data shipped in ``model/data`` (SCB codes, names, 2024
populations, SKR groups, coordinates; see ``model/data/SOURCES.md``); the national agencies from
``model/data/agencies.csv``. The table is static and cached: nothing random happens here, so every run
and every replication shares it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Literal

import numpy as np

MUNICIPALITY, REGION, AGENCY = 0, 1, 2
KIND_NAMES = ("municipality", "region", "agency")
#: a kind of organisation as scenario files name it
OrgKind = Literal["municipality", "region", "agency"]

#: Size bands of the official statistics (upper bounds exclusive), and their labels.
SIZE_BAND_EDGES = (10_000, 20_000, 50_000, 100_000)
SIZE_BANDS = ("<10k", "10-20k", "20-50k", "50-100k", ">100k")

SKR_GROUPS = ("A1", "A2", "B3", "B4", "B5", "C6", "C7", "C8", "C9")


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file shipped in ``model/data`` (codes stay strings)."""
    with resources.files("model").joinpath("data", name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def size_band(population: np.ndarray) -> np.ndarray:
    """Index into :data:`SIZE_BANDS` for each population."""
    return np.searchsorted(np.asarray(SIZE_BAND_EDGES), population, side="right")


@dataclass(frozen=True)
class Organisations:
    """Static attributes of every organisation; index ``i`` is the organisation's row in all state arrays."""

    kind: np.ndarray  # int8, MUNICIPALITY / REGION / AGENCY
    code: tuple[str, ...]  # SCB kommunkod, länskod prefixed 'R', or agency id
    name: tuple[str, ...]
    county: np.ndarray  # index into `counties`, -1 for agencies
    population: np.ndarray  # inhabitants served; 0 for agencies
    scale: np.ndarray  # population-equivalent size that sets capacity and enthusiasts (agencies: staff)
    skr_group: np.ndarray  # index into SKR_GROUPS, -1 unless a municipality
    size_band: np.ndarray  # index into SIZE_BANDS, -1 unless a municipality
    lat: np.ndarray
    lon: np.ndarray
    roles: tuple[tuple[str, ...], ...]  # agencies' roles; empty for others
    counties: tuple[str, ...]  # county names, by county index
    county_codes: tuple[str, ...]
    density: np.ndarray  # inhabitants per km² of land (regions: their county's); NaN for agencies
    hosts: tuple[tuple[str, ...], ...]  # kinds whose national network an agency hosts; empty for others
    delivery_msek: np.ndarray  # MSEK of programmes an agency can deliver a year as a lever's operator; 0 for others
    without: tuple[str, ...] = ()  # agencies left out of this world
    key: tuple = (True, True, ())  # the arguments of load_organisations that made this table

    @property
    def elected(self) -> np.ndarray:
        """(n,) bool: led by elected politicians (municipalities and regions), whose leadership can change
        at general elections; agencies' directors-general are appointed by the government."""
        return self.kind != AGENCY

    @property
    def n(self) -> int:
        """Number of organisations."""
        return len(self.code)

    @cached_property
    def skr_main_group(self) -> np.ndarray:
        """The letter of each municipality's SKR main group (A large cities, B commuter, C smaller
        towns/rural), '' for other organisations."""
        return np.array([SKR_GROUPS[g][0] if g >= 0 else "" for g in self.skr_group])

    @cached_property
    def median_density(self) -> float:
        """The median municipality's inhabitants per km²: the reference of need by sparsity."""
        return float(np.median(self.density[self.kind == MUNICIPALITY]))

    @cached_property
    def median_population(self) -> float:
        """The median municipality's population: the reference size of size-dependent rules."""
        return float(np.median(self.population[self.kind == MUNICIPALITY]))

    def mask(self, kind: int) -> np.ndarray:
        """(n,) bool: organisations of ``kind`` (MUNICIPALITY, REGION or AGENCY)."""
        return self.kind == kind

    def index_of(self, code: str) -> int:
        """Row of the organisation with ``code``; raises ValueError for an unknown code."""
        return self.code.index(code)


@lru_cache(maxsize=1)
def agency_ids() -> tuple[str, ...]:
    """The ids of every national actor in ``model/data/agencies.csv`` (``vinnova``, ``skr``, ...)."""
    return tuple(a["id"] for a in read_csv("agencies.csv"))


@lru_cache(maxsize=16)
def load_organisations(regions: bool = True, agencies: bool = True, without: tuple[str, ...] = ()) -> Organisations:
    """Municipalities first (sorted by code), then regions, then agencies (those not in ``without``)."""
    without = tuple(sorted(without))
    munis = read_csv("municipalities.csv")
    counties = read_csv("regions.csv")
    county_codes = tuple(r["county_code"] for r in counties)
    county_index = {c: i for i, c in enumerate(county_codes)}
    rows: list[dict] = []
    for m in munis:
        pop = float(m["population"])
        rows.append(dict(kind=MUNICIPALITY, code=m["code"], name=m["name"], county=county_index[m["county_code"]],
                         population=pop, scale=pop, skr=SKR_GROUPS.index(m["skr_group_code"]),
                         lat=float(m["lat"]), lon=float(m["lon"]), roles=(), area=float(m["area_km2"]),
                         hosts=(), delivery=0.0))
    county_area = np.zeros(len(counties))
    for m in munis:
        county_area[county_index[m["county_code"]]] += float(m["area_km2"])
    if regions:
        for r in counties:
            pop = float(r["population"])
            c = county_index[r["county_code"]]
            rows.append(dict(kind=REGION, code="R" + r["county_code"], name=_region_name(r["name"]),
                             county=c, population=pop, scale=pop, skr=-1,
                             lat=float(r["seat_lat"]), lon=float(r["seat_lon"]), roles=(), area=county_area[c],
                             hosts=(), delivery=0.0))
    if agencies:
        for a in read_csv("agencies.csv"):
            if a["id"] in without:
                continue
            rows.append(dict(kind=AGENCY, code=a["id"], name=a["name"], county=-1, population=0.0,
                             scale=float(a["staff"]), skr=-1, lat=np.nan, lon=np.nan,
                             roles=tuple(a["roles"].split(";")), area=np.nan,
                             hosts=tuple(h for h in a["hosts"].split(";") if h),
                             delivery=float(a["delivery_msek_per_year"])))
    kind = np.array([r["kind"] for r in rows], dtype=np.int8)
    population = np.array([r["population"] for r in rows])
    band = np.where(kind == MUNICIPALITY, size_band(population), -1)
    return Organisations(
        kind=kind,
        code=tuple(r["code"] for r in rows),
        name=tuple(r["name"] for r in rows),
        county=np.array([r["county"] for r in rows], dtype=np.int16),
        population=population,
        scale=np.array([r["scale"] for r in rows]),
        skr_group=np.array([r["skr"] for r in rows], dtype=np.int8),
        size_band=band.astype(np.int8),
        lat=np.array([r["lat"] for r in rows]),
        lon=np.array([r["lon"] for r in rows]),
        roles=tuple(r["roles"] for r in rows),
        counties=tuple(r["name"] for r in counties),
        county_codes=county_codes,
        density=np.array([r["population"] / r["area"] if r["kind"] != AGENCY else np.nan for r in rows]),
        hosts=tuple(r["hosts"] for r in rows),
        delivery_msek=np.array([r["delivery"] for r in rows]),
        without=without,
        key=(regions, agencies, without),
    )


def _region_name(county_name: str) -> str:
    """'Stockholms län' -> 'Region Stockholm' (Gotland's municipality is also its region)."""
    base = county_name.removesuffix(" län")
    base = base[:-1] if base.endswith("s") and not base.endswith("ss") else base
    return f"Region {base}"
