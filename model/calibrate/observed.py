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

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError

#: the shipped observed file
OBSERVED_FILE = Path(__file__).resolve().parents[1] / "data" / "observed" / "welfare_technology_adoption.csv"
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

    @property
    def sampling_sd(self) -> float:
        """The binomial standard error of the share over ``n`` municipalities."""
        return math.sqrt(max(self.share * (1.0 - self.share), 0.0) / self.n)


def read_observed(path: str | Path | None = None) -> list[Point]:
    """The points of the observed file ``path`` (default: the shipped file), ordered by series and year.

    Raises InputError for a missing file, missing columns or a row with neither a share nor a count."""
    path = Path(path) if path is not None else OBSERVED_FILE
    try:
        frame = pd.read_csv(path, dtype={"innovation": str, "size_group": str, "source_url": str})
    except FileNotFoundError:
        raise InputError(f"{path}: observed file not found") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{path}: not a readable CSV file ({exc})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; the columns are {', '.join(COLUMNS)}")
    frame = frame[frame["size_group"].fillna("all") == "all"]
    points = []
    for (series, year), rows in frame.groupby(["innovation", "year"], sort=True):
        shares, ns = [], []
        for i, row in rows.iterrows():
            printed_n = row["n_municipalities"]
            if pd.notna(row["share_pct"]):
                shares.append(float(row["share_pct"]) / 100.0)
                if pd.notna(printed_n):
                    ns.append(int(printed_n))
            elif pd.notna(printed_n):
                shares.append(float(printed_n) / MUNICIPALITIES)
            else:
                raise InputError(f"{path}: row {i + 2} ({series}, {year}): neither share_pct nor "
                                 "n_municipalities is given")
        share = sum(shares) / len(shares)
        if not 0.0 <= share <= 1.0:
            raise InputError(f"{path}: {series} {year}: share {share:.3f} is not between 0 and 1")
        sources = tuple(dict.fromkeys(str(s) for s in rows["source_url"] if isinstance(s, str)))
        points.append(Point(str(series), int(year), share, min(ns) if ns else MUNICIPALITIES, sources))
    return points


def series_names(points: list[Point]) -> list[str]:
    """The series of ``points``, in order, each once."""
    return list(dict.fromkeys(p.series for p in points))
