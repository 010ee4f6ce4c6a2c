"""Reading a results folder back: a run's (``manifest.json`` beside ``summary.csv``) or a comparison's
(``comparison.csv`` beside one run folder per scenario).

Frames are read when first asked for. Files another part of the tool may or may not have written —
``lever_usage.csv``, ``municipal_adoption_by_year.parquet`` — read as None when absent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..results import write_parquet

BY_YEAR = "municipal_adoption_by_year.parquet"
USAGE = "lever_usage.csv"
_USED = re.compile(r"(used.*msek|msek.*used)", re.IGNORECASE)


def write_adoption_by_year(folder: Path, outcomes: list) -> Path:
    """``municipal_adoption_by_year.parquet``: each municipality's share of applicable innovations adopted
    at the start and at the end of every simulated year, mean over the runs ``outcomes`` (columns ``code``,
    ``year``, ``adoption_share``, ``replications``); the maps over the years are drawn from it."""
    from ..charts.shaping import municipality_adoption_over_time

    return write_parquet(municipality_adoption_over_time(outcomes, every=4), Path(folder) / BY_YEAR)


@dataclass
class RunFolder:
    """One scenario's results folder, as :mod:`model.batch` writes it."""

    path: Path
    manifest: dict[str, Any] = field(repr=False)

    @classmethod
    def read(cls, path: str | Path) -> "RunFolder":
        """The folder at ``path``; InputError unless it holds a run's ``manifest.json``."""
        path = Path(path)
        try:
            manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{path}: not a results folder (no manifest.json); give the folder that "
                             "`spridning run` or `spridning compare` wrote") from None
        return cls(path, manifest)

    @property
    def scenario(self) -> dict[str, Any]:
        """The scenario as it ran, defaults filled in (``scenario_resolved`` of the manifest)."""
        return self.manifest.get("scenario_resolved", {})

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.scenario.get("name", self.path.name))

    @property
    def description(self) -> str:
        """The scenario's description (may be empty)."""
        return " ".join(str(self.scenario.get("description", "")).split())

    @property
    def start_year(self) -> int:
        """The first simulated year."""
        return int(self.scenario.get("start_year", 0))

    @property
    def end_year(self) -> int:
        """The year the horizon reaches (the last simulated year is the one before)."""
        return self.start_year + int(self.scenario.get("horizon_years", 0))

    @property
    def replications(self) -> int:
        """How many replications ran."""
        return int(self.manifest.get("replications", 0))

    def _csv(self, name: str) -> pd.DataFrame | None:
        path = self.path / name
        return pd.read_csv(path) if path.exists() else None

    @cached_property
    def summary(self) -> pd.DataFrame:
        """``summary.csv``."""
        return pd.read_csv(self.path / "summary.csv")

    @cached_property
    def replication_table(self) -> pd.DataFrame:
        """``replications.csv``: one row per replication."""
        return pd.read_csv(self.path / "replications.csv")

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """``timeseries.parquet``."""
        return pd.read_parquet(self.path / "timeseries.parquet")

    @cached_property
    def municipalities(self) -> pd.DataFrame:
        """``municipalities.parquet`` (codes as 4-digit text)."""
        frame = pd.read_parquet(self.path / "municipalities.parquet")
        return frame.assign(code=frame["code"].astype(str).str.zfill(4))

    @cached_property
    def spend(self) -> pd.DataFrame | None:
        """``spend.csv`` (MSEK per lever, year and replication), or None."""
        return self._csv("spend.csv")

    @cached_property
    def usage(self) -> pd.DataFrame | None:
        """``lever_usage.csv`` when the run wrote one, else None."""
        return self._csv(USAGE)

    @cached_property
    def by_year(self) -> pd.DataFrame | None:
        """``municipal_adoption_by_year.parquet`` when written, else None."""
        path = self.path / BY_YEAR
        if not path.exists():
            return None
        frame = pd.read_parquet(path)
        return frame.assign(code=frame["code"].astype(str).str.zfill(4))

    @cached_property
    def levers(self) -> list:
        """The scenario's levers as validated parameter objects (:class:`model.levers.base.LeverParams`)."""
        from ..scenario import parse_scenario

        if not self.scenario.get("levers"):
            return []
        return list(parse_scenario(self.scenario, str(self.path / "manifest.json")).levers)

    def budgeted(self) -> float:
        """MSEK the levers were given over the simulated years (budget x active years, as they spend)."""
        return float(sum(p.budget_msek_per_year * len(p.active_years(self.start_year, self.end_year))
                         for p in self.levers))

    def programmes(self) -> list[tuple[int, int, str]]:
        """``(first year, year after the last, lever name)`` of each lever with a budget, within the horizon."""
        out = []
        for p in self.levers:
            years = p.active_years(self.start_year, self.end_year)
            if p.budget_msek_per_year > 0 and len(years):
                out.append((years.start, years.stop, p.name or p.type))
        return out

    def spend_per_replication(self) -> np.ndarray:
        """MSEK the programmes paid out in each replication (``spend_msek`` of ``replications.csv``)."""
        return self.replication_table["spend_msek"].to_numpy(dtype=float)

    def used_per_replication(self) -> np.ndarray:
        """MSEK *used* in each replication: from ``lever_usage.csv`` where it has a column of money used
        (per replication if it has a ``replication`` column, else its total spread evenly), otherwise the
        money paid out (:meth:`spend_per_replication`)."""
        paid = self.spend_per_replication()
        usage = self.usage
        columns = [c for c in (usage.columns if usage is not None else ()) if _USED.search(str(c))]
        if not columns:
            return paid
        column = columns[0]
        if "replication" in usage.columns:
            used = usage.groupby("replication")[column].sum()
            return used.reindex(range(len(paid)), fill_value=0.0).to_numpy(dtype=float)
        return np.full(len(paid), float(usage[column].sum()) / max(len(paid), 1))


@dataclass
class ComparisonFolder:
    """A comparison's folder, as :func:`model.compare.run_comparison` writes it."""

    path: Path
    record: dict[str, Any] = field(repr=False)

    @classmethod
    def read(cls, path: str | Path) -> "ComparisonFolder":
        """The folder at ``path``; InputError unless it holds ``comparison.csv`` and ``comparability.json``."""
        path = Path(path)
        if not (path / "comparison.csv").exists():
            raise InputError(f"{path}: not a comparison folder (no comparison.csv)")
        record = json.loads((path / "comparability.json").read_text(encoding="utf-8"))
        return cls(path, record)

    @property
    def baseline(self) -> str:
        """The baseline's name."""
        return str(self.record["baseline"]["name"])

    @cached_property
    def runs(self) -> dict[str, RunFolder]:
        """Scenario name -> its run folder, the baseline first, then in the order of ``comparison.csv``."""
        found = {}
        for sub in sorted(p for p in self.path.iterdir() if (p / "manifest.json").is_file()):
            run = RunFolder.read(sub)
            found[run.name] = run
        order = list(dict.fromkeys([self.baseline] + list(pd.unique(self.table["scenario"]))))
        return {n: found[n] for n in order if n in found}

    @cached_property
    def table(self) -> pd.DataFrame:
        """``comparison.csv`` (long: scenario, outcome, mean and paired difference with intervals)."""
        return pd.read_csv(self.path / "comparison.csv")

    def optional(self, name: str) -> pd.DataFrame | None:
        """A CSV of the comparison folder, or None when absent."""
        path = self.path / name
        return pd.read_csv(path) if path.exists() else None


def is_comparison(path: str | Path) -> bool:
    """Whether ``path`` is a comparison's folder (else it should be a run's)."""
    return (Path(path) / "comparison.csv").exists()
