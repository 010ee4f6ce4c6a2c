"""The observed record: published shares of Swedish municipalities that took up welfare technologies.

The package ships the file (``model/data/observed/welfare_technology_adoption.csv``, sources in its
README): one row per series, survey year and printed number, with the address it was read from.
:func:`read_observed` reads it (or another file of the same columns) into one row per series and year —
the *points* a calibration can fit — with the sampling error of each share:

- a share is ``share_pct / 100``; a row without ``share_pct`` holds a count of municipalities
  (``n_municipalities``), read as that count over :data:`MUNICIPALITIES`;
- rows repeating a series and year (the 2014 digital-alarm share, printed as 8 % and as 9 %) become one
  point at their mean, with the smallest denominator printed;
- the binomial standard error of a share *p* of *n* municipalities is sqrt(*p*(1 − *p*)/*n*), *n* the
  printed denominator or :data:`MUNICIPALITIES`.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError

#: the shipped observed file
OBSERVED_FILE = Path(__file__).resolve().parents[1] / "data" / "observed" / "welfare_technology_adoption.csv"
#: the shipped shares by municipal size band (Socialstyrelsen 2022; sources in the folder's README and quotes.md)
BY_SIZE_FILE = OBSERVED_FILE.with_name("welfare_technology_by_size.csv")
#: Socialstyrelsen's size groups (the by-size file's ``size_group``) as the model's size bands
SIZE_GROUPS = {"<10 000 invånare": "<10k", "10–20 000 invånare": "10-20k", "20–50 000 invånare": "20-50k",
               "50–100 000 invånare": "50-100k", ">100 000 invånare": ">100k"}
#: Sweden's municipalities: the denominator of a share whose row prints none
MUNICIPALITIES = 290
COLUMNS = ("innovation", "year", "size_group", "share_pct", "n_municipalities", "source_url")


@dataclass(frozen=True)
class Point:
    """One observed share: a series (the file's ``innovation`` column) in a survey year."""

    series: str
    year: int
    share: float
    n: int
    sources: tuple[str, ...]
    band: str | None = None  # a size band of SIZE_BANDS (a by-size share), or None: the whole country

    @property
    def sampling_sd(self) -> float:
        """The binomial standard error of the share over ``n`` municipalities."""
        return math.sqrt(max(self.share * (1.0 - self.share), 0.0) / self.n)


def read_observed(path: str | Path | None = None) -> list[Point]:
    """The points of the observed file ``path`` (default: the shipped file), ordered by series and year.

    The file is read as a spreadsheet saves it (:func:`read_table`): UTF-8 with or without a byte-order
    mark, or Windows-1252; fields separated by ',' or, as Swedish Excel saves "CSV", by ';' with decimal
    commas. Raises InputError for a missing or unreadable file, missing columns, a cell that is not a
    number (file, row, series and year, column, the value and what to write), or a row with neither a
    share nor a count."""
    path = Path(path) if path is not None else OBSERVED_FILE
    frame, decimal_comma = read_table(path)
    points = []
    for (series, year), rows in _rows(path, frame, decimal_comma):
        shares, ns = [], []
        for line, row in rows:
            share_pct = _number(path, line, series, year, "share_pct", row, decimal_comma)
            printed_n = _number(path, line, series, year, "n_municipalities", row, decimal_comma, whole=True)
            if printed_n is not None and not 1 <= printed_n <= MUNICIPALITIES:
                raise InputError(f"{path}: row {line} ({series}, {year}): n_municipalities {printed_n} is not "
                                 f"between 1 and {MUNICIPALITIES}")
            if share_pct is not None:
                shares.append(share_pct / 100.0)
                if printed_n is not None:
                    ns.append(printed_n)
            elif printed_n is not None:
                shares.append(printed_n / MUNICIPALITIES)
            else:
                raise InputError(f"{path}: row {line} ({series}, {year}): neither share_pct nor "
                                 "n_municipalities is given")
        share = sum(shares) / len(shares)
        if not 0.0 <= share <= 1.0:
            raise InputError(f"{path}: {series} {year}: share {share:.3f} is not between 0 and 1")
        sources = tuple(dict.fromkeys(str(row["source_url"]) for _, row in rows
                                      if isinstance(row["source_url"], str)))
        points.append(Point(series, year, share, min(ns) if ns else MUNICIPALITIES, sources))
    return points


def read_by_size(path: str | Path | None = None) -> list[Point]:
    """The shares by municipal size band of the by-size file ``path`` (default :data:`BY_SIZE_FILE`): one
    point per series, year and band of :data:`SIZE_GROUPS` (the ``Samtliga`` rows, the whole country, are
    in the adoption file), *n* the municipalities of the band that answered (printed per row). Raises
    InputError as :func:`read_observed` does, and for a band row without its share or its count."""
    path = Path(path) if path is not None else BY_SIZE_FILE
    frame, decimal_comma = read_table(path)
    points = []
    for i, row in frame.iterrows():
        line = int(i) + 2
        band = SIZE_GROUPS.get(str(row["size_group"]).strip())
        if band is None:
            continue
        series = str(row["innovation"]).strip()
        year = _number(path, line, series, None, "year", row, decimal_comma, whole=True)
        share_pct = _number(path, line, series, year, "share_pct", row, decimal_comma)
        n = _number(path, line, series, year, "n_municipalities", row, decimal_comma, whole=True)
        if year is None or share_pct is None or n is None or not 1 <= n <= MUNICIPALITIES:
            raise InputError(f"{path}: row {line} ({series}, {band}): a size band's row needs its year, its "
                             f"share_pct and its n_municipalities (1-{MUNICIPALITIES})")
        source = row["source_url"]
        points.append(Point(series, year, share_pct / 100.0, n, (source,) if isinstance(source, str) else (),
                            band))
    return points


def read_table(path: Path) -> tuple[pd.DataFrame, bool]:
    """The cells of the observed file ``path`` as text (empty cells and ``NaN`` missing), and whether
    numbers are written with a decimal comma (a file separated by ';', as Swedish Excel saves "CSV").

    The encoding is UTF-8 (a byte-order mark, as Excel writes it, is dropped) or else Windows-1252 (Excel's
    "CSV" on a Swedish Windows); the separator is the one of ',', ';' and tab that splits the header line
    into the expected column names. Raises InputError naming the file for anything else."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: observed file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the observed file ({exc.strerror or exc})") from None
    text = _decode(path, raw)
    header = text.splitlines()[0] if text.strip() else ""
    if not header.strip():
        raise InputError(f"{path}: the observed file is empty; its first line names the columns "
                         f"{', '.join(COLUMNS)}")
    sep = max((",", ";", "\t"), key=lambda s: sum(c.strip().strip('"') in COLUMNS for c in header.split(s)))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, skipinitialspace=True)
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({' '.join(str(exc).split())})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(frame.columns[:8]) + (", ..." if len(frame.columns) > 8 else "")
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; the header line has {found}; the "
                         f"file needs the columns {', '.join(COLUMNS)} on its first line, separated by ',' "
                         "(or ';', as Swedish Excel saves CSV)")
    return frame, sep == ";"


def _decode(path: Path, raw: bytes) -> str:
    """``raw`` as text: UTF-8 (with or without a byte-order mark), else Windows-1252 (Excel's ANSI)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a text file in UTF-8 or Windows-1252 (byte {exc.start} cannot be read); "
                         "save it as \"CSV UTF-8\"") from None


def _rows(path: Path, frame: pd.DataFrame, decimal_comma: bool) -> list[tuple[tuple[str, int], list]]:
    """The rows of ``frame`` for the whole country (``size_group`` empty or ``all``) grouped by series and
    year, in order; each row as (its line in the file, the row). Raises InputError for a row without a
    series or with a year that is not a whole number."""
    groups: dict[tuple[str, int], list] = {}
    for i, row in frame.iterrows():
        line = int(i) + 2  # the header is line 1
        if row.isna().all():  # a row of separators only, as spreadsheets leave below the data
            continue
        group = row["size_group"]
        if isinstance(group, str) and group.strip() and group.strip() != "all":
            continue
        series = row["innovation"].strip() if isinstance(row["innovation"], str) else ""
        if not series:
            raise InputError(f"{path}: row {line}: innovation is empty; every row names its series")
        year = _number(path, line, series, None, "year", row, decimal_comma, whole=True)
        if year is None:
            raise InputError(f"{path}: row {line} ({series}): year is empty; give the survey year, e.g. 2020")
        groups.setdefault((series, year), []).append((line, row))
    return sorted(groups.items())


def _number(path: Path, line: int, series: str, year: int | None, column: str, row: pd.Series,
            decimal_comma: bool, whole: bool = False) -> Any:
    """The number in ``column`` of ``row`` (a float, an int if ``whole``), or None for an empty cell.
    Raises InputError naming the file, the row, its series and year, the column and the value, and what to
    write instead."""
    cell = row[column]
    if not isinstance(cell, str) or not cell.strip():
        return None
    text = cell.strip()
    written = text.replace(",", ".") if decimal_comma and text.count(",") == 1 else text
    where = f"{path}: row {line} ({series}{'' if year is None else f', {year}'}): {column} '{cell}'"
    try:
        value = float(written)
    except ValueError:
        if re.fullmatch(r"[+-]?\d*,\d+", text):
            raise InputError(f"{where} is not a number: the file is separated by ',' and this value has a "
                             f"decimal comma; use a decimal point ({text.replace(',', '.')})") from None
        hint = "a whole number, e.g. 2020" if whole else "a number such as 65 or 65.5 (no % sign or spaces)"
        raise InputError(f"{where} is not a number; write {hint}") from None
    if not math.isfinite(value):
        raise InputError(f"{where} is not a finite number; leave the cell empty if the value is unknown")
    if whole:
        if value != int(value):
            raise InputError(f"{where} is not a whole number")
        return int(value)
    return value


def series_names(points: list[Point]) -> list[str]:
    """The series of ``points``, in order, each once."""
    return list(dict.fromkeys(p.series for p in points))
